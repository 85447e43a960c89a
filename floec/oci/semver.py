"""Semantic versions (semver.org 2.0.0) and version ranges, as npm and Helm spell them.

A range is one or more comparator sets joined by `||`; a set is comparators joined by `,` or
spaces, all of which must hold. Comparators: `1.2.3` or `=1.2.3` (exact), `>`, `>=`, `<`, `<=`,
`^1.2` (compatible: same left-most non-zero part), `~1.2.3` (same minor), partial versions
`1.2` / `1.x` / `*` (any patch / minor / version).

Pre-releases are taken only when asked: a pre-release version satisfies a set only if one of its
comparators names a pre-release of the same major.minor.patch (`^1.3.0-rc.1` admits
`1.3.0-rc.2`, `^1.2` admits no `-rc`), or when the caller passes `prereleases=True`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

_IDENT = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_VERSION = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
_PARTIAL = re.compile(
    r"^(0|[1-9]\d*|[xX*])(?:\.(0|[1-9]\d*|[xX*]))?(?:\.(0|[1-9]\d*|[xX*]))?"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?$"
)
_COMPARATOR = re.compile(r"^(\^|~|>=|<=|>|<|=)?\s*(.+)$")


class SemverError(ValueError):
    """A version or range that cannot be parsed; the message says what is wrong."""


@attrs.frozen(order=False)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    @property
    def core(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int, str], ...]]:
        # A release sorts after its pre-releases; numeric identifiers sort before alphanumeric
        # ones and numerically among themselves (semver §11). Build metadata is ignored.
        parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.core, 0 if self.prerelease else 1, parts)

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Version) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Version) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Version) -> bool:
        return self._key() >= other._key()

    def same_precedence(self, other: Version) -> bool:
        return self._key() == other._key()


def parse(text: str) -> Version:
    """A full version `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; no `v` prefix, no leading zeros."""
    match = _VERSION.match(text.strip())
    if match is None:
        raise SemverError(
            f"'{text}' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0 or 2.0.0-rc.1)"
        )
    major, minor, patch, pre, build = match.groups()
    return Version(
        int(major),
        int(minor),
        int(patch),
        tuple(pre.split(".")) if pre else (),
        tuple(build.split(".")) if build else (),
    )


def try_parse(text: str) -> Version | None:
    try:
        return parse(text)
    except SemverError:
        return None


@attrs.frozen
class _Bound:
    op: str  # one of > >= < <= =
    version: Version

    def holds(self, version: Version) -> bool:
        a, b = version._key(), self.version._key()
        return {
            ">": a > b,
            ">=": a >= b,
            "<": a < b,
            "<=": a <= b,
            "=": a == b,
        }[self.op]


@attrs.frozen
class Range:
    """A parsed range: `sets` is a disjunction of conjunctions of bounds."""

    text: str
    sets: tuple[tuple[_Bound, ...], ...]

    def admits(self, version: Version, *, prereleases: bool = False) -> bool:
        return any(_set_admits(bounds, version, prereleases) for bounds in self.sets)

    def best(self, versions: Iterable[Version], *, prereleases: bool = False) -> Version | None:
        """The highest admitted version, or None."""
        admitted = [v for v in versions if self.admits(v, prereleases=prereleases)]
        return max(admitted, key=Version._key) if admitted else None


def _set_admits(bounds: tuple[_Bound, ...], version: Version, prereleases: bool) -> bool:
    if not all(b.holds(version) for b in bounds):
        return False
    if not version.prerelease or prereleases:
        return True
    # npm's rule: a pre-release is admitted only when the range asks for one of the same tuple.
    return any(b.version.prerelease and b.version.core == version.core for b in bounds)


def parse_range(text: str) -> Range:
    """Parse a range (module docstring); raises SemverError naming the bad part."""
    if not text.strip():
        raise SemverError("an empty version range: write e.g. ^1.2, ~1.2.3, >=1.0,<2 or 1.4.0")
    sets = []
    for alternative in text.split("||"):
        words = [w for w in re.split(r"[,\s]+", _join_operators(alternative.strip())) if w]
        if not words:
            raise SemverError(f"'{text}': an empty alternative around '||'")
        bounds: list[_Bound] = []
        for word in words:
            bounds += _comparator(word, text)
        sets.append(tuple(bounds))
    return Range(text.strip(), tuple(sets))


def _join_operators(text: str) -> str:
    """`>= 1.0` is one comparator: drop the space after an operator."""
    return re.sub(r"(\^|~|>=|<=|>|<|=)\s+", r"\1", text)


def _comparator(word: str, whole: str) -> list[_Bound]:
    match = _COMPARATOR.match(word)
    assert match is not None  # `(.+)` matches any non-empty word
    op, rest = match.group(1) or "", match.group(2)
    partial = _PARTIAL.match(rest)
    if partial is None:
        raise SemverError(
            f"'{word}' in the range '{whole}' is not a version: write MAJOR[.MINOR[.PATCH]] "
            "with an optional operator (^ ~ >= > <= < =)"
        )
    raw = partial.groups()[:3]
    pre = tuple(partial.group(4).split(".")) if partial.group(4) else ()
    numbers: list[int] = []
    for part in raw:
        if part is None or part in "xX*":
            break
        numbers.append(int(part))
    given = len(numbers)
    if pre and given < 3:
        raise SemverError(f"'{word}' in '{whole}': a pre-release needs a full MAJOR.MINOR.PATCH")
    full = numbers + [0] * (3 - given)
    low = Version(full[0], full[1], full[2], pre)
    if given == 0:
        return (
            [_Bound(">=", Version(0, 0, 0))]
            if op in ("", "=", "^", "~", ">=", "<=")
            else ([_Bound("<", Version(0, 0, 0))])
        )
    if op == "^":
        if numbers[0] > 0 or given == 1:
            high = Version(numbers[0] + 1, 0, 0)
        elif given >= 2 and (numbers[1] > 0 or given == 2):
            high = Version(0, numbers[1] + 1, 0)
        else:
            high = Version(0, 0, numbers[2] + 1)
        return [_Bound(">=", low), _Bound("<", _floor(high))]
    if op == "~":
        high = (
            Version(numbers[0] + 1, 0, 0) if given == 1 else Version(numbers[0], numbers[1] + 1, 0)
        )
        return [_Bound(">=", low), _Bound("<", _floor(high))]
    if op in ("", "=") and given == 3:
        return [_Bound("=", low)]
    upper = _next_partial(numbers)  # the first version past the partial 1 / 1.2
    if op in ("", "="):
        return [_Bound(">=", low), _Bound("<", _floor(upper))]
    if op == ">=":
        return [_Bound(">=", low)]
    if op == "<":
        return [_Bound("<", _floor(low))]
    if op == ">":
        return [_Bound(">=" if given < 3 else ">", upper if given < 3 else low)]
    # `<=1.2` means anything up to the end of 1.2.x
    return [_Bound("<=", low)] if given == 3 else [_Bound("<", _floor(upper))]


def _next_partial(numbers: list[int]) -> Version:
    if len(numbers) == 1:
        return Version(numbers[0] + 1, 0, 0)
    if len(numbers) == 2:
        return Version(numbers[0], numbers[1] + 1, 0)
    return Version(numbers[0], numbers[1], numbers[2] + 1)


def _floor(version: Version) -> Version:
    """An exclusive upper bound that also excludes that version's pre-releases (`<2.0.0` must not
    admit `2.0.0-rc.1`): the lowest possible pre-release of it."""
    if version.prerelease:
        return version
    return Version(version.major, version.minor, version.patch, ("0",))


def tag_for(version: Version) -> str:
    """The OCI tag of a version: tags cannot hold '+', so build metadata uses '_' (as Helm)."""
    return str(version).replace("+", "_")


def from_tag(tag: str) -> Version | None:
    return try_parse(tag.replace("_", "+", 1))
