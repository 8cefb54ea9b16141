"""A `record` behaves as the dataclass it stands for: each shape below is declared twice, once
with `dataclasses.dataclass` and once with `compiler.record.record`, and both must agree on
construction, errors, repr, equality, hash, frozenness, pickling, copying and the dataclasses
functions."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from compiler.record import record


@dataclass(frozen=True, slots=True)
class DNode:
    span: int


@dataclass(frozen=True, slots=True)
class DRef(DNode):
    parts: tuple[str, ...]
    binding: str | None = field(default=None, compare=False, repr=False)
    tags: tuple[str, ...] = field(default_factory=tuple)


@record
class RNode:
    span: int


@record
class RRef(RNode):
    parts: tuple[str, ...]
    binding: str | None = field(default=None, compare=False, repr=False)
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class DMutable:
    name: str
    items: list[int] = field(default_factory=list)
    seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.seen = len(self.items)


@record(frozen=False, slots=False)
class RMutable:
    name: str
    items: list[int] = field(default_factory=list)
    seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.seen = len(self.items)


@dataclass(frozen=True)
class DHashed:
    key: str
    weight: int = field(default=1, hash=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DHashed) and self.key == other.key


@record(slots=False)
class RHashed:
    key: str
    weight: int = field(default=1, hash=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RHashed) and self.key == other.key


def _outcome(make: Any) -> tuple[str, str]:
    """What a call does: ("ok", repr) or ("error", exception type)."""
    try:
        return "ok", repr(make())[1:]
    except Exception as error:
        return "error", type(error).__name__


CALLS = [
    lambda cls: cls(1, ("a",)),
    lambda cls: cls(1, ("a",), "bound"),
    lambda cls: cls(1, ("a",), "bound", ("t",)),
    lambda cls: cls(span=1, parts=("a",), tags=("t",)),
    lambda cls: cls(1, parts=("a",)),
    lambda cls: cls(1),
    lambda cls: cls(1, ("a",), None, (), 5),
    lambda cls: cls(1, ("a",), span=2),
    lambda cls: cls(1, ("a",), nope=2),
]


@pytest.mark.parametrize("call", range(len(CALLS)))
def test_construction_agrees(call: int) -> None:
    assert _outcome(lambda: CALLS[call](RRef)) == _outcome(lambda: CALLS[call](DRef))


def test_repr_equality_and_hash_agree() -> None:
    pairs = [(DRef(1, ("a",), "x"), RRef(1, ("a",), "x")), (DRef(1, ("a",), "y"),
             RRef(1, ("a",), "y")), (DRef(2, ("a",)), RRef(2, ("a",)))]
    for (d1, r1) in pairs:
        assert repr(r1)[1:] == repr(d1)[1:]
        for (d2, r2) in pairs:
            assert (r1 == r2) == (d1 == d2)
            assert (hash(r1) == hash(r2)) == (hash(d1) == hash(d2))
        assert hash(r1) == hash(d1)  # the same tuple of compared fields
    assert RRef(1, ("a",)) != RNode(1) and RNode(1) != RRef(1, ("a",))
    assert RNode(1) == RNode(1) and (RNode(1) == 1) is False
    assert RHashed("k", 1) == RHashed("k", 2) and hash(RHashed("k", 1)) == hash(RHashed("k", 2))
    assert hash(RHashed("k")) == hash(DHashed("k"))


def test_frozen_records_refuse_changes() -> None:
    ref = RRef(1, ("a",))
    for change in (lambda: setattr(ref, "span", 2), lambda: delattr(ref, "parts"),
                   lambda: setattr(ref, "other", 1)):
        with pytest.raises(dataclasses.FrozenInstanceError):
            change()
    assert not hasattr(ref, "__dict__") and RRef.__slots__ == DRef.__slots__


def test_mutable_records_behave_as_dataclasses() -> None:
    for cls in (DMutable, RMutable):
        made = cls("n", [1, 2])
        assert (made.seen, made.items) == (2, [1, 2])
        made.name = "m"
        assert made.name == "m" and cls("n").items == [] and cls("n").items is not cls("n").items
        assert cls.__hash__ is None
    assert repr(RMutable("n", [1]))[1:] == repr(DMutable("n", [1]))[1:]


def test_pickle_and_copy_keep_a_frozen_record() -> None:
    ref = RRef(1, ("a",), "bound", ("t",))
    for twin in (pickle.loads(pickle.dumps(ref)), copy.copy(ref), copy.deepcopy(ref)):
        assert twin == ref and twin.binding == "bound"


def test_the_dataclasses_functions_work() -> None:
    ref = RRef(1, ("a",), "bound")
    assert dataclasses.is_dataclass(ref)
    assert [f.name for f in dataclasses.fields(ref)] == [f.name for f in dataclasses.fields(DRef)]
    assert dataclasses.asdict(ref) == dataclasses.asdict(DRef(1, ("a",), "bound"))
    changed = dataclasses.replace(ref, parts=("b",))
    assert (changed.parts, changed.binding) == (("b",), "bound")
    assert RRef.__match_args__ == DRef.__match_args__
    match ref:
        case RRef(1, parts):
            assert parts == ("a",)
        case _:
            pytest.fail("the record did not match its own pattern")


def test_a_required_field_after_a_defaulted_one_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @record
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]


@dataclass(frozen=True, kw_only=True)
class DKeywords:
    name: str
    size: int = 0
    kind: str


@record(kw_only=True, slots=False)
class RKeywords:
    name: str
    size: int = 0
    kind: str


@pytest.mark.parametrize("call", [lambda cls: cls(name="n", kind="k"),
                                  lambda cls: cls(kind="k", size=2, name="n"),
                                  lambda cls: cls("n", kind="k"),
                                  lambda cls: cls(name="n")])
def test_keyword_only_records_agree(call: Any) -> None:
    assert _outcome(lambda: call(RKeywords)) == _outcome(lambda: call(DKeywords))


# Runs `bpl check --no-cache` on the samples, then lists the classes of compiler modules whose
# methods dataclasses compiled when they were defined (a record's parameters say init=False).
_PROBE = """
import dataclasses, json, sys
from compiler.cli.main import main
try:
    main(["check", "--no-cache", sys.argv[1]], prog_name="bpl")
except SystemExit:
    pass
compiled = sorted(f"{cls.__module__}.{cls.__qualname__}"
                  for name, module in list(sys.modules.items()) if name.startswith("compiler")
                  for cls in vars(module).values()
                  if isinstance(cls, type) and cls.__module__ == name
                  and dataclasses.is_dataclass(cls) and cls.__dataclass_params__.init)
print(json.dumps(compiled))
"""


def test_bpl_check_defines_records_not_dataclasses() -> None:
    """Every dataclass `bpl check` defines is a record: a plain dataclass would add its compiled
    methods to the command's cold start."""
    samples = Path(__file__).resolve().parents[2] / "samples"
    done = subprocess.run([sys.executable, "-c", _PROBE, str(samples)], capture_output=True,
                          text=True, check=True, timeout=120)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_field_may_be_named_self() -> None:
    @record
    class Odd:
        self: int
        other: int = 2

    assert (Odd(1).self, Odd(self=3).other) == (1, 2)
