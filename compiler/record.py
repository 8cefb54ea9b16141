"""Records: dataclasses whose methods are not compiled when the class is defined.

`dataclasses.dataclass` writes a class's __init__, __repr__, __eq__, __hash__ and, when frozen,
__setattr__ and __delattr__ as source text and compiles it: half a millisecond per class, and
`bpl check` defines well over a hundred classes (the syntax tree alone has seventy) before it
reads a file. `record` lets dataclasses collect the fields — so `fields()`, `replace()`,
`asdict()`, `__match_args__` and `__slots__` are the standard ones — but asks it for no methods.
The class gets generic __repr__, __eq__, __hash__ and frozen __setattr__/__delattr__ that walk
the field list (they behave as the generated ones: same equality, hash, repr, errors, pickling),
and an __init__ compiled when the first instance is made, since instances are made by the
thousand and a check instantiates only part of the classes it defines.

Type checkers see a dataclass (`dataclass_transform`): `record` is frozen unless told otherwise.
Modules that `bpl check` imports use it (their import is the command's cold start); elsewhere a
plain dataclass is as good.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")
_Fields = tuple[dataclasses.Field[Any], ...]


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(
    *, frozen: bool = True, eq: bool = True, slots: bool = True, kw_only: bool = False
) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(
    cls: type[_T] | None = None, /, *, frozen: bool = True, eq: bool = True, slots: bool = True,
    kw_only: bool = False,
) -> Any:
    """`@record` or `@record(frozen=False, eq=False, slots=False, kw_only=True)`: a dataclass
    (frozen and slotted by default) whose methods are generic rather than compiled."""

    def make(target: type[_T]) -> type[_T]:
        return _build(target, frozen=frozen, eq=eq, slots=slots, kw_only=kw_only)

    return make if cls is None else make(cls)


def _build(cls: type[_T], *, frozen: bool, eq: bool, slots: bool, kw_only: bool) -> type[_T]:
    own = dict(cls.__dict__)
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"a frozen record cannot define __setattr__ or __delattr__: {cls.__name__}")
    undocumented = own.get("__doc__") is None
    if undocumented:
        # dataclasses would document the class with its signature (inspect: slow); set it below.
        cls.__doc__ = cls.__name__
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots,
                                kw_only=kw_only)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if undocumented:
        cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in fields)})"
    _add(cls, "__init__", _init(cls, fields, frozen))
    if "__repr__" not in own:
        _add(cls, "__repr__", _repr(fields))
    if eq and "__eq__" not in own:
        _add(cls, "__eq__", _eq(fields))
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    if eq and not explicit_hash:
        # As dataclasses: a frozen record hashes its compared fields, a mutable one is unhashable.
        _add(cls, "__hash__", _hash(fields) if frozen else None)
    if frozen:
        _add(cls, "__setattr__", _frozen_setattr(cls, fields))
        _add(cls, "__delattr__", _frozen_delattr(cls, fields))
        if slots:
            # The default pickling of a slotted object restores it through __setattr__.
            setattr(cls, "__getstate__", _getstate)  # noqa: B010 (a method of object's)
            setattr(cls, "__setstate__", _setstate)  # noqa: B010
    return cls


def _add(cls: type, name: str, value: Any) -> None:
    if callable(value):
        value.__qualname__ = f"{cls.__qualname__}.{name}"
        value.__name__ = name
    setattr(cls, name, value)


def _init(cls: type, fields: _Fields, frozen: bool) -> Callable[..., None]:
    """An __init__ that, on the first instance, compiles the class's own __init__ (the one
    dataclasses would write) and puts it in its place: a check instantiates about half of the
    classes it defines, and those at the speed of a dataclass."""
    positional = [f for f in fields if f.init and not f.kw_only]
    for earlier, later in itertools.pairwise(positional):
        if _has_default(earlier) and not _has_default(later):
            raise TypeError(f"non-default argument {later.name!r} follows default argument")

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        compiled = _compiled_init(cls, fields, frozen)
        _add(cls, "__init__", compiled)
        compiled(self, *args, **kwargs)

    return __init__


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (field.default is not dataclasses.MISSING
            or field.default_factory is not dataclasses.MISSING)


def _compiled_init(cls: type, fields: _Fields, frozen: bool) -> Callable[..., None]:
    # The instance, helpers and defaults go by names no field has (dunder-wrapped).
    scope: dict[str, Any] = {"__record_set__": object.__setattr__ if frozen else setattr,
                             "__record_missing__": dataclasses.MISSING}
    positional: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for index, field in enumerate(fields):
        default = f"__record_default_{index}__"
        if field.default_factory is not dataclasses.MISSING:
            scope[default] = field.default_factory
            value = f"{default}()"
            if field.init:
                value = f"{value} if {field.name} is __record_missing__ else {field.name}"
                default = "__record_missing__"
        elif field.default is not dataclasses.MISSING:
            scope[default] = field.default
            value = field.name if field.init else default
        elif field.init:
            default, value = "", field.name
        else:
            continue  # no value, as in dataclasses
        if field.init:
            parameter = f"{field.name}={default}" if default else field.name
            (keywords if field.kw_only else positional).append(parameter)
        body.append(f"  __record_set__(__record_self__, {field.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("  __record_self__.__post_init__()")
    parameters = ["__record_self__", *positional, *(["*", *keywords] if keywords else [])]
    source = f"def __init__({', '.join(parameters)}):\n" + ("\n".join(body) or "  pass") + "\n"
    exec(source, scope)  # our own text, made of the class's field names
    init: Callable[..., None] = scope["__init__"]
    return init


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the tuple of an object's attributes `names`."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    return lambda obj: ()


def _repr(fields: _Fields) -> Callable[[Any], str]:
    shown = [f.name for f in fields if f.repr]

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _eq(fields: _Fields) -> Callable[[Any, object], Any]:
    values = _values([f.name for f in fields if f.compare])

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(fields: _Fields) -> Callable[[Any], int]:
    values = _values([f.name for f in fields if (f.compare if f.hash is None else f.hash)])

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen_setattr(owner: type[Any], fields: _Fields) -> Callable[..., None]:
    names = {f.name for f in fields}

    def __setattr__(self: object, name: str, value: Any) -> None:
        if name in names or self.__class__ is owner:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(owner, self).__setattr__(name, value)

    return __setattr__


def _frozen_delattr(owner: type[Any], fields: _Fields) -> Callable[..., None]:
    names = {f.name for f in fields}

    def __delattr__(self: object, name: str) -> None:
        if name in names or self.__class__ is owner:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(owner, self).__delattr__(name)

    return __delattr__


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for field, value in zip(dataclasses.fields(self), state, strict=True):
        object.__setattr__(self, field.name, value)
