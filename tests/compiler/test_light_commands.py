"""`bpl check`, `compile`, `fmt` and `test` load neither the sandbox, the deployer nor the
HTTP stack: each runs in a fresh interpreter, which then lists what it imported. And the
deployer never reaches the sandbox: the command line picks the portal.

`compile` and `test` read the client id of the project's sandbox application (what
`env.app_client_id` is in the sandbox environment) from the sandbox's database; only the very
first command of a project loads the sandbox, to make that database.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_module_graph import _modules, imports

from compiler.project.config import SANDBOX_STATE

FORBIDDEN = ("compiler.sandbox", "compiler.deploy", "compiler.portal", "httpx", "httpcore",
             "starlette", "uvicorn")
# Runs one command as `bpl` would, then prints the forbidden modules it imported.
_PROBE = """
import json, sys
from compiler.cli.main import main
try:
    main(sys.argv[1:], prog_name="bpl")
except SystemExit as stop:
    code = stop.code
loaded = sorted(n for n in sys.modules if n.startswith({forbidden!r}))
print(json.dumps({{"code": code, "loaded": loaded}}))
"""

WORKFLOW = """\
workflow greet for crm.deal {
    title "Greet"

    log "Hello {doc.TITLE}"
}
"""
SCENARIO = """\
workflow = "greet"

[document]
TITLE = "ACME"

[[scenario]]
name = "greets"
[scenario.expect]
status = "completed"
log = ["Hello ACME"]
"""


def _probe(cwd: Path, *args: str,
           forbidden: tuple[str, ...] = FORBIDDEN) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(forbidden=forbidden), *args],
                          cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], report["loaded"]


@pytest.mark.parametrize("module", ["compiler.cli.main", "compiler.cli.build",
                                    "compiler.cli.fmt", "compiler.cli.test"])
def test_the_command_modules_import_light(module: str) -> None:
    code = f"import sys, {module}; print(sorted(n for n in sys.modules if n.startswith(" \
           f"{FORBIDDEN!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project deploying to its sandbox (the default environment), whose sandbox exists:
    the first `bpl compile` made it."""
    root = tmp_path_factory.mktemp("light")
    (root / "bpl.toml").write_text('[project]\nsources = ["src"]\n', encoding="utf-8")
    (root / "src").mkdir()
    (root / "src" / "greet.bpl").write_text(WORKFLOW, encoding="utf-8")
    (root / "src" / "greet.test.toml").write_text(SCENARIO, encoding="utf-8")
    code, loaded = _probe(root, "compile", "-o", "out")
    assert code == 0 and "compiler.sandbox" in loaded  # making the sandbox loads it
    assert (root / ".bpl" / SANDBOX_STATE).is_file()
    return root


@pytest.mark.parametrize("command", [("check",), ("compile", "-o", "out"), ("fmt", "--check"),
                                     ("test",)], ids=lambda c: c[0])
def test_the_commands_run_light(project: Path, command: tuple[str, ...]) -> None:
    code, loaded = _probe(project, *command)
    assert code == 0
    assert loaded == []


# What only running a workflow needs: the simulator's runtime and its activities.
RUNTIME = ("compiler.simulator.run", "compiler.simulator.activities")
# What a replayed result does not need: the parser, the checker, codegen, the catalog.
COMPILER = ("compiler.syntax", "compiler.semantics.checker", "compiler.codegen",
            "compiler.catalog", "lark")


@pytest.mark.parametrize("command", [("check", "--no-cache"), ("compile", "--no-cache", "-o",
                                                                "out"), ("fmt", "--check")],
                         ids=lambda c: c[0])
def test_checking_loads_no_simulator(project: Path, command: tuple[str, ...]) -> None:
    code, loaded = _probe(project, *command, forbidden=RUNTIME)
    assert code == 0
    assert loaded == []


# What checking does not need: the formatter, and the network stack (compiler.hosts looks a
# name up only when a robot's handler asks for it).
NOT_FOR_CHECKING = ("compiler.format", "socket")


def test_checking_loads_no_formatter_and_no_network(project: Path) -> None:
    code, loaded = _probe(project, "check", "--no-cache", forbidden=NOT_FOR_CHECKING)
    assert code == 0
    assert loaded == []


@pytest.mark.parametrize("command", [("check",), ("compile", "-o", "out")], ids=lambda c: c[0])
def test_a_replayed_result_loads_no_compiler(project: Path, command: tuple[str, ...]) -> None:
    """The second run of an unchanged project reads the result cache (docs/cache.md)."""
    assert _probe(project, *command, forbidden=COMPILER)[0] == 0  # writes the entry if new
    again, loaded = _probe(project, *command, forbidden=COMPILER)
    assert again == 0
    assert loaded == []


def test_the_client_id_read_is_the_sandbox_applications(project: Path) -> None:
    from compiler.cli.sandbox_files import sandbox_client_id
    from compiler.project.config import load_project
    from compiler.sandbox import Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(data=project / ".bpl" / SANDBOX_STATE))
    try:
        expected = sandbox.ensure_default_app().client_id
    finally:
        sandbox.close()
    assert sandbox_client_id(load_project(project)) == expected


def test_the_deployer_never_reaches_the_sandbox() -> None:
    """No module of compiler.deploy imports the sandbox, directly or through others (its
    benchmark aside, which deploys to one on purpose)."""
    modules = _modules()
    graph = {name: imports(path, modules) - {name} for name, path in modules.items()}
    deployer = [name for name in modules if name.startswith("compiler.deploy")
                and name != "compiler.deploy.bench"]
    assert len(deployer) > 15
    for start in deployer:
        seen: set[str] = set()
        stack = [start]
        while stack:
            for target in graph[stack.pop()] - seen:
                seen.add(target)
                stack.append(target)
        assert not {name for name in seen if name.startswith("compiler.sandbox")}, start
