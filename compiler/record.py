"""Records: dataclasses whose methods are not compiled when the class is defined.

`dataclasses.dataclass` writes a class's __init__, __repr__, __eq__, __hash__ and, when frozen,
__setattr__ and __delattr__ as source text and compiles it: half a millisecond per class, and
`bpl check` defines well over a hundred classes (the syntax tree alone has seventy) before it
reads a file. `record` lets dataclasses collect the fields — so `fields()`, `replace()`,
`asdict()`, `__match_args__` and `__slots__` are the standard ones — but asks it for no methods,
and gives the class generic ones that walk the field list instead. They behave as the generated
ones do (same equality, hash, repr, frozen errors and pickling), at a few microseconds more per
instance, which a check building a few thousand nodes does not notice.

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
    assign: Callable[[Any, str, Any], None] = object.__setattr__ if frozen else setattr
    _add(cls, "__init__", _init(cls, fields, assign))
    if "__repr__" not in own:
        _add(cls, "__repr__", _repr(fields))
    if eq and "__eq__" not in own:
        _add(cls, "__eq__", _eq(cls, fields))
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


def _init(
    cls: type, fields: _Fields, assign: Callable[[Any, str, Any], None]
) -> Callable[..., None]:
    names = tuple(f.name for f in fields if f.init)
    # Keyword-only fields come after the positional ones, as in the signature dataclasses makes.
    positional = tuple(f.name for f in fields if f.init and not f.kw_only)
    names = positional + tuple(name for name in names if name not in positional)
    defaults = {f.name: f.default for f in fields
                if f.init and f.default is not dataclasses.MISSING}
    factories: dict[str, Callable[[], Any]] = {
        f.name: f.default_factory for f in fields
        if f.init and f.default_factory is not dataclasses.MISSING
    }
    for earlier, later in itertools.pairwise(positional):
        if (earlier in defaults or earlier in factories) and not (
                later in defaults or later in factories):
            raise TypeError(f"non-default argument {later!r} follows default argument")
    hidden = tuple(made for made in map(_maker, fields) if made is not None)
    post_init = hasattr(cls, "__post_init__")
    # The call that needs no binding: every field, in order, positionally.
    count = len(names) if positional == names else -1
    label = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs or len(args) != count:
            args = _bind(label, names, len(positional), defaults, factories, args, kwargs)
        for name, value in zip(names, args, strict=True):
            assign(self, name, value)
        for name, make in hidden:
            assign(self, name, make())
        if post_init:
            self.__post_init__()

    return __init__


def _maker(field: dataclasses.Field[Any]) -> tuple[str, Callable[[], Any]] | None:
    """How a field left out of __init__ gets its value (None: an __init__ field, or one that
    gets no value, as in dataclasses)."""
    if field.init:
        return None
    if field.default_factory is not dataclasses.MISSING:
        return field.name, field.default_factory
    if field.default is not dataclasses.MISSING:
        value = field.default
        return field.name, lambda: value
    return None


def _bind(
    label: str,
    names: tuple[str, ...],
    positional: int,
    defaults: dict[str, Any],
    factories: dict[str, Callable[[], Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> tuple[Any, ...]:
    """The values of every __init__ field (the first `positional` of them may be passed by
    position), with Python's own errors for a call that does not fit."""
    if len(args) > positional:
        raise TypeError(f"{label} takes {positional + 1} positional arguments but "
                        f"{len(args) + 1} were given")
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{label} got an unexpected keyword argument {key!r}")
        if key in values:
            raise TypeError(f"{label} got multiple values for argument {key!r}")
        values[key] = value
    missing = [name for name in names
               if name not in values and name not in defaults and name not in factories]
    if missing:
        listed = " and ".join(repr(name) for name in missing)
        raise TypeError(f"{label} missing {len(missing)} required argument"
                        f"{'s' if len(missing) > 1 else ''}: {listed}")
    return tuple(values[name] if name in values
                 else defaults[name] if name in defaults else factories[name]()
                 for name in names)


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


def _eq(cls: type, fields: _Fields) -> Callable[[Any, object], Any]:
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
