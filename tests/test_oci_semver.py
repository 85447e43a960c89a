"""Semantic versions and ranges (floec/oci/semver.py): examples from semver.org and npm, and
properties over generated versions."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floec.oci import reference, semver
from floec.oci.semver import Version, parse, parse_range

numbers = st.integers(min_value=0, max_value=30)
identifiers = st.one_of(
    st.integers(min_value=0, max_value=20).map(str),
    st.sampled_from(["alpha", "beta", "rc", "x-1", "b2"]),
)
releases = st.builds(Version, numbers, numbers, numbers)
versions = st.builds(
    Version, numbers, numbers, numbers, st.lists(identifiers, max_size=3).map(tuple)
)


def test_precedence_of_the_semver_spec() -> None:
    chain = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ]
    parsed = [parse(v) for v in chain]
    assert all(a < b for a, b in itertools.pairwise(parsed))
    assert parse("1.0.0+build.7").same_precedence(parse("1.0.0"))


@pytest.mark.parametrize("text", ["01.2.3", "1.2", "v1.2.3", "1.2.3-", "1.2.3-01", "1.2.3.4", ""])
def test_malformed_versions_are_refused(text: str) -> None:
    with pytest.raises(semver.SemverError):
        parse(text)


@pytest.mark.parametrize(
    ("wanted", "admitted", "refused"),
    [
        ("^1.2", ["1.2.0", "1.9.9"], ["1.1.9", "2.0.0", "1.3.0-rc.1", "2.0.0-rc.1"]),
        ("^1.2.3", ["1.2.3", "1.99.0"], ["1.2.2", "2.0.0"]),
        ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0", "0.2.2"]),
        ("^0.0.3", ["0.0.3"], ["0.0.4", "0.0.2"]),
        ("~1.2.3", ["1.2.3", "1.2.9"], ["1.3.0", "1.2.2"]),
        ("~1.2", ["1.2.0", "1.2.9"], ["1.3.0"]),
        ("~1", ["1.0.0", "1.9.0"], ["2.0.0"]),
        (">=1.0,<2", ["1.0.0", "1.9.9"], ["0.9.9", "2.0.0", "2.0.0-rc.1"]),
        (">=1.0 <2", ["1.5.0"], ["2.0.0"]),
        (">= 1.0, < 2", ["1.5.0"], ["2.0.0"]),
        ("1.4.0", ["1.4.0"], ["1.4.1", "1.3.9", "1.4.0-rc.1"]),
        ("=1.4.0", ["1.4.0"], ["1.4.1"]),
        ("1.4", ["1.4.0", "1.4.7"], ["1.5.0"]),
        ("1.x", ["1.0.0", "1.9.0"], ["2.0.0"]),
        ("*", ["0.0.1", "9.9.9"], ["1.0.0-rc.1"]),
        (">1.2", ["1.3.0"], ["1.2.9"]),
        (">1.2.3", ["1.2.4"], ["1.2.3"]),
        ("<=1.2", ["1.2.9"], ["1.3.0"]),
        (
            "^1.3.0-rc.1",
            ["1.3.0-rc.1", "1.3.0-rc.2", "1.3.0", "1.4.0"],
            ["1.3.0-rc.0", "1.4.0-rc.1"],
        ),
        ("1.2.3 || ^2", ["1.2.3", "2.5.0"], ["1.2.4", "3.0.0"]),
    ],
)
def test_ranges(wanted: str, admitted: list[str], refused: list[str]) -> None:
    range_ = parse_range(wanted)
    for text in admitted:
        assert range_.admits(parse(text)), (wanted, text)
    for text in refused:
        assert not range_.admits(parse(text)), (wanted, text)


@pytest.mark.parametrize(
    "text", ["", "^", "1.2.3.4", "^1.x.2-rc", "latest", ">=1.0,,<", "1.2-rc.1"]
)
def test_malformed_ranges_are_refused(text: str) -> None:
    with pytest.raises(semver.SemverError):
        parse_range(text)


def test_prereleases_only_when_asked() -> None:
    rc = parse("1.5.0-rc.1")
    assert not parse_range("^1.2").admits(rc)
    assert parse_range("^1.2").admits(rc, prereleases=True)
    assert parse_range("^1.2").best([parse("1.4.0"), rc]) == parse("1.4.0")


@given(versions)
def test_a_version_prints_and_parses_back(version: Version) -> None:
    assert parse(str(version)) == version


@given(versions)
def test_a_tag_round_trips_even_with_build_metadata(version: Version) -> None:
    built = Version(version.major, version.minor, version.patch, version.prerelease, ("b", "7"))
    tag = semver.tag_for(built)
    assert "+" not in tag
    assert reference.parse(f"oci://r.example/a/b:{tag}").tag == tag
    assert semver.from_tag(tag) == built


@given(versions, versions)
def test_order_is_total_and_antisymmetric(a: Version, b: Version) -> None:
    assert (a < b) + (b < a) + a.same_precedence(b) == 1
    if not a.prerelease and not b.prerelease:
        assert (a < b) == (a.core < b.core)


@given(releases, versions)
def test_caret_means_same_major(base: Version, candidate: Version) -> None:
    admits = parse_range(f"^{base}").admits(candidate)
    expected = not candidate.prerelease and candidate >= base
    if base.major > 0:
        expected = expected and candidate.major == base.major
    elif base.minor > 0:
        expected = expected and candidate.major == 0 and candidate.minor == base.minor
    else:
        expected = expected and candidate.core == base.core
    assert admits == expected


@given(releases, versions)
def test_tilde_means_same_minor(base: Version, candidate: Version) -> None:
    admits = parse_range(f"~{base}").admits(candidate)
    expected = (
        not candidate.prerelease
        and candidate >= base
        and (candidate.major, candidate.minor) == (base.major, base.minor)
    )
    assert admits == expected


@given(releases, releases, versions)
def test_comparators_are_their_conjunction(low: Version, high: Version, candidate: Version) -> None:
    both = parse_range(f">={low},<{high}").admits(candidate)
    assert both == (
        parse_range(f">={low}").admits(candidate) and parse_range(f"<{high}").admits(candidate)
    )


@given(releases, st.lists(versions, max_size=12))
def test_best_is_the_highest_admitted(base: Version, available: list[Version]) -> None:
    range_ = parse_range(f"^{base}")
    best = range_.best(available)
    admitted = [v for v in available if range_.admits(v)]
    if not admitted:
        assert best is None
    else:
        assert best is not None and range_.admits(best)
        assert all(v <= best for v in admitted)


@given(versions, versions)
def test_an_exact_version_admits_only_itself(a: Version, b: Version) -> None:
    assert parse_range(str(a)).admits(b, prereleases=True) == a.same_precedence(b)


components = st.from_regex(r"[a-z0-9]+(?:[._-][a-z0-9]+)?", fullmatch=True)
hosts = st.sampled_from(["registry.example.com", "127.0.0.1:5000", "localhost:8443", "[::1]:5000"])
tags = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,20}", fullmatch=True)
digests = st.from_regex(r"[0-9a-f]{64}", fullmatch=True).map(lambda h: f"sha256:{h}")


@given(hosts, st.lists(components, min_size=1, max_size=4), st.none() | tags, st.none() | digests)
def test_a_reference_prints_and_parses_back(
    host: str, path: list[str], tag: str | None, digest: str | None
) -> None:
    ref = reference.Reference(host, "/".join(path), tag, digest)
    assert reference.parse(str(ref)) == ref
    assert ref.is_loopback == (not host.startswith("registry."))


@pytest.mark.parametrize(
    "text",
    [
        "registry.example.com/a/b",
        "oci://",
        "oci://registry.example.com",
        "oci://registry.example.com/Upper/case",
        "oci://registry.example.com/a/b:bad tag",
        "oci://registry.example.com/a/b@sha256:short",
        "oci://user:password@registry.example.com/a/b",
    ],
)
def test_malformed_references_are_refused(text: str) -> None:
    with pytest.raises(reference.InvalidReference) as caught:
        reference.parse(text)
    assert "password@" not in str(caught.value)
