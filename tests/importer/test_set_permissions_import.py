"""SetPermissionsActivity comes back as `permissions {…}` only when the statement compiles to
what the node holds; what it cannot say (the deprecated Rewrite 'N' without SetMode, a scope
Bitrix does not know) stays in the generic form."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.importer import TemplateSource
from tests.importer.support import differences, imported

LIST = ("lists", "BizprocDocument", "iblock_42")


def package(properties: dict[str, Any]) -> dict[str, Any]:
    node = {"Type": "SetPermissionsActivity", "Name": "A1", "Activated": "Y",
            "Properties": {"Title": "Set Permission", **properties}, "Children": []}
    root = {"Type": "SequentialWorkflowActivity", "Name": "Template", "Activated": "Y",
            "Properties": {"Title": "w"}, "Children": [node]}
    return {"VERSION": 2, "TEMPLATE": [root], "PARAMETERS": [], "VARIABLES": [],
            "CONSTANTS": [], "DOCUMENT_FIELDS": []}


@pytest.mark.parametrize(("properties", "statement"), [
    # Bitrix's own older templates: Permission only (task ids of extended rights as keys).
    ({"Permission": {17: ["author", "user_1"], 19: ["user_1"]}},
     'permissions {"17": [role.author, user(1)], "19": user(1)}'),
    # As the designer's dialog writes it: Rewrite '' and a SetMode.
    ({"Permission": {"read": ["author"], "write": []}, "Rewrite": "", "SetMode": "1",
      "SetScope": "2"},
     "permissions {read: role.author, write: []} {\n        mode hold\n        scope document"),
    ({"Permission": {"read": ["author"]}, "Rewrite": "Y", "SetScope": 1},
     "permissions {read: role.author}\n"),
])
def test_what_the_statement_says_comes_back_as_it(properties: dict[str, Any],
                                                  statement: str) -> None:
    source = TemplateSource(package(properties), "w", document_type=LIST)
    result = imported(source)
    assert statement in result.text, result.text
    assert "activity SetPermissionsActivity" not in result.text
    assert differences(source.row(), result.text, header=False) == []


@pytest.mark.parametrize("properties", [
    {"Permission": {"read": ["author"]}, "Rewrite": "N"},  # hold, by the deprecated flag
    {"Permission": {"read": ["author"]}, "SetMode": 3, "SetScope": ""},
    {"Permission": {"read": ["author"]}, "SetMode": 4, "Rewrite": ""},
])
def test_what_it_cannot_say_stays_generic(properties: dict[str, Any]) -> None:
    source = TemplateSource(package(properties), "w", document_type=LIST)
    result = imported(source)
    assert "activity SetPermissionsActivity" in result.text, result.text
    assert differences(source.row(), result.text, header=False) == []
