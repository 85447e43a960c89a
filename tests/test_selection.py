# ruff: noqa: E501  (the tables of exact messages read best one case a line)
"""Asset selections: the grammar, the checks, their offsets, agreement with Dagster's parser."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floec.selection import Selection, SelectionError, _parse, _parser, parse_selection


def test_grammar_is_unambiguous_in_strict_mode() -> None:
    _parser(strict=True)  # lark raises on terminal collisions and grammar conflicts


@pytest.mark.parametrize(
    ("text", "expected", "dagster"),
    [
        ("*", Selection("all", "*"), "*"),
        ("orders", Selection("asset", "orders", start=0, end=6), 'key:"orders"'),
        ("raw/orders", Selection("asset", "raw/orders", start=0, end=10), 'key:"raw/orders"'),
        ("raw.orders-v2", Selection("asset", "raw.orders-v2", start=0, end=13), 'key:"raw.orders-v2"'),
        ("+orders", Selection("asset", "orders", upstream=1, start=1, end=7), '1+key:"orders"'),
        ("++orders", Selection("asset", "orders", upstream=2, start=2, end=8), '2+key:"orders"'),
        ("*orders", Selection("asset", "orders", upstream=None, start=1, end=7), '+key:"orders"'),
        ("orders+", Selection("asset", "orders", downstream=1, start=0, end=6), 'key:"orders"+1'),
        ("orders*", Selection("asset", "orders", downstream=None, start=0, end=6), 'key:"orders"+'),
        ("+orders++", Selection("asset", "orders", upstream=1, downstream=2, start=1, end=7), '1+key:"orders"+2'),
        ("*orders*", Selection("asset", "orders", upstream=None, downstream=None, start=1, end=7), '+key:"orders"+'),
        ("asset:orders", Selection("asset", "orders", start=6, end=12), 'key:"orders"'),
        ("asset:raw/orders", Selection("asset", "raw/orders", start=6, end=16), 'key:"raw/orders"'),
        ('asset:"my-asset"', Selection("asset", "my-asset", start=6, end=16), 'key:"my-asset"'),
        ("key:orders", Selection("asset", "orders", start=4, end=10), 'key:"orders"'),
        ("key:stg_*", Selection("asset", "stg_*", pattern=True, start=4, end=9), 'key:"stg_*"'),
        ("group:bronze", Selection("group", "bronze", start=6, end=12), 'group:"bronze"'),
        ('group:"bronze"', Selection("group", "bronze", start=6, end=14), 'group:"bronze"'),
        ("+group:bronze", Selection("group", "bronze", upstream=None, start=7, end=13), '+group:"bronze"'),
        ("2+group:bronze+3", Selection("group", "bronze", upstream=2, downstream=3, start=8, end=14), '2+group:"bronze"+3'),
        ("tag:silver", Selection("tag", "silver", start=4, end=10), 'tag:"silver"'),
        ("tag:layer=silver", Selection("tag", "layer", "silver", start=4, end=16), 'tag:"layer"="silver"'),
        ("tag:team=data-eng", Selection("tag", "team", "data-eng", start=4, end=17), 'tag:"team"="data-eng"'),
        ('+tag:"team"="data-eng"', Selection("tag", "team", "data-eng", upstream=None, start=5, end=22), '+tag:"team"="data-eng"'),
        ("kind:dbt", Selection("kind", "dbt", start=5, end=8), 'kind:"dbt"'),
        ("  group:bronze  ", Selection("group", "bronze", start=8, end=14), 'group:"bronze"'),
    ],
)  # fmt: skip
def test_well_formed(text: str, expected: Selection, dagster: str) -> None:
    result = parse_selection(text)
    assert result == expected
    assert isinstance(result, Selection) and result.dagster == dagster


def test_key_path() -> None:
    result = parse_selection("raw/orders+")
    assert isinstance(result, Selection) and result.key_path == ("raw", "orders")


@pytest.mark.parametrize(
    ("text", "start", "end", "message"),
    [
        ("", 0, 0, "the selection is empty: write *, a name or group:NAME"),
        ("2+orders", 0, 2, "a numbered depth such as '2+' goes with an attribute, as in 2+key:orders; for a plain name, repeat the '+': ++orders"),
        ("orders+2", 6, 8, "a numbered depth such as '+2' goes with an attribute, as in key:orders+2; for a plain name, repeat the '+': orders++"),
        ("*group:bronze", 0, 1, "with an attribute, write the depth as a number: 2+group:bronze for two layers upstream, +group:bronze for every layer ('*' and '++' go with plain names)"),
        ("++group:bronze", 0, 2, "with an attribute, write the depth as a number: 2+group:bronze for two layers upstream, +group:bronze for every layer ('*' and '++' go with plain names)"),
        ("group:bronze++", 12, 14, "with an attribute, write the depth as a number: group:bronze+2 for two layers downstream, group:bronze+ for every layer ('*' and '++' go with plain names)"),
        ("0+group:bronze", 0, 2, "a depth is 1 or more layers; leave out the '+' to select none"),
        ("orders and group:x", 6, 10, "Dagster's 'and' is not supported in a floe.yaml selection: give one selector per item; the items of a job's selection are combined with 'or'"),
        ("+ orders", 1, 2, "a selector has no spaces outside double quotes"),
        ("orders,customers", 6, 7, "one selector per item: list each as its own item of the selection"),
        ("sinks(*)", 5, 6, "parentheses and Dagster's functions (sinks(...), roots(...)) are not supported in a floe.yaml selection"),
        ("group:", 6, 6, "a name must follow 'group:'"),
        ("tag:team=", 9, 9, "a tag value must follow '='"),
        ("tag:a=b=c", 7, 8, "'=' belongs in tag:key=value, once"),
        ('key:"orders', 4, 5, 'double quotes enclose a whole attribute value, as in key:"my-asset", and are not closed here'),
        ("groups:bronze", 0, 6, "unknown selector 'groups:': did you mean 'group:'?"),
        ("owner:team", 0, 5, "'owner:' is not supported in a floe.yaml selection: use key:, asset:, group:, tag: or kind:"),
        ("layer:silver", 0, 5, "unknown selector 'layer:': use key:, asset:, group:, tag: or kind:"),
        ("group:status", 6, 12, "'status' is a keyword of Dagster's selection syntax: quote it, as in group:\"status\""),
        ("key:my-asset", 4, 12, "'my-asset' needs double quotes: an unquoted key has letters, digits, '_', '/' and '*' and does not start with a digit; write key:\"my-asset\""),
        ("+tag:team=data-eng", 10, 18, "'data-eng' needs double quotes: an unquoted value has letters, digits, '_' and '/' and does not start with a digit; write tag:\"data-eng\""),
        ("group:bronze*", 12, 13, "'*' (a wildcard) works only in key:"),
        ("asset:stg_*", 10, 11, "'*' (a wildcard) works only in key:, as in key:stg_*"),
        ("asset:a=b", 8, 9, "only tag: takes a value after '=': asset:NAME has none"),
        ('key:""', 4, 6, "key: needs a name between the quotes"),
        ("raw//orders", 3, 4, "an asset key path has an empty part: write its parts separated by single '/', as in raw/orders"),
        ("raw/", 3, 4, "an asset key path has an empty part: write its parts separated by single '/', as in raw/orders"),
        ("raw>orders", 3, 4, "'>' cannot appear in an asset key written as a plain name: quote the key, as in key:\"...\""),
    ],
)  # fmt: skip
def test_malformed(text: str, start: int, end: int, message: str) -> None:
    result = parse_selection(text)
    assert isinstance(result, SelectionError), result
    assert (result.start, result.end, result.message) == (start, end, message)
    assert "group:bronze" in result.help and "tag:team=data" in result.help


def test_common_selections_do_not_import_lark() -> None:
    code = (
        "import sys; from floec.selection import parse_selection as p; "
        "assert p('group:bronze').name; assert p('+orders').upstream == 1; assert p('*').kind; "
        "assert p('raw/orders').name; print('lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- properties and agreement with Dagster -------------------------------------------------------

_NAMES = st.sampled_from(
    ["orders", "raw/orders", "Stg_x", "my-asset", "a.b", "2024x", "7", "status", "and", "job",
     "stg_*", "*_raw", "a//b", "x/", "a>b", '"orders"', '"my asset"', '""', "a=b", "a=b=c", "q\"x"]
)  # fmt: skip
_ATTRIBUTES = st.sampled_from(
    ["", "", "key:", "group:", "tag:", "kind:", "asset:", "owner:", "Group:"]
)
_UP = st.sampled_from(["", "", "+", "++", "*", "*+", "2+", "0+", "+ "])
_DOWN = st.sampled_from(["", "", "+", "++", "*", "+2", "+0", "++*", " and x"])
SELECTIONISH = st.one_of(
    st.tuples(_UP, _ATTRIBUTES, _NAMES, _DOWN).map("".join),
    st.sampled_from(["*", " * ", "**", "+*"]),
    st.text(max_size=20),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SELECTIONISH)
def test_any_text_gives_a_selection_or_an_error_inside_it(text: str) -> None:
    result = parse_selection(text)
    if isinstance(result, SelectionError):
        assert 0 <= result.start <= result.end <= len(text)
        assert result.message
    else:
        assert 0 <= result.start <= result.end <= len(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SELECTIONISH)
def test_the_fast_path_says_exactly_what_the_grammar_says(text: str) -> None:
    assert parse_selection(text) == _parse(text, fast=False)


def _describe(selection: Any) -> tuple[object, ...]:
    """Dagster's selection object as (kind, name, value, upstream, downstream)."""
    from dagster._core.definitions import asset_selection as s
    from dagster._core.selector.subset_selector import MAX_NUM

    def depth(value: int | None) -> int | None:
        return None if value is None or value >= MAX_NUM else value

    up: int | None = 0
    down: int | None = 0
    if isinstance(selection, s.OrAssetSelection):
        first, second = selection.operands
        assert isinstance(first, s.UpstreamAssetSelection)
        assert isinstance(second, s.DownstreamAssetSelection)
        up, down = depth(first.depth), depth(second.depth)
        selection = first.child
    elif isinstance(selection, s.UpstreamAssetSelection):
        up, selection = depth(selection.depth), selection.child
    elif isinstance(selection, s.DownstreamAssetSelection):
        down, selection = depth(selection.depth), selection.child
    if isinstance(selection, s.AllSelection):
        return ("all", "*", None, up, down)
    if isinstance(selection, s.KeysAssetSelection):
        (key,) = selection.selected_keys
        return ("asset", key.to_user_string(), None, up, down)
    if isinstance(selection, s.KeyWildCardAssetSelection):
        return ("asset", selection.selected_key_wildcard, None, up, down)
    if isinstance(selection, s.GroupsAssetSelection):
        (group,) = selection.selected_groups
        return ("group", group, None, up, down)
    if isinstance(selection, s.TagAssetSelection):
        return ("tag", selection.key, selection.value or None, up, down)
    if isinstance(selection, s.KindAssetSelection):
        return ("kind", selection.kind_str, None, up, down)
    raise AssertionError(f"unexpected {selection!r}")


def _dagster(text: str) -> Any:
    from dagster import AssetSelection

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AssetSelection.from_string(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(_UP, _ATTRIBUTES, _NAMES, _DOWN).map("".join))
def test_what_floec_accepts_dagster_reads_the_same_way(text: str) -> None:
    result = parse_selection(text)
    if isinstance(result, SelectionError):
        return
    ours = (result.kind, result.name, result.value, result.upstream, result.downstream)
    if not text.strip().startswith(("asset:", "+asset:", "2+asset:")):  # floec's own spelling
        assert _describe(_dagster(text)) == ours, text
    assert _describe(_dagster(result.dagster)) == ours, result.dagster


@pytest.mark.parametrize(
    "text",
    ["*", "orders", "raw/orders", "+orders++", "*orders*", "key:stg_*", "+group:bronze", "2+group:bronze+3",
     "tag:layer=silver", "tag:team=data-eng", '+tag:"team"="data-eng"', "kind:dbt", "key:raw/orders+"],
)  # fmt: skip
def test_examples_agree_with_dagster(text: str) -> None:
    test_what_floec_accepts_dagster_reads_the_same_way.hypothesis.inner_test(text)  # type: ignore[attr-defined]


def test_dagster_spelling_selects_the_same_assets_as_the_text() -> None:
    """On a real asset graph: what the text selects is what `Selection.dagster` selects."""
    import dagster as dg

    @dg.asset(
        key=["raw", "orders"], group_name="bronze", tags={"layer": "bronze"}, kinds={"duckdb"}
    )
    def raw_orders() -> None: ...

    @dg.asset(deps=[raw_orders], group_name="silver", tags={"team": "data-eng"})
    def orders() -> None: ...

    @dg.asset(deps=[orders], group_name="gold")
    def summary() -> None: ...

    graph = dg.Definitions(assets=[raw_orders, orders, summary]).resolve_asset_graph()

    def keys(text: str) -> set[str]:
        return {key.to_user_string() for key in _dagster(text).resolve(graph)}

    expected = {
        "+summary": {"orders", "summary"},
        "*summary": {"raw/orders", "orders", "summary"},
        "raw/orders+": {"raw/orders", "orders"},
        "+group:gold": {"raw/orders", "orders", "summary"},
        "1+group:gold": {"orders", "summary"},
        "group:bronze+": {"raw/orders", "orders", "summary"},
        "tag:team=data-eng": {"orders"},
        "kind:duckdb": {"raw/orders"},
        "key:raw/*": {"raw/orders"},
        "*": {"raw/orders", "orders", "summary"},
    }
    for text, selected in expected.items():
        result = parse_selection(text)
        assert isinstance(result, Selection), result
        assert keys(text) == selected, text
        assert keys(result.dagster) == selected, result.dagster
    asset = parse_selection("+asset:raw/orders+1")
    assert isinstance(asset, Selection)
    assert keys(asset.dagster) == {"raw/orders", "orders"}


def test_a_very_long_depth_is_not_a_crash() -> None:
    result = parse_selection("9" * 5000 + "+group:bronze")
    assert isinstance(result, Selection) and result.upstream == 10**9
