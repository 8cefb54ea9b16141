"""The statement table (compiler/catalog/statements.py) is the one place of statement facts.

These tests fail when a statement lacks a rule somewhere (the lists come from the code's own
dispatch: the classes of the syntax tree and the methods each stage dispatches to), when the
table and the catalog disagree, or when a fact the table holds is written again in codegen or
the importer.
"""

from __future__ import annotations

import ast as pyast
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from compile_support import compile_text, only_template, walk

from compiler.catalog import load_catalog
from compiler.catalog.models import DURATION_UNITS
from compiler.catalog.statements import (
    APPROVAL_BRANCHES,
    ASSIGN_MODE,
    CATALOG,
    CREATE_ACTIVITIES,
    FIXED,
    HANDLERS,
    LOOP_BODY,
    OMIT,
    ROBOT_OPTIONS,
    STATEMENTS,
    TASK_FIELDS,
    WAIT_UNIT,
    WRITES,
    Option,
    statement,
)
from compiler.codegen.activities import ActivityLowerer
from compiler.format.statements import StatementPrinter
from compiler.importer import Importer
from compiler.importer.actions import ActionStatements
from compiler.importer.containers import Containers
from compiler.importer.generic import generic
from compiler.importer.source import TemplateSource
from compiler.importer.sugar import SimpleStatements
from compiler.importer.tasks import TaskStatements
from compiler.semantics.binder import Binder
from compiler.semantics.statements import StatementRules
from compiler.source import Span
from compiler.syntax import ast
from compiler.syntax.tables import tables

REPO = Path(__file__).resolve().parents[2]
CATALOG_ = load_catalog()
# Only the checker makes these: a macro call in a bound tree.
BOUND_ONLY = {ast.Expansion}


def _statement_classes() -> set[type[ast.Stmt]]:
    return {c for _, c in inspect.getmembers(ast, inspect.isclass)
            if issubclass(c, ast.Stmt) and c is not ast.Stmt}


def _dispatch(cls: type) -> set[str]:
    """The names a stage dispatches statements on: its `_<Node>` methods."""
    nodes = {c.__name__ for c in _statement_classes()}
    return {name[1:] for name, _ in inspect.getmembers(cls, inspect.isfunction)
            if name.startswith("_") and name[1:] in nodes}


def _builders() -> set[str]:
    """The activity types the importer turns into statements of their own."""
    return {name[1:] for cls in (SimpleStatements, TaskStatements, ActionStatements, Containers)
            for name, _ in inspect.getmembers(cls, inspect.isfunction)
            if re.fullmatch(r"_[A-Z]\w*", name) and CATALOG_.activity(name[1:]) is not None}


# ── every statement has a rule in every stage ────────────────────────────────────────────────


def test_every_statement_of_the_syntax_tree_has_a_row() -> None:
    rows = {row.node for row in STATEMENTS.values()}
    assert _statement_classes() - BOUND_ONLY == rows


@pytest.mark.parametrize("stage", [Binder, StatementRules, ActivityLowerer, StatementPrinter],
                         ids=lambda c: c.__name__)
def test_every_statement_has_a_rule_in_each_stage(stage: type) -> None:
    # Checking also sees macro calls expanded; codegen lowers an expansion as the block it
    # holds (ActivityLowerer.block), and the formatter never sees one.
    rows = {row.node.__name__ for row in STATEMENTS.values()}
    bound = {c.__name__ for c in BOUND_ONLY} if stage in (Binder, StatementRules) else set()
    assert _dispatch(stage) == rows | bound


def test_every_statement_has_an_import_rule() -> None:
    # A statement's own activity (the first it lowers to) is read back by a builder; one that
    # lowers to no fixed type (the generic form, app robots) is imported in the generic form.
    builders = _builders()
    own = {row.kind: row.activities[0] for row in STATEMENTS.values() if row.activities}
    assert {kind: a for kind, a in own.items() if a not in builders} == {}
    assert {row.kind for row in STATEMENTS.values() if not row.activities} == {"activity", "call"}
    assert callable(generic)
    # and the importer reads no activity type no statement lowers to
    lowered = {a for row in STATEMENTS.values() for a in row.activities}
    assert builders - lowered == set()


def test_every_state_block_compiles_and_imports_back(tmp_path: Path) -> None:
    result = compile_text(tmp_path, """statemachine m for crm.deal {
    state start initial {
        enter { log "in" }
        on command approve "Approve it" { goto done }
        on delay 2d { goto done }
        exit { log "out" }
    }
    state done {
        enter { log "done" terminate }
    }
}
""")
    package = only_template(result)
    types = {n["Type"] for n in walk(package["TEMPLATE"][0])}
    assert {a for h in HANDLERS.values() for a in (h.activity, h.event) if a} <= types
    template = result.templates[0]
    imported = Importer(CATALOG_).run(TemplateSource(
        template.template.to_package(), "m", template.name, template.description,
        tuple(template.document_type), template.auto_execute, "m"))
    assert imported.report.equivalent and imported.report.generic == 0
    for words in ("enter {", "exit {", "on command", "on delay"):
        assert words in imported.text


# ── the table agrees with the catalog and the grammar ────────────────────────────────────────


def test_every_activity_the_table_names_is_catalogued() -> None:
    named = {a for row in STATEMENTS.values() for a in row.activities} | \
        {a for h in HANDLERS.values() for a in (h.activity, h.event) if a} | \
        set(WRITES) | set(FIXED) | set(CREATE_ACTIVITIES.values())
    assert {a for a in named if CATALOG_.activity_class(a) is None and
            CATALOG_.app_activities.get(a) is None} == set()
    assert all(CATALOG_.is_a(a, "CreateDocumentActivity") for a in CREATE_ACTIVITIES.values())


def test_codegen_writes_only_properties_the_catalog_knows() -> None:
    specs = {a: CATALOG_.activities.get(a) or CATALOG_.app_activities[a] for a in WRITES}
    unknown = {(a, p) for a, props in WRITES.items() for p in props
               if p not in specs[a].properties and p not in specs[a].returns}
    assert unknown == set()
    assert all(set(fixed) <= set(WRITES[a]) for a, fixed in FIXED.items())
    assert set(TASK_FIELDS) - {"TITLE"} <= set(
        CATALOG_.activities["Task2Activity"].properties["Fields"].keys or ())


def _option_rows() -> list[tuple[str, str, Option]]:
    return [(row.kind, key, option) for row in STATEMENTS.values()
            for key, option in {**row.options, **row.parts}.items()]


@pytest.mark.parametrize("kind,key,option", _option_rows(),
                         ids=[f"{k}.{o}" for k, o, _ in _option_rows()])
def test_each_option_fills_a_property_codegen_writes_with_a_value_it_takes(
        kind: str, key: str, option: Option) -> None:
    row = STATEMENTS[kind]
    activity = row.activity or "RestActivity"
    if option.fields_key:
        assert option.fields_key in TASK_FIELDS
        return
    assert option.properties and set(option.properties) <= set(WRITES[activity])
    spec = CATALOG_.activities.get(activity) or CATALOG_.app_activities[activity]
    for word, stored in option.values.items():
        for prop, value in zip(option.properties, stored if isinstance(stored, tuple)
                               else (stored,), strict=False):
            allowed = spec.properties[prop].options or (
                DURATION_UNITS if spec.properties[prop].type == "duration_unit" else None)
            assert allowed is None or value in allowed, (word, prop, value)
    if option.values and option.absent not in (CATALOG, OMIT):
        assert option.absent in option.values


def test_the_reverse_of_each_map_gives_the_words_back() -> None:
    for _, _, option in _option_rows():
        for word, stored in option.values.items():
            expected = None if word == option.absent else word
            assert option.word_of(stored) == expected
    assert WAIT_UNIT.word_of("d") == "days" and ASSIGN_MODE.word_of("r") is None


def test_statement_kinds_are_unique() -> None:
    assert len({row.kind for row in STATEMENTS.values()}) == len(STATEMENTS)


def test_each_row_is_a_rule_of_the_grammar_and_takes_its_words_from_it() -> None:
    statements = {rule.expansion[0] for rule in tables().rules if rule.origin == "stmt"}
    rows = {row.rule for row in STATEMENTS.values()}
    assert rows <= statements and statements - rows == {"set_block"}  # `set { … }` is `set`
    blocks = {rule.expansion[0] for rule in tables().rules if rule.origin == "state_item"}
    # A state also holds its permission lines, which are no handlers.
    permissions = {"permission_header", "permission_setting"}
    assert permissions <= blocks
    assert {handler.rule for handler in HANDLERS.values()} == blocks - permissions
    assert [" ".join(h.head) for h in HANDLERS.values()] == \
        ["enter", "exit", "on command", "on delay"]
    assert STATEMENTS["foreach"].head == ("for", "each") and STATEMENTS["call"].head == ()
    assert STATEMENTS["if"].words == ("if", "else")
    assert STATEMENTS["parallel"].words == ("parallel", "branch")


def test_notify_and_message_share_a_node_and_find_their_rows() -> None:
    span = Span.unknown("case.bpl")
    users, text = ast.Ref(span, ("role", "author")), ast.Text(span, ("hi",))
    for kind, activity in (("notify", "IMNotifyActivity"), ("message", "SocNetMessageActivity")):
        stmt = ast.NotifyStmt(span, ast.StmtOpts(), kind, users, text, None)
        assert statement(stmt).activity == activity


# ── no copy of the table's facts creeps back ─────────────────────────────────────────────────


def _constants(path: Path) -> list[tuple[int, Any]]:
    tree = pyast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in pyast.walk(tree)
                  if isinstance(n, pyast.FunctionDef | pyast.ClassDef | pyast.Module)
                  and n.body and isinstance(n.body[0], pyast.Expr)}
    return [(n.lineno, n.value) for n in pyast.walk(tree)
            if isinstance(n, pyast.Constant) and id(n) not in docstrings]


def _table_texts() -> set[str]:
    """The Titles codegen gives statements and inner nodes, and the charset it writes."""
    titles = {row.title.split("{")[0].strip() for row in STATEMENTS.values() if row.title}
    titles |= {h.title for h in HANDLERS.values() if h.title}
    return titles | {LOOP_BODY, *APPROVAL_BRANCHES, "Otherwise", "Else if", "Branch", "UTF-8"}


def _retyped_maps(path: Path) -> list[str]:
    """Dict literals holding two or more words (or stored values) of one option's map: the map
    written again, forward or backward."""
    def spelled(value: Any) -> str:
        return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)

    # Words, and stored values that say something alone (not 0, 1, 's' or 'Y').
    maps = [{spelled(w) for w in o.values} |
            {spelled(v) for v in o.values.values() if len(spelled(v)) > 1}
            for _, _, o in _option_rows() if len(o.values) > 1]
    found = []
    for node in pyast.walk(pyast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, pyast.Dict):
            continue
        items = {str(c.value) for c in [*node.keys, *node.values]
                 if isinstance(c, pyast.Constant)} | \
            {",".join(str(e.value) for e in c.elts if isinstance(e, pyast.Constant))
             for c in [*node.keys, *node.values] if isinstance(c, pyast.Tuple)}
        if any(len(items & words) >= 2 for words in maps):
            found.append(f"{path.name}:{node.lineno}")
    return found


@pytest.mark.parametrize("package", ["codegen", "importer"])
def test_codegen_and_the_importer_do_not_repeat_the_tables_facts(package: str) -> None:
    texts = _table_texts()
    files = sorted((REPO / "compiler" / package).glob("*.py"))
    titles = [f"{path.name}:{line} {value!r}" for path in files
              for line, value in _constants(path)
              if isinstance(value, str) and value.strip() in texts]
    assert titles == []
    assert [hit for path in files for hit in _retyped_maps(path)] == []


def test_the_scans_find_a_retyped_map_and_a_title(tmp_path: Path) -> None:
    sample = tmp_path / "sugar.py"
    sample.write_text('_DELEGATION = {"0": None, "1": "all", "2": "none"}\n'
                      'opts = ctx.opts(node, "Request information")\n', encoding="utf-8")
    assert _retyped_maps(sample) == ["sugar.py:1"]
    assert [v for _, v in _constants(sample) if v in _table_texts()] == ["Request information"]


def _defaults_written(path: Path) -> list[str]:
    """Constants codegen puts under a property name whose catalog default they equal."""
    defaults: dict[str, list[Any]] = {}
    for spec in CATALOG_.activities.values():
        for name, prop in spec.properties.items():
            if prop.default is not None:
                defaults.setdefault(name, []).append(prop.default)
    found = []
    tree = pyast.parse(path.read_text(encoding="utf-8"))
    pairs: list[tuple[pyast.expr | None, pyast.expr]] = []
    for node in pyast.walk(tree):
        if isinstance(node, pyast.Dict):
            pairs += list(zip(node.keys, node.values, strict=True))
        elif isinstance(node, pyast.Assign) and isinstance(node.targets[0], pyast.Subscript):
            pairs.append((node.targets[0].slice, node.value))
    for key, value in pairs:
        if not (isinstance(key, pyast.Constant) and key.value in defaults):
            continue
        literal = value.value if isinstance(value, pyast.Constant) else \
            [] if isinstance(value, pyast.List) and not value.elts else \
            {} if isinstance(value, pyast.Dict) and not value.keys else None
        if literal is not None and any(literal == d and type(literal) is type(d)
                                       for d in defaults[key.value]):
            found.append(f"{path.name}:{key.lineno} {key.value}")
    return sorted(found)


def test_codegen_takes_catalog_defaults_from_the_catalog() -> None:
    files = sorted((REPO / "compiler" / "codegen").glob("*.py"))
    assert [hit for path in files for hit in _defaults_written(path)] == []


def test_the_defaults_scan_finds_a_literal_default(tmp_path: Path) -> None:
    sample = tmp_path / "lowering.py"
    sample.write_text('props = {"Title": t, "MergeMultipleFields": "N"}\n'
                      'props["SetStatusMessage"] = "Y"\nprops["StatusMessage"] = ""\n',
                      encoding="utf-8")
    assert _defaults_written(sample) == ["lowering.py:1 MergeMultipleFields",
                                         "lowering.py:2 SetStatusMessage"]


def test_robot_declaration_options_are_a_block_of_their_own() -> None:
    assert set(ROBOT_OPTIONS) >= {"handler", "auth_user", "wait_for_result"}
    assert all(not o.fills for o in ROBOT_OPTIONS.values())
