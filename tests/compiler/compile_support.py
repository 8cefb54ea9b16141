"""Helpers shared by the compiler tests: compile .bpl text, read fixtures, walk templates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment, EnvValue

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
SAMPLES = REPO / "samples"
# The client id the robot app of samples/ compiles with in tests (any stable id does).
SAMPLE_CLIENT_ID = "local.0123456789abcd.01234567"

# `// define: NAME=VALUE` lines in a fixture give env.NAME its value for that fixture.
_DEFINE = re.compile(r"^//\s*define:\s*(\w+)\s*=\s*(.*?)\s*$", re.MULTILINE)


def fixture_environment(text: str) -> Environment:
    """The environment a fixture asks for; integers stay integers, as `--define` does."""
    values: dict[str, EnvValue] = {}
    for name, raw in _DEFINE.findall(text):
        values[name] = int(raw) if raw.lstrip("-").isdigit() else raw
    return Environment("fixture", values, symbolic=False)


def compile_text(tmp_path: Path, text: str, *, env: Environment | None = None,
                 name: str = "case.bpl") -> BuildResult:
    """Build one file holding `text`; compile mode (every env symbol needs a value)."""
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    return build([source], env if env is not None else fixture_environment(text))


def only_template(result: BuildResult) -> dict[str, Any]:
    """The package of the single workflow of a build that must have no diagnostics."""
    assert [(d.code, str(d.span), d.message) for d in result.diagnostics] == []
    assert len(result.templates) == 1
    return result.templates[0].template.to_package()


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Children", []):
        yield from walk(child)


def activities(package: dict[str, Any], activity_type: str | None = None) -> list[dict[str, Any]]:
    """Every activity of the template in document order, optionally of one Type."""
    nodes = list(walk(package["TEMPLATE"][0]))
    return [n for n in nodes if activity_type is None or n["Type"] == activity_type]


def body(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The root's direct children."""
    children: list[dict[str, Any]] = package["TEMPLATE"][0]["Children"]
    return children


def sample_files() -> list[Path]:
    """The samples that double as documentation (the robot app's in its folder too); empty
    while none are written yet."""
    return sorted(SAMPLES.rglob("*.bpl")) if SAMPLES.is_dir() else []


def sample_environment() -> Environment:
    """The environment `bpl compile samples` uses: the default one of the repository's
    bpl.toml, as the CLI resolves it."""
    from compiler.project.config import load_project
    from compiler.semantics.environment import APP_CLIENT_ID

    name, config = load_project(REPO).environment(None)
    values: dict[str, EnvValue] = dict(config.values)
    # The CLI asks the project's sandbox for its app's client id; these tests only need the
    # robot app's calls to compile the same every time, without opening the repository's
    # sandbox (which would create .bpl/ in the checkout).
    values.setdefault(APP_CLIENT_ID, config.client_id or SAMPLE_CLIENT_ID)
    return Environment(name, values, symbolic=False)


def php_shape(value: Any) -> Any:
    """A package as it looks after a trip through PHP (unserialize, json_encode): a map with
    keys 0..n-1 is a list, an empty map is [], numeric string keys are integers, and JSON
    keys are strings again."""
    if isinstance(value, dict):
        if not value:
            return []
        keys = [int(k) if isinstance(k, str) and k.lstrip("-").isdigit() and str(int(k)) == k
                else k for k in value]
        if keys == list(range(len(keys))):
            return [php_shape(v) for v in value.values()]
        return {str(k): php_shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [php_shape(v) for v in value]
    return value
