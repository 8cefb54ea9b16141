"""PHP-style query strings for batch commands, checked against a parse_str reading."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.portal import PortalClient, PortalError
from compiler.portal.encoding import FormError, encode_command, php_query

from .fake_portal import FakePortal, parse_php_query


def test_examples() -> None:
    assert php_query({"ID": 5}) == "ID=5"
    assert php_query({"DOCUMENT_ID": ["crm", "X", "D_1"]}) == (
        "DOCUMENT_ID[0]=crm&DOCUMENT_ID[1]=X&DOCUMENT_ID[2]=D_1"
    )
    assert php_query({"FILTER": {">ID": 3, "NAME": "a b"}}) == "FILTER[%3EID]=3&FILTER[NAME]=a%20b"
    assert php_query({"Y": True, "N": False, "NONE": None, "EMPTY": []}) == "Y=1&N=0"
    assert encode_command("profile", {}) == "profile"
    assert encode_command("x.get", {"ID": 1}) == "x.get?ID=1"


def php_view(value: Any) -> Any:
    """What PHP reads back: scalars as strings, nulls and empty arrays gone."""
    if isinstance(value, dict):
        out = {k: php_view(v) for k, v in value.items() if v is not None and v != [] and v != {}}
        return {k: v for k, v in out.items() if v != {} and v != []}
    if isinstance(value, list):
        return php_view({str(i): v for i, v in enumerate(value)})
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def relist(value: Any) -> Any:
    if isinstance(value, dict):
        value = {k: relist(v) for k, v in value.items()}
        if (
            value
            and all(k.isdigit() for k in value)
            and sorted(map(int, value)) == list(range(len(value)))
        ):
            return [value[str(i)] for i in range(len(value))]
    return value


# Names as Bitrix uses them, filter prefixes included. (PHP rewrites dots and spaces in top-level
# names to underscores, a quirk no Bitrix parameter name runs into.)
keys = st.from_regex(r"[<>!=]?[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
scalars = st.one_of(
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=10,
)


@given(st.dictionaries(keys, values, max_size=4))
def test_parse_str_reads_back_what_was_encoded(params: dict[str, Any]) -> None:
    assert parse_php_query(php_query(params)) == relist(php_view(params))


def test_commands_the_portal_would_read_only_in_part_are_refused() -> None:
    deep: Any = "x"
    for _ in range(64):
        deep = {"a": deep}
    assert php_query({"F": deep}).count("[a]") == 64
    with pytest.raises(FormError, match="parameter F nests deeper than 64 levels: PHP"):
        php_query({"F": {"a": deep}})
    very_deep: Any = "x"
    for _ in range(5_000):  # was a RecursionError
        very_deep = [very_deep]
    with pytest.raises(FormError, match="nests deeper"):
        encode_command("x.list", {"FILTER": very_deep})
    assert php_query({"ID": list(range(10_000))}).count("&") == 9_999
    with pytest.raises(FormError, match=r"more than 10000 parameters: PHP \(max_input_vars\)"):
        php_query({"ID": list(range(10_001))})


def test_the_client_names_the_command_it_cannot_send(oauth_client: PortalClient,
                                                     portal: FakePortal) -> None:
    deep: Any = "x"
    for _ in range(70):
        deep = [deep]
    with pytest.raises(PortalError, match=r"batch command x\.list: parameter FILTER nests deeper"):
        oauth_client.batch({"ok": ("profile", None), "bad": ("x.list", {"FILTER": deep})})
    assert portal.calls("batch") == []
