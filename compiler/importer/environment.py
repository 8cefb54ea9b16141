"""`bpl import --env NAME`: the names an environment gives values back.

A value of the template that equals exactly one symbol's value in the environment (a user
`user_12`, a list id `42`, a field code `UF_CRM_17`, a stage `DT1036_8:PREPARATION`) is
written `env.NAME`, which compiles to that value in this environment. An app activity's node
Type is `rest_` + md5(client_id@CODE) (compiler/semantics/statements.py): with the
environment's client id, the project's `robot`/`action` declarations tell which CODE a node
calls, and the node is written as a call of that robot, with an `import` of the file that
declares it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.diagnostics import Diagnostics
from compiler.semantics.environment import APP_CLIENT_ID, Environment
from compiler.semantics.program import load_program
from compiler.semantics.statements import robot_activity_type
from compiler.syntax import ast


@dataclass(frozen=True)
class ProjectRobot:
    decl: ast.RobotDecl
    file: Path  # the .bpl file that declares it (as the import's check reads it)
    written: Path | None = None  # where it is written, when the import writes it (recovered)


@dataclass
class ImportEnvironment:
    env: Environment
    robots: dict[str, ProjectRobot] = field(default_factory=dict)  # rest_<md5> → robot
    # Field code → the project's `field` declaration of it (its name, type and label).
    fields: dict[str, ast.FieldDecl] = field(default_factory=dict)
    # Robots recovered from the deploy state (rest_<md5> → robot), and those calls used.
    recovered: dict[str, ProjectRobot] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    _symbols: dict[tuple[str, Any], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        seen: dict[tuple[str, Any], list[str]] = {}
        for name, value in self.env.values.items():
            key = _key(value)
            if name != APP_CLIENT_ID and key is not None:
                seen.setdefault(key, []).append(name)
        # A value two symbols share could mean either: it stays a literal.
        self._symbols = {key: names[0] for key, names in seen.items() if len(names) == 1}

    def symbol(self, raw: Any) -> str | None:
        """The one symbol whose value is `raw` (same type and value), if any."""
        key = _key(raw)
        return self._symbols.get(key) if key is not None else None

    def robot(self, activity_type: str) -> ProjectRobot | None:
        key = activity_type.lower()
        found = self.robots.get(key)
        if found is None and key in self.recovered:
            self.used.add(key)
            return self.recovered[key]
        return found


def _key(value: Any) -> tuple[str, Any] | None:
    """Symbols map back by texts and integers; booleans, floats and empty texts are too common
    in templates to mean a portal's value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, str) and value.strip():
        return ("str", value)
    return None


def project_environment(sources: Iterable[Path], env: Environment) -> ImportEnvironment:
    """The environment with what the project's sources declare: robots and actions by their
    node Type (none without the environment's client id), and fields by their code. Files
    that do not parse lend nothing; `bpl check` reports them."""
    paths = [p for p in sources if p.exists()]
    program = load_program(paths, Diagnostics()) if paths else None
    if program is None:
        return ImportEnvironment(env)
    client_id = env.get(APP_CLIENT_ID)
    robots = {robot_activity_type(str(client_id), code): ProjectRobot(decl, Path(decl.span.file))
              for code, decl in program.robots.items()} if client_id else {}
    return ImportEnvironment(env, robots, _fields(program.modules, env))


def _fields(modules: Iterable[ast.Module], env: Environment) -> dict[str, ast.FieldDecl]:
    """Code → declaration, for codes every declaration of the project declares alike."""
    found: dict[str, list[ast.FieldDecl]] = {}
    for module in modules:
        for workflow in module.workflows:
            for decl in workflow.fields:
                code = _code(decl, env)
                if code is not None:
                    found.setdefault(code, []).append(decl)
    return {code: decls[0] for code, decls in found.items()
            if len({(d.name, _shape(d)) for d in decls}) == 1}


def _code(decl: ast.FieldDecl, env: Environment) -> str | None:
    code = decl.code
    if code is None:
        return decl.name
    if isinstance(code, ast.Text) and code.is_plain:
        return code.plain
    if isinstance(code, ast.Ref) and code.parts[0] == "env" and len(code.parts) == 2:
        value = env.get(code.parts[1])
        return value if isinstance(value, str) else None
    return None


def _shape(decl: ast.FieldDecl) -> tuple[str, bool, str | None, str | None]:
    typ = decl.type
    return (typ.name, typ.multiple, typ.argument,
            decl.label.plain if decl.label is not None and decl.label.is_plain else None)

