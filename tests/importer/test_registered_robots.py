"""A robot as bpl registered it (the deploy state's parameters) → its declaration, only when
the declaration registers exactly those parameters again."""

from __future__ import annotations

from compiler.catalog import load_catalog
from compiler.codegen.robots import build_registration
from compiler.deploy.state import Registered
from compiler.diagnostics import Diagnostics
from compiler.format import format_module
from compiler.importer.registered import recover, recovered_robots
from compiler.semantics.environment import Environment
from compiler.semantics.statements import robot_activity_type
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module

SOURCE = """\
robot erp "ERP call" {
    handler "https://erp.example.com/robot"
    auth_user user(3)
    wait_for_result false
    input kind: select {"a": "A", "b": "B"} = "a" required "Kind" "Which kind"
    input count: int = 2 "Count"
    input who: user[] "Who"
    output ref: string "Reference"
}
"""
ENV = Environment("prod", {"app_client_id": "local.1"}, False)
CATALOG = load_catalog()


def registered(source: str = SOURCE) -> Registered:
    module = parse_module(SourceFile.from_text("r.bpl", source), Diagnostics())
    assert module is not None
    decl = module.items[0]
    assert isinstance(decl, ast.RobotDecl)
    reg = build_registration(decl, ENV, CATALOG)
    return Registered(reg.kind, reg.code, reg.content_hash, 1, "now", reg.params)


def test_a_registration_comes_back_as_its_declaration() -> None:
    decl = recover(registered(), ENV, CATALOG)
    assert decl is not None
    assert format_module(ast.Module(decl.span, (decl,))) == SOURCE


FULL = """\
robot erp "ERP call" {
    handler "https://erp.example.com/robot"
    description "Calls the ERP"
    placement "https://erp.example.com/settings"
    translations {de: "ERP-Aufruf", ru: "Вызов ERP"}
    document_type lists.element(42)
    documents [crm.deal, crm.dynamic, lists, document("crm", "CCrmDocumentDeal")]
    exclude [box]
    input kind: select {"a": "A", "b": "B"} = "a" required "Kind" "Which kind"
}
"""


def test_translations_document_types_filters_and_placement_come_back() -> None:
    decl = recover(registered(FULL), ENV, CATALOG)
    assert decl is not None
    assert format_module(ast.Module(decl.span, (decl,))) == FULL


def test_what_is_not_turned_back_is_not_recovered() -> None:
    odd = registered()
    odd.params["PROPERTIES"]["count"]["Default"] = [1, 2]  # no declaration writes this
    assert recover(odd, ENV, CATALOG) is None
    no_english = registered(FULL)
    no_english.params["NAME"] = {"de": "ERP-Aufruf"}  # codegen always names the English one
    assert recover(no_english, ENV, CATALOG) is None
    odd_rule = registered(FULL)
    odd_rule.params["FILTER"]["INCLUDE"].append(["crm", 7])
    assert recover(odd_rule, ENV, CATALOG) is None


def test_only_the_environments_app_and_unambiguous_codes() -> None:
    one = registered()
    other = Registered(one.kind, one.code, "another hash", 2, "now",
                       {**one.params, "NAME": "Other"})
    found = recovered_robots([one], ENV, CATALOG, known=())
    assert list(found) == [robot_activity_type("local.1", "erp")]
    assert recovered_robots([one, other], ENV, CATALOG, known=()) == {}
    assert recovered_robots([one], ENV, CATALOG, known=found) == {}
    assert recovered_robots([one], Environment(), CATALOG, known=()) == {}
