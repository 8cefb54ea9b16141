"""Focused lowering checks, each reasoned from Bitrix's behaviour in bitrix-format.md.

The golden fixtures pin whole templates; these pin the individual rules behind them so a
failure names the rule that broke.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compile_support import body, compile_text, only_template, walk


def _assigned(tmp_path: Path, expression: str, var_type: str = "double") -> object:
    package = only_template(compile_text(
        tmp_path, f"workflow w for crm.deal {{\n    var x: {var_type}\n"
                  f"    var.x = {expression}\n}}\n"))
    return body(package)[0]["Properties"]["VariableValue"]["x"]


def test_power_keeps_its_right_grouping_in_bitrix_formulas(tmp_path: Path) -> None:
    # .bpl reads 2 ^ 3 ^ 2 as 2 ^ (3 ^ 2) = 512; Bitrix's calc parser pops operators of equal
    # priority first (left to right), so without parentheses it would compute (2 ^ 3) ^ 2 = 64.
    assert _assigned(tmp_path, "2 ^ 3 ^ 2") == "=2 ^ (3 ^ 2)"


def test_left_grouping_needs_no_parentheses(tmp_path: Path) -> None:
    assert _assigned(tmp_path, "(2 ^ 3) ^ 2") == "=2 ^ 3 ^ 2"
    assert _assigned(tmp_path, "10 - 3 - 2") == "=10 - 3 - 2"
    assert _assigned(tmp_path, "10 - (3 - 2)") == "=10 - (3 - 2)"
    assert _assigned(tmp_path, "8 / (4 / 2)") == "=8 / (4 / 2)"


def test_escaped_quotes_inside_a_verbatim_bitrix_formula_are_plain_quotes(tmp_path: Path) -> None:
    # The calc parser reads strings between quotes with no escapes, so `\"1d\"` written in a
    # .bpl string must reach Bitrix as "1d"; a backslash left in would make the formula
    # unparseable and Bitrix would print it as text.
    value = _assigned(tmp_path, r'"due {{=dateadd({=System:Now}, \"1d\")}}"', "string")
    assert value == 'due {{=dateadd({=System:Now}, "1d")}}'


def test_verbatim_bitrix_token_is_kept_as_written(tmp_path: Path) -> None:
    assert _assigned(tmp_path, '"{=Document:TITLE > printable}!"', "string") == \
        "{=Document:TITLE > printable}!"


def test_robot_auth_user_from_the_environment_is_inlined(tmp_path: Path) -> None:
    # AuthUserId must be a user token (`user_<id>`); an env symbol there names a different
    # user per portal and is inlined like env symbols everywhere else.
    text = ('// define: app_client_id=local.app\n// define: erp_user=user_3\n'
            'robot erp "ERP" {\n    handler "https://erp.example.com/robot"\n'
            '    auth_user env.erp_user\n}\n'
            'workflow w for crm.deal {\n    erp()\n}\n')
    node = body(only_template(compile_text(tmp_path, text)))[0]
    assert node["Properties"]["AuthUserId"] == "user_3"


def test_robot_auth_user_without_a_value_is_reported(tmp_path: Path) -> None:
    text = ('// define: app_client_id=local.app\n'
            'robot erp "ERP" {\n    handler "https://erp.example.com/robot"\n'
            '    auth_user env.erp_user\n}\n'
            'workflow w for crm.deal {\n    erp()\n}\n')
    result = compile_text(tmp_path, text)
    assert [(d.code, d.span.line, d.span.column) for d in result.diagnostics] == \
        [("E600", 4, 15)]


def test_generic_activity_keeps_php_booleans_for_bool_properties(tmp_path: Path) -> None:
    # LogActivity's SetVariable is read as a PHP truth value (catalog type `bool`); the string
    # 'N' would be true there, so false must stay false. A `yn` property such as
    # SetFieldActivity's MergeMultipleFields takes the strings 'Y'/'N'.
    package = only_template(compile_text(
        tmp_path, 'workflow w for crm.deal {\n'
                  '    activity LogActivity { Text: "t", SetVariable: false }\n'
                  '    activity SetFieldActivity { FieldValue: { TITLE: "x" }, '
                  'MergeMultipleFields: true }\n}\n'))
    log, set_field = body(package)
    assert log["Properties"]["SetVariable"] is False
    assert set_field["Properties"]["MergeMultipleFields"] == "Y"


def test_names_inside_a_loop_do_not_depend_on_object_identity(tmp_path: Path) -> None:
    # Both builds stay alive, so their AST nodes live at different addresses: a name derived
    # from a loop statement's id() would differ between them (and between two CLI runs).
    text = ('workflow w for crm.deal {\n    var items: string[]\n'
            '    for each item in var.items {\n        log "item {item}"\n    }\n}\n')
    first = compile_text(tmp_path, text)
    second = compile_text(tmp_path, text)
    assert first.templates[0].template.to_package() == second.templates[0].template.to_package()
    assert first.templates[0].bpt() == second.templates[0].bpt()


def _names(package: dict[str, Any]) -> set[tuple[str, str]]:
    return {(n["Name"], n["Type"]) for n in walk(package["TEMPLATE"][0])}


# Ifs and loops used to share one naming key per kind and differ only by their position
# among their kind, so a new one renamed every later one and all its children: a plan showed
# a rebuilt tree. (existing statement, inserted before it, activities the insertion adds)
INSERTIONS = {
    "if": ('if var.n > 1 { log "one" } else { log "other" }', 'if var.n > 5 { log "five" }',
           4),  # IfElse, its branch, the automatic else, the log
    "while": ("while var.n > 1 { var.n = var.n - 1 }", 'while var.n < 0 { log "never" }',
              3),  # While, its body sequence, the log
}


@pytest.mark.parametrize(("existing", "inserted", "added"), INSERTIONS.values(),
                         ids=INSERTIONS.keys())
def test_inserting_a_container_keeps_the_names_of_those_after_it(
        tmp_path: Path, existing: str, inserted: str, added: int) -> None:
    def program(*statements: str) -> str:
        return ("workflow w for crm.deal {\n    var n: int = 3\n" +
                "".join(f"    {s}\n" for s in statements) + "}\n")

    before = _names(only_template(compile_text(tmp_path, program(existing))))
    after = _names(only_template(compile_text(tmp_path, program(inserted, existing))))
    assert before <= after
    assert len(after - before) == added


def test_ask_field_descriptors_are_written_as_the_designer_writes_them(tmp_path: Path) -> None:
    # RequestInformationActivity's dialog saves Required/Multiple as PHP booleans and its
    # task form marks a field required by truthiness, so 'N' would show as required; an
    # internalselect field carries the document field whose options it offers.
    package = only_template(compile_text(
        tmp_path, 'workflow w for crm.deal {\n    var note: text\n'
                  '    var stage: internalselect("STAGE_ID")\n    var tags: string[]\n'
                  '    ask "Q" by user(1) {\n        field var.note "Note" required\n'
                  '        field var.stage "Stage"\n        field var.tags "Tags"\n    }\n}\n'))
    note, stage, tags = body(package)[0]["Properties"]["RequestedInformation"]
    assert (note["Required"], note["Multiple"]) == (True, False)
    assert (stage["Required"], stage["Multiple"], stage["Options"]) == (False, False, "STAGE_ID")
    assert (tags["Required"], tags["Multiple"]) == (False, True)


def test_env_users_given_as_bare_ids_become_user_tokens(tmp_path: Path) -> None:
    # bitrix-format.md §3.3: users are user_<id> tokens. An environment may give the id as
    # an integer (TOML, --define) or as digits in a string; both are users, not numbers.
    from compiler.semantics.environment import Environment

    text = ('workflow w for crm.deal {\n    const boss: user = env.boss\n'
            '    const team: user[] = [env.deputy, env.group]\n'
            '    notify [env.boss, env.deputy] "hi"\n    log "{const.boss} {const.team}"\n}\n')
    env = Environment("t", {"boss": 12, "deputy": "34", "group": "group_hr1"}, symbolic=False)
    package = only_template(compile_text(tmp_path, text, env=env))
    assert package["CONSTANTS"]["boss"]["Default"] == "user_12"
    assert package["CONSTANTS"]["team"]["Default"] == ["user_34", "group_hr1"]
    assert body(package)[0]["Properties"]["MessageUserTo"] == ["user_12", "user_34"]
