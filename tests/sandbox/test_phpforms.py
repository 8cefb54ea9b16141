"""compiler.php.forms: form names read as PHP's parse_str reads them, PHP's limits refused with a
sentence, in time linear in the input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from php import Php

from compiler.php.forms import (
    FormError,
    parse_pairs,
    parse_query,
    php_key,
    split_name,
)

# What PHP 8.2's parse_str gives for each query (php-cli, json_encode of the result), written
# the way these readers give it: lists for arrays keyed 0..n-1, other keys as strings.
PHP_READS: dict[str, dict[str, Any]] = {
    "a[b=1": {"a_b": "1"},
    "a.b=1": {"a_b": "1"},
    " a=1": {"a": "1"},
    "a[b][c=1": {"a": {"b": "1"}},
    "a[b]c[d]=1": {"a": {"b": "1"}},
    "a[ b ]=1": {"a": {" b ": "1"}},
    "a[+]=1&a[%09]=2&a[++]=3": {"a": {"0": "1", "1": "2", "  ": "3"}},
    "[x]=1": {},
    "a]=1": {"a]": "1"},
    "a[]]=1": {"a": ["1"]},
    "a[[b]]=1": {"a": {"[b": "1"}},
    "a%00b=1": {"a": "1"},
    "n[-3]=a&n[]=b": {"n": {"-3": "a", "-2": "b"}},
    "n[9223372036854775807]=a&n[]=b": {"n": {"9223372036854775807": "a"}},
    "n[9223372036854775808]=a": {"n": {"9223372036854775808": "a"}},
    "n[03]=a&n[-0]=b": {"n": {"03": "a", "-0": "b"}},
    "n[1]=a&n[0]=b": {"n": {"1": "a", "0": "b"}},
    "a[]=1&a[x]=2&a[]=3": {"a": {"0": "1", "x": "2", "1": "3"}},
    "a=1&a[b]=2": {"a": {"b": "2"}},
    "a[b]=2&a=1": {"a": "1"},
    "a.[b]=1": {"a_": {"b": "1"}},
    "a&&b=&=c&&": {"a": "", "b": ""},
    "F%5BX%5D%5B%5D=1&F[X][]=2": {"F": {"X": ["1", "2"]}},
}


@pytest.mark.parametrize("query", PHP_READS)
def test_names_are_read_as_php_reads_them(query: str) -> None:
    assert parse_query(query) == PHP_READS[query]


def test_integer_keys_are_decimal_and_64_bit() -> None:
    assert [php_key(k) for k in ("0", "-3", "03", "-0", "1.0", " 1")] == [
        0, -3, "03", "-0", "1.0", " 1"]
    assert php_key("9223372036854775807") == 2**63 - 1
    assert php_key("-9223372036854775808") == -(2**63)
    assert php_key("9223372036854775808") == "9223372036854775808"


def test_64_brackets_are_read_and_65_refused() -> None:
    # PHP's max_input_nesting_level: 64 brackets are kept, a 65th drops the variable (php-cli).
    value = parse_query("a" + "[x]" * 64 + "=1&b=2")
    for _ in range(65):
        value = value["a"] if "a" in value else value["x"]
    assert value == "1"
    for name in ("a" + "[x]" * 65, "a" + "[]" * 65, "a" + "[x]" * 64 + "[y"):
        with pytest.raises(FormError, match="parameter a nests deeper than 64 levels"):
            parse_query(f"{name}=1")
    # A bracket that never closes is no level at all.
    assert split_name("a" + "[" * 9999) == ("a_" + "_" * 9998, [])


def test_a_thousand_brackets_are_a_sentence_not_a_recursion_error() -> None:
    with pytest.raises(FormError, match="max_input_nesting_level"):
        parse_query("FILTER" + "[a]" * 1000 + "=1")


def test_more_pairs_than_the_limit_are_refused_before_decoding() -> None:
    assert len(parse_query("&".join(["F[]=x"] * 1000))["F"]) == 1000
    assert parse_query("&" * 5000 + "a=1") == {"a": "1"}  # empty pairs count for nothing
    with pytest.raises(FormError, match=r"more than 1000 parameters: PHP \(max_input_vars\)"):
        parse_query("&".join(["F[]=x"] * 1001))
    assert len(parse_query("&".join(["F[]=x"] * 16_000), max_vars=16_000)["F"]) == 16_000
    with pytest.raises(FormError, match="more than 3 parameters"):
        parse_pairs([("a", "1")] * 4, max_vars=3)


def test_many_appends_keep_their_order() -> None:
    # `[]` takes the next free index in O(1); the result is the same as one key after another.
    pairs = [("F[]", str(i)) for i in range(10_000)] + [("F[20000]", "x"), ("F[]", "y")]
    read = parse_pairs(pairs, max_vars=20_000)["F"]
    assert list(read.values())[:3] == ["0", "1", "2"] and read["20001"] == "y"


_NAMES = st.lists(st.sampled_from(["a", "b", "0", "1", "-1", "[", "]", "[]", ".", " ", "x[",
                                   "%5B", "%5D", "+", "%09", "00"]), max_size=8).map("".join)
_QUERIES = st.lists(st.tuples(_NAMES, st.sampled_from(["", "v", "1", "%20"])), max_size=6).map(
    lambda pairs: "&".join(f"{name}={value}" for name, value in pairs))


@pytest.mark.php
@given(queries=st.lists(_QUERIES, min_size=1, max_size=40))
@settings(max_examples=15, deadline=None, database=None)
def test_agrees_with_php_parse_str(php: Php, queries: list[str]) -> None:
    script = ("foreach (json_decode(stream_get_contents(STDIN)) as $q) {"
              " parse_str($q, $o); echo json_encode($o), \"\\n\"; }")
    answers = php.run(script, json.dumps(queries).encode()).decode().splitlines()
    for query, answer in zip(queries, answers, strict=True):
        theirs = json.loads(answer)
        if isinstance(theirs, list):  # PHP prints a top level keyed 0..n-1 as a list
            theirs = {str(index): item for index, item in enumerate(theirs)}
        assert parse_query(query) == theirs, query
