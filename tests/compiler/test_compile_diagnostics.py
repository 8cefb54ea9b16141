"""The diagnostics suite: every tests/fixtures/errors/*.bpl states what the compiler must say.

Expectations are comments in the file itself, one per diagnostic:

    // E: E100 7:15 did you mean 'TITLE'?      an error: code, line:column, text to find
    // W: W402 9:5                              a warning; the text part is optional
    // I: I406 4:9                              information (a note)

The build must report exactly these (code, line, column) and no other diagnostic; the text,
when given, must occur in the diagnostic's message or help. `// mode: compile` builds as
`bpl compile` does (every env symbol needs a value); `// define: NAME=VALUE` gives values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from compile_support import FIXTURES

from compiler.diagnostics import Diagnostic, Severity
from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment, EnvValue

ERRORS = FIXTURES / "errors"
CASES = sorted(ERRORS.glob("*.bpl"))

# Horizontal space only: an expectation without text must not take the next line as its text.
_EXPECT = re.compile(r"^//[ \t]*([EWI]):[ \t]*([EWI]\d{3})[ \t]+(\d+):(\d+)"
                     r"(?:[ \t]+([^\r\n]*?))?[ \t\r]*$", re.MULTILINE)
_SEVERITY = {"E": Severity.ERROR, "W": Severity.WARNING, "I": Severity.NOTE}
_DEFINE = re.compile(r"^//\s*define:\s*(\w+)\s*=\s*(.*?)\s*$", re.MULTILINE)
_COMPILE_MODE = re.compile(r"^//\s*mode:\s*compile\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Expected:
    severity: Severity
    code: str
    line: int
    column: int
    text: str | None

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (str(self.severity), self.code, self.line, self.column)


def expectations(text: str) -> list[Expected]:
    return [Expected(_SEVERITY[kind], code, int(line), int(column), message or None)
            for kind, code, line, column, message in _EXPECT.findall(text)]


def build_case(path: Path) -> BuildResult:
    text = path.read_text(encoding="utf-8")
    values: dict[str, EnvValue] = {}
    for name, raw in _DEFINE.findall(text):
        values[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    # Like the CLI: without a mode or values, env symbols are checked symbolically.
    explicit = bool(_COMPILE_MODE.search(text)) or bool(values)
    return build([path], Environment("errors", values, symbolic=not explicit))


def key(d: Diagnostic) -> tuple[str, str, int, int]:
    return (str(d.severity), d.code, d.span.line, d.span.column)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
    codes = {e.code for case in CASES for e in expectations(case.read_text(encoding="utf-8"))}
    # Every rule the compiler reports from source text has at least one case.
    assert {"E001", "E002", "E003", "E004", "E010", "E100", "E101", "E102", "E103", "E104",
            "E105", "E106", "E107", "E108", "E109", "E200", "E201", "E202", "E300", "W301",
            "W302", "E303", "E304", "W305", "E400", "E401", "W402", "E403", "E500", "E501", "W502",
            "E600", "E601", "W306", "W110", "W111", "W203", "W204", "W404", "W405", "I406",
            "W407"} <= codes


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_error_case(case: Path) -> None:
    expected = expectations(case.read_text(encoding="utf-8"))
    assert expected, f"{case.name} states no expectation"
    for item in expected:
        assert _SEVERITY[item.code[0]] is item.severity, f"{item.code} marked {item.severity}"
    result = build_case(case)
    actual = result.diagnostics.sorted()
    assert sorted(key(d) for d in actual) == sorted(e.key for e in expected), \
        "\n".join(f"{d.code} {d.span}: {d.message}" for d in actual)
    for item in expected:
        found = next(d for d in actual if key(d) == item.key)
        if item.text is not None:
            said = f"{found.message}\n{found.help or ''}"
            assert item.text in said, f"{item.code}: {item.text!r} not in {said!r}"
    # A file with errors yields no template; warnings alone do not stop compilation.
    has_errors = any(e.severity is Severity.ERROR for e in expected)
    assert (result.templates == []) == has_errors or not result.program.workflows


# ── file-level errors, which need the file system rather than a fixture's text ──────────────


def test_missing_source_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.bpl"
    result = build([missing])
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E011", 1, 1)
    assert diagnostic.span.file.endswith("nowhere.bpl")
    assert "does not exist" in diagnostic.message
    assert result.templates == []


def test_source_file_over_the_size_limit(tmp_path: Path) -> None:
    from compiler.semantics.program import MAX_FILE_BYTES

    big = tmp_path / "big.bpl"
    big.write_text("// " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    [diagnostic] = build([big]).diagnostics
    assert diagnostic.code == "E011"
    assert "larger than 1 MiB" in diagnostic.message


def test_import_of_a_folder(tmp_path: Path) -> None:
    (tmp_path / "lib.bpl").mkdir()
    source = tmp_path / "main.bpl"
    source.write_text('\nimport "lib.bpl"\nworkflow w for crm.deal {\n    log "x"\n}\n',
                      encoding="utf-8")
    [diagnostic] = build([source]).diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("E010", 2, 1)
    assert "is a folder" in diagnostic.message


def test_errors_in_an_imported_file_point_into_that_file(tmp_path: Path) -> None:
    (tmp_path / "lib.bpl").write_text('macro m() {\n    log "{doc.NOPE}"\n}\n',
                                      encoding="utf-8")
    source = tmp_path / "main.bpl"
    source.write_text('import "lib.bpl"\nworkflow w for crm.deal {\n    m()\n}\n',
                      encoding="utf-8")
    [diagnostic] = build([source]).diagnostics
    assert diagnostic.code == "E100"
    assert diagnostic.span.file.endswith("lib.bpl")
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 11)
