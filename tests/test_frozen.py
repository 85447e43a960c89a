"""The compiler's records behave as attrs.frozen classes do, with shared eq/hash/repr.

`floec.frozen.frozen` is `attrs.frozen` for the type checker and the shared version at run time.
"""

from __future__ import annotations

import attrs
import pytest

from floec.frozen import frozen


@frozen
class Point:
    x: int
    y: int = 0
    note: str = attrs.field(default="", eq=False, repr=False)


@frozen
class Other:
    x: int
    y: int = 0


@frozen(eq=False)
class Node:
    value: int


@frozen
class Holder:
    items: dict[str, int]


@attrs.frozen
class Reference:
    x: int
    y: int = 0
    note: str = attrs.field(default="", eq=False, repr=False)


def test_equality_and_hash_follow_the_fields_with_eq() -> None:
    assert Point(1, 2) == Point(1, 2, note="ignored by eq")
    assert Point(1, 2) != Point(1, 3)
    assert (Point(1, 2) != Point(1, 2)) is False
    assert hash(Point(1, 2)) == hash(Point(1, 2, note="x"))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2


def test_instances_of_different_classes_are_never_equal() -> None:
    assert Point(1, 2) != Other(1, 2)  # type: ignore[comparison-overlap]
    assert Point(1, 2).__eq__(Other(1, 2)) is NotImplemented
    assert Point(1, 2) != (1, 2)  # type: ignore[comparison-overlap]


def test_eq_false_compares_and_hashes_by_identity() -> None:
    one, two = Node(1), Node(1)
    assert one == one and one != two
    assert len({one, two}) == 2


def test_a_record_holding_a_dict_is_unhashable_as_with_attrs() -> None:
    assert Holder({"a": 1}) == Holder({"a": 1})
    with pytest.raises(TypeError):
        hash(Holder({"a": 1}))


def test_repr_matches_attrs() -> None:
    expected = repr(Reference(1, 2, note="hidden")).replace("Reference", "Point")
    assert repr(Point(1, 2, note="hidden")) == expected
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"


def test_frozen_and_attrs_helpers_work() -> None:
    point = Point(1, 2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]
    assert attrs.evolve(point, y=5) == Point(1, 5)
    assert attrs.asdict(point) == {"x": 1, "y": 2, "note": ""}
    assert [f.name for f in attrs.fields(Point)] == ["x", "y", "note"]
    assert not hasattr(point, "__dict__")  # slotted, as attrs.frozen makes them
