"""Bitrix texts, tokens and formulas → .bpl expressions, each kept only when codegen gives
the original back."""

from __future__ import annotations

import pytest

from compiler.diagnostics import Diagnostics
from compiler.format.expressions import ExpressionPrinter
from compiler.importer.calc import parse_formula
from compiler.importer.document import from_option
from compiler.importer.scope import Scope
from compiler.importer.tokens import FieldToken, InlineFormula, segments
from compiler.importer.values import Values
from compiler.semantics import types as T
from compiler.source import SourceFile
from compiler.syntax import ast, parse_expression
from compiler.syntax.shape import shape
from tests.importer.support import CATALOG

PRINTER = ExpressionPrinter()


def values() -> Values:
    document = from_option(CATALOG, "crm.deal")
    scope = Scope(CATALOG, document.spec, document.user_groups)
    scope.decls.update({"limit": ("param", T.DOUBLE), "note": ("var", T.STRING),
                        "boss": ("const", T.USER)})
    scope.labels["A1_2_3_4"] = "a1"
    scope.label_types["a1"] = "ApproveActivity"
    return Values(scope, CATALOG.functions)


def source(expr: ast.Expr) -> str:
    return PRINTER.flat(expr)


def test_segments_split_tokens_and_inline_formulas() -> None:
    parts = segments("a {=Document:TITLE > printable} b {{=abs({=Variable:x}) & \"}}\"}} c")
    assert parts[0] == "a "
    assert isinstance(parts[1], FieldToken) and parts[1].modifiers == ("printable",)
    assert isinstance(parts[3], InlineFormula)
    assert parts[3].body == 'abs({=Variable:x}) & "}}"'
    assert parts[4] == " c"


@pytest.mark.parametrize(("raw", "written"), [
    ("{=Document:TITLE}", "doc.TITLE"),
    ("{=Template:limit}", "param.limit"),
    ("{=Template:TargetUser}", "param.TargetUser"),
    ("{=Variable:note}", "var.note"),
    ("{=Constant:boss}", "const.boss"),
    ("{=System:Now}", "system.now"),
    ("{=Workflow:ID}", "workflow.id"),
    ("{=User:ID}", "user.current"),
    ("{=GlobalConst:Rate}", "global.const.Rate"),
    ("{=A1_2_3_4:Comments}", "a1.Comments"),
    ("{=Document:ASSIGNED_BY_ID > printable}", "doc.ASSIGNED_BY_ID | printable"),
    ("=dateadd({=System:Now}, \"1d\")", 'dateadd(system.now, "1d")'),
    ("={=Template:limit} * 2 + 1", "param.limit * 2 + 1"),
    ("=if({=Variable:note} = \"x\", 1, 2)", 'if(var.note == "x", 1, 2)'),
    ("=not(true())", "not true"),
    ("=and(true(), false())", "and(true, false)"),
    ("Deal {=Document:TITLE} of {=Document:OPPORTUNITY}", '"Deal {doc.TITLE} of '
                                                          '{doc.OPPORTUNITY}"'),
    ("total {{=\"x\" & {=Variable:note}}}!", '"total {\\"x\\" & var.note}!"'),
    ("100", '"100"'),
])
def test_readable_forms(raw: str, written: str) -> None:
    convert = values()
    expr = convert.value(raw)
    assert source(expr) == written
    assert convert.render.value(expr) == raw


@pytest.mark.parametrize("raw", [
    "{=Parameter:limit}",  # codegen always writes Template
    "{=Document:TITLE>printable}",  # codegen writes ' > '
    "{=Variable:unknown}",
    "=dateadd({=System:Now},\"1d\")",  # spacing
    "=nosuchfunction(1)",
    "=abs(1, 2)",  # wrong number of arguments
    "={=Variable:note} = 1 = 2",  # chained comparison
    "=strtoupper('x')",  # single quotes
    " =abs(1)",
    "{{=1+2}} and {=Document:NOPE_FIELD_THING.X.Y}",
    "text with \\ backslash, \"quotes\" and {braces}",
])
def test_texts_kept_as_written(raw: str) -> None:
    convert = values()
    expr = convert.value(raw)
    assert convert.render.value(expr) == raw
    # What is written reads back as the same expression.
    written = source(expr)
    diagnostics = Diagnostics()
    again = parse_expression(SourceFile.from_text("t", written), written, 0, diagnostics)
    assert again is not None and not diagnostics.has_errors
    assert shape(again) == shape(expr)


def test_unknown_document_fields_are_declared() -> None:
    convert = values()
    expr = convert.value("{=Document:UF_CRM_17000}")
    assert source(expr) == "doc.UF_CRM_17000"
    assert convert.scope.fields["UF_CRM_17000"].name == "UF_CRM_17000"


@pytest.mark.parametrize(("raw", "written"), [
    (["user_12"], "user(12)"),
    (["group_hrr7", "author"], '[group("hrr7"), role.author]'),
    (["{=Document:ASSIGNED_BY_ID}", "{=Constant:boss}"], "[doc.ASSIGNED_BY_ID, const.boss]"),
    (["u_other"], '"u_other"'),
    (["1"], "group(1)"),  # a bare id: site user group 1
    ([12, "author"], "[group(12), role.author]"),
    ([], "[]"),
])
def test_users(raw: list[str], written: str) -> None:
    convert = values()
    expr = convert.users(raw)
    assert expr is not None and source(expr) == written


def test_users_must_be_a_list() -> None:
    assert values().users("user_12") is None


def test_formula_grammar_levels() -> None:
    convert = values()
    expr = parse_formula("-1 + 2 * 3 ^ 2 % & \"a\" = 5", convert.scope.token,
                         CATALOG.functions)
    assert expr is not None
    assert source(expr) == '-1 + 2 * 3 ^ 2% & "a" == 5'


def test_whole_values_of_every_kind() -> None:
    convert = values()
    for raw in (5, -7, 1.5, 100000.0, True, None, [1, "a"], {"k": "v", "n": [1]}):
        expr = convert.value(raw)
        rendered = convert.render.value(expr)
        assert rendered == raw or (raw is None and rendered == "") or \
            (raw is True and rendered == "Y")
