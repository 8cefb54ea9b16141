"""docs/sandbox.md "Driving workflows by hand", run as it stands: every `$ ` command of its
console blocks in one shell, in a fresh folder, each answer compared with the text under
it (`…` stands for anything within a line; a line of only `…` for any number of lines)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "sandbox.md"
SECTION = "## Driving workflows by hand"
ELLIPSIS = "…"


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


def section(text: str) -> str:
    start = text.index(SECTION)
    end = re.compile(r"^#{2,3} ", re.MULTILINE).search(text, start + len(SECTION))
    return text[start:end.start() if end else len(text)]


def steps(text: str) -> list[Step]:
    found: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section(text), re.DOTALL):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            line = lines[index]
            index += 1
            if not line.startswith("$ "):
                found[-1].expected.append(line.rstrip())
                continue
            command = line[2:]
            while command.endswith("\\"):  # continued on the next line
                command += "\n" + lines[index]
                index += 1
            heredoc = re.search(r"<<'(\w+)'", command)
            if heredoc:  # the here-document's lines belong to the command
                while lines[index] != heredoc.group(1):
                    command += "\n" + lines[index]
                    index += 1
                command += "\n" + lines[index]
                index += 1
            found.append(Step(command))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == ELLIPSIS:
        return any(matches(rest, actual[skip:]) for skip in range(len(actual) + 1))
    pattern = ".*".join(re.escape(part) for part in head.split(ELLIPSIS))
    return bool(actual) and re.fullmatch(pattern, actual[0]) is not None \
        and matches(rest, actual[1:])


def test_the_steps_are_read_from_the_document() -> None:
    found = steps(DOC.read_text(encoding="utf-8"))
    commands = [step.command.split("\n")[0] for step in found]
    assert commands[:3] == ["mkdir purchase && cd purchase", "cat > bpl.toml <<'EOF'",
                            "cat > purchase.bpl <<'EOF'"]
    wanted = ["bpl sandbox seed document", "bpl apply", "bpl workflows start",
              "bpl sandbox run command", "--as Boris", "bpl sandbox clock advance",
              "bpl sandbox run show"]
    assert all(any(w in c for c in commands) for w in wanted)
    assert matches(["a…c", ELLIPSIS, "d"], ["abc", "x", "y", "d"])
    assert not matches(["a…c"], ["abd"])


def test_the_walkthrough_runs_as_documented(tmp_path: Path) -> None:
    found = steps(DOC.read_text(encoding="utf-8"))
    script = []
    for number, step in enumerate(found):
        # Braces keep `cd` and variables in this shell and put the step's stderr with its
        # stdout, in the order written (PYTHONUNBUFFERED).
        script += [f"echo '@@step {number}'", "{", step.command, "} 2>&1",
                   "echo \"@@status $?\""]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPL_", "SSL_", "REQ"))}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               COLUMNS="100", PYTHONUNBUFFERED="1", NO_COLOR="1")
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    outputs = re.split(r"^@@step \d+\n", done.stdout, flags=re.MULTILINE)[1:]
    assert len(outputs) == len(found), done.stdout
    for step, output in zip(found, outputs, strict=True):
        text, status = output.rsplit("@@status ", 1)
        fails = any(line.startswith("error:") for line in step.expected)
        assert (int(status) != 0) == fails, (step.command, text)
        actual = [line.rstrip() for line in text.splitlines()]
        assert matches(step.expected, actual), (step.command, actual, step.expected)
