"""Who a user value names, as CBPHelper::extractUsers reads it
(modules/bizproc/classes/general/helper.php): `user_N` is a user, every other item a role or
group of the document, and a text is one item (the designer's printed "Author;" is no role)."""

from __future__ import annotations

from compiler.bitrix import Template
from compiler.simulator import Directory, Runtime
from tests.simulator.trees import approve, package

PEOPLE = Directory({1: "Starter", 12: "Olga", 13: "Boris", 14: "Vera"},
                   {"group_hr": [13, 14], "group_1": [14]})
ROLES = {"author": [1], "responsible_head": []}


def test_tokens_roles_and_groups_each_once() -> None:
    assert PEOPLE.extract(["user_12", "author", "group_hr", "user_12", "Author"], ROLES) == \
        [12, 1, 13, 14]


def test_a_bare_number_is_a_site_group_not_a_user() -> None:
    # GetUsersFromUserGroup reads a number as the site user group of that id.
    assert PEOPLE.extract("1", ROLES) == [14]
    assert PEOPLE.extract(12, ROLES) == []


def test_printed_users_are_one_item_that_names_no_one() -> None:
    assert PEOPLE.extract("Author;", ROLES) == []
    assert PEOPLE.extract("Olga [12]", ROLES) == []
    assert PEOPLE.extract("user_12, user_13", ROLES) == [12]  # intval stops at the comma


def _approval(default: object) -> Template:
    pkg = package(approve(["{=Template:editors}"]),
                  parameters={"editors": {"Name": "Editors", "Type": "user", "Required": "1",
                                          "Multiple": "1", "Default": default}})
    return Template.from_package(pkg)


def test_a_parameter_the_start_leaves_out_holds_its_default_as_stored() -> None:
    run = Runtime(_approval("Author;"), directory=PEOPLE, user=12).start()
    assert run.parameters["editors"] == "Author;"
    assert run.tasks == [] and run.status == "error"
    assert run.error is not None and "has nobody to ask" in run.error


def test_a_parameter_the_start_gives_is_converted_to_users() -> None:
    run = Runtime(_approval("Author;"), directory=PEOPLE, user=12,
                  parameters={"editors": ["user_13"]}).start()
    assert [task.users for task in run.tasks] == [[13]]
