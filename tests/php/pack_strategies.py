"""Hypothesis strategies for PHP values, and the oracle for what a round trip gives back."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from compiler.php.serialize import PhpValue

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

int64 = st.integers(INT64_MIN, INT64_MAX)
# Strings PHP may or may not turn into integer keys, next to arbitrary text.
tricky_keys = st.sampled_from(
    ["0", "5", "-3", "05", "-0", "+5", " 5", "5 ", "5.0", "1e3", "", "-",
     "9223372036854775807", "9223372036854775808", "-9223372036854775808",
     "-9223372036854775809", "٥"]
)  # fmt: skip
keys = st.one_of(int64, st.text(max_size=12), tricky_keys)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    int64,
    st.floats(),  # includes nan, ±inf, -0.0 and subnormals
    st.text(),
    st.binary(max_size=40),
)


def php_key(key: str | int) -> str | int:
    """PHP's rule for string keys, written independently of the code under test."""
    if isinstance(key, int):
        return key
    try:
        number = int(key)
    except ValueError:
        return key
    # str(int(key)) == key rules out "05", "-0", "+5", " 5", "٥" and the like.
    return number if str(number) == key and INT64_MIN <= number <= INT64_MAX else key


def _distinct_php_keys(mapping: dict[str | int, PhpValue]) -> bool:
    return len({php_key(key) for key in mapping}) == len(mapping)


php_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(keys, children, max_size=6).filter(_distinct_php_keys),
    ),
    max_leaves=30,
)


def normalised(value: PhpValue) -> PhpValue:
    """What `unserialize(serialize(value))` must return."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, dict):
        items = [(php_key(key), normalised(item)) for key, item in value.items()]
        if [key for key, _ in items] == list(range(len(items))):
            return [item for _, item in items]
        return dict(items)
    return value


def assert_same(actual: object, expected: object, path: str = "value") -> None:
    """Equality that also checks types, key order, NaN and the sign of zero."""
    assert type(actual) is type(expected), f"{path}: {actual!r} is not {expected!r}"
    if isinstance(expected, float):
        assert isinstance(actual, float)
        if math.isnan(expected):
            assert math.isnan(actual), f"{path}: {actual!r} is not nan"
        else:
            assert actual == expected, f"{path}: {actual!r} != {expected!r}"
            assert math.copysign(1, actual) == math.copysign(1, expected), f"{path}: zero sign"
    elif isinstance(expected, list):
        assert isinstance(actual, list)
        assert len(actual) == len(expected), f"{path}: length {len(actual)} != {len(expected)}"
        for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_same(got, want, f"{path}[{index}]")
    elif isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}[{key!r}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
