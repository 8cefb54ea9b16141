"""Bitrix's import validation, case for case: bpl's rules give the portal's verdict.

The data file (data/import_parity.json.gz) holds about 15,000 mutants and, for each, the
verdict Bitrix's own code gives. The verdicts were derived outside this repository by running
Bitrix's validation code in php-cli: the template loader's walk and `validateTemplate`
(bizproc/classes/general/workflowtemplateloader.php, 2025 snapshot) over each activity's
static ValidateProperties / ValidateChild and CBPHelper, with the kernel stubbed (user, options,
database lookups that find nothing). Only the verdicts are committed, never Bitrix's code.
The activity classes come from the sources the catalog names: the 2025 bizproc/im/lists/
socialnetwork/calendar snapshot, the 2018 crm/disk/voximplant/imopenlines snapshot, and
bitrix24-core-corp for the modern crm, tasks and rpa classes (their ValidateProperties read and
run as written). A message is compared only when its English text comes from a lang file of
the same snapshot as the class: not for the bitrix24-core-corp classes (their lang files were
not read) nor for classes the catalog cites from there that ran from the 2018 snapshot.

The mutants: every property of every catalogued activity whose class was read (113 of 129),
set to PHP's awkward values (empty, 0, "0", spaces, [], [""], nested arrays, wrong options,
missing, null, booleans…); the same activities imported by a non-admin; conditional
requirements; condition keys; malformed trees; app activities (rest_…) registered and not; and
every property of every activity of the compiled samples. A verdict is "ok", "refused:
properties" / "refused: validation" (the portal's error text), or "fatal" (PHP threw a
TypeError, which neither the loader nor the REST server catches). `collections` holds what
Bitrix's ORM makes of PARAMETERS / VARIABLES / CONSTANTS that are not arrays (ArrayField::cast,
run the same way).
"""

from __future__ import annotations

import copy
import gzip
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compiler.catalog import load_catalog
from compiler.catalog.rules import (
    Importer,
    child_violations,
    import_outcome,
    property_violations,
)
from compiler.php.values import array_cast
from compiler.sandbox.importer import collection_value

DATA = Path(__file__).parent / "data" / "import_parity.json.gz"
MISSING = {"$missing": True}
CLASSES = ("base", "value", "conditional", "admin", "condition", "structure", "rest", "sample")


@cache
def data() -> dict[str, Any]:
    with gzip.open(DATA, "rt", encoding="utf-8") as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


def template_of(row: dict[str, Any]) -> Any:
    tree = copy.deepcopy(data()["templates"][row["template"]])
    if "at" in row:
        path = row["at"]
        node = tree[path[0]]
        for index in path[1:]:
            node = node["Children"][index]
        for key, value_index in row["set"]:
            value = data()["values"][value_index]
            if value == MISSING:
                node["Properties"].pop(key, None)
            else:
                node["Properties"][key] = copy.deepcopy(value)
    return tree


def verdict_of(row: dict[str, Any]) -> tuple[str, str | None]:
    """bpl's verdict, in the data file's terms, and bpl's message."""
    registrations = row.get("rest") or {}

    def registered(code: str) -> dict[str, Any] | None:
        entry = registrations.get(code)
        return None if entry is None else dict(entry.get("PROPERTIES") or {})

    importer = Importer(admin="user" not in row, user_id=row.get("user", 1))
    # Bpt::unpack hands TEMPLATE to the ORM, whose ArrayField casts it with (array).
    tree = array_cast(template_of(row))
    outcome = import_outcome(load_catalog(), tree, registered, importer)
    if outcome is None:
        return "ok", None
    if outcome.stage == "fatal":
        return "fatal", None
    return f"refused:{outcome.stage}", outcome.message


def disagreements(cls: str) -> list[str]:
    found = []
    for row in data()["cases"]:
        if row["class"] != cls:
            continue
        mine, message = verdict_of(row)
        if mine != row["verdict"]:
            found.append(f"{row['id']}: Bitrix {row['verdict']} "
                         f"{row.get('message', '')!r}, bpl {mine} {message!r}")
        elif "message" in row and message != row["message"]:
            found.append(f"{row['id']}: Bitrix says {row['message']!r}, bpl {message!r}")
    return found


def test_the_suite_is_what_its_docstring_says() -> None:
    counts = Counter(row["class"] for row in data()["cases"])
    assert set(counts) == set(CLASSES)
    assert sum(counts.values()) > 14000
    activities = {row["id"].split("/")[1] for row in data()["cases"] if row["class"] == "base"}
    assert len(activities) == 113
    verdicts = Counter(row["verdict"].split(":")[0] for row in data()["cases"])
    assert verdicts["ok"] and verdicts["refused"] and verdicts["fatal"]


@pytest.mark.parametrize("cls", CLASSES)
def test_bpl_gives_bitrix_verdict(cls: str) -> None:
    problems = disagreements(cls)
    assert not problems, f"{len(problems)} disagreements, e.g.:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("cls", ["value", "admin", "sample", "structure"])
def test_check_reports_exactly_what_the_portal_refuses(cls: str) -> None:
    """`bpl check` (all violations, for diagnostics) flags a template exactly when the portal's
    first-error answer refuses it."""
    catalog = load_catalog()
    wrong = []
    for row in data()["cases"]:
        if row["class"] != cls:
            continue
        tree = array_cast(template_of(row))
        importer = Importer(admin="user" not in row, user_id=row.get("user", 1))
        flagged = bool(property_violations(catalog, tree, None, importer)
                       or child_violations(catalog, tree))
        if flagged != (row["verdict"] != "ok"):
            wrong.append(row["id"])
    assert not wrong, wrong[:20]


def test_issue_classes_are_covered() -> None:
    """Each class of Bitrix behaviour the suite was built for has cases, with Bitrix's verdict."""
    rows = {row["id"]: row for row in data()["cases"]}
    values = data()["values"]

    def value_of(row: dict[str, Any]) -> Any:
        return values[row["set"][0][1]] if row.get("set") else None

    def verdicts(prefix: str) -> dict[str, str]:
        return {json.dumps(value_of(r)): r["verdict"] for i, r in rows.items()
                if i.startswith(prefix + "/") and i.split("/")[-1].isdigit()}

    # 1. empty(): 0 and "0" are empty.
    assert verdicts("act/DelayActivity/TimeoutDuration")["0"].startswith("refused")
    assert verdicts("act/WaitWorkDayActivity/TargetUser")['"0"'].startswith("refused")
    # 2. option ranges, compared with in_array.
    assert verdicts("act/ApproveActivity/ApproveType")['"ANY"'].startswith("refused")
    assert verdicts("act/ApproveActivity/ApproveType")["true"] == "ok"
    # 3. non-empty arrays.
    assert verdicts("act/SetFieldActivity/FieldValue")['"0"'].startswith("refused")
    assert verdicts("act/SetFieldActivity/FieldValue")['{"A": ""}'] == "ok"
    # 5. isEmptyValue counts entries, `== ''` is PHP 8's.
    assert verdicts("act/ApproveActivity/Users")['[""]'].startswith("refused")
    assert verdicts("act/LogActivity/Text")["[]"] == "ok"
    assert verdicts("act/ForEachActivity/Variable")['""'] == "ok"
    # count() of a string is a TypeError.
    assert verdicts("act/CalendarActivity/CalendarUser")['"x"'] == "fatal"
    # 6. the importing user.
    assert rows["act/CodeActivity/base/user"]["verdict"].startswith("refused")
    assert rows["act/IMNotifyActivity/MessageUserFrom/user0"]["verdict"] == "ok"  # own id
    assert rows["act/IMNotifyActivity/MessageUserFrom/user1"]["verdict"].startswith("refused")


def test_collections_that_are_not_arrays_are_cast_like_bitrix_orm() -> None:
    """4. PARAMETERS / VARIABLES / CONSTANTS: Bitrix casts them with (array) and imports."""
    for given, stored in data()["collections"]:
        assert collection_value(given) == stored, given
