"""`frozen`: the compiler's records (AST, IR, syntax tree, diagnostics) as frozen attrs classes.

Exactly `attrs.frozen`, except that `__repr__`, `__eq__`, `__ne__` and `__hash__` are shared
functions reading the class's attrs fields, where attrs writes and compiles four methods for every
class. Every `floec check` creates about a hundred of these classes before it reads a file; their
generated source cost a third of its start-up. The methods behave as attrs' do: equality only
between instances of the same class, over the fields with `eq=True`, in order; the hash of those
fields (so a record holding a dict is unhashable, as with attrs); `Name(field=value, ...)` over
the fields with `repr=True`. `attrs.fields`, `attrs.evolve`, `attrs.asdict` work unchanged.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs
from attr import _make

from floec.stage import serve_attrs

# attrs compiles each record's __init__ from source: a run started by `floec` loads the code
# compiled by an earlier run instead.
serve_attrs(_make)

T = TypeVar("T", bound=type)

_KEY = "__floec_key__"


@overload
def shared_frozen(cls: T) -> T: ...


@overload
def shared_frozen(*, eq: bool = True) -> Callable[[T], T]: ...


def shared_frozen(cls: T | None = None, *, eq: bool = True) -> T | Callable[[T], T]:
    """`attrs.frozen(cls)` with shared comparison, hashing and repr (`eq=False`: identity)."""

    def wrap(cls: T) -> T:
        made: T = attrs.frozen(cls, repr=False, eq=False)
        fields = attrs.fields(made)
        made.__repr__ = _repr  # type: ignore[assignment]
        if eq:
            setattr(made, _KEY, _key_of(tuple(f.name for f in fields if f.eq)))
            made.__eq__ = _eq  # type: ignore[assignment,method-assign]
            made.__ne__ = _ne  # type: ignore[assignment,method-assign]
            made.__hash__ = _hash  # type: ignore[assignment,method-assign]
        return made

    return wrap if cls is None else wrap(cls)


def _key_of(names: tuple[str, ...]) -> Callable[[Any], Any]:
    if not names:
        return lambda _: ()
    getter = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda record: (getter(record),)
    return getter


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = getattr(self.__class__, _KEY)
    return bool(key(self) == key(other))


def _ne(self: Any, other: Any) -> Any:
    result = _eq(self, other)
    return result if result is NotImplemented else not result


def _hash(self: Any) -> int:
    return hash((self.__class__.__qualname__, getattr(self.__class__, _KEY)(self)))


def _repr(self: Any) -> str:
    cls = self.__class__
    shown = ", ".join(
        f"{field.name}={getattr(self, field.name, attrs.NOTHING)!r}"
        for field in attrs.fields(cls)
        if field.repr
    )
    return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({shown})"


# Type checkers see attrs.frozen itself (its plugin knows what it makes); run time, the above.
if TYPE_CHECKING:
    from attrs import frozen as frozen
else:
    frozen = shared_frozen
