"""Stage `load`: spans, and every way a file can be unreadable as configuration."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from floec.diagnostics.model import Diagnostic
from floec.source import SourceFile, decode, read_source
from floec.span import Span
from floec.syntax.load import MAX_DEPTH, compose_documents, load_config
from floec.syntax.tree import (
    Entry,
    MappingNode,
    ScalarNode,
    SequenceNode,
    new_entry,
    new_mapping,
    new_scalar,
    walk,
)


def load(text: str) -> tuple[MappingNode | None, list[Diagnostic]]:
    tree, diagnostics = load_config(SourceFile("f.yaml", text))
    root = tree.root if tree else None
    assert root is None or isinstance(root, MappingNode)
    return root, diagnostics


def codes(text: str) -> list[str]:
    return [d.code for d in load(text)[1]]


def test_every_node_has_an_exact_span() -> None:
    root, diagnostics = load("name: orders\nlist:\n  - 'a b'\n  - {x: 1}\n")
    assert diagnostics == []
    assert root is not None
    name = root.get("name")
    assert name is not None
    assert (name.key.span.start.line, name.key.span.start.column) == (0, 0)
    value = name.value
    assert isinstance(value, ScalarNode)
    assert (value.span.start.column, value.span.end.column) == (6, 12)
    items = root.get("list")
    assert items is not None and isinstance(items.value, SequenceNode)
    quoted = items.value.items[0]
    assert isinstance(quoted, ScalarNode) and quoted.style == "'"
    assert (quoted.span.start.line, quoted.span.start.column, quoted.span.end.column) == (2, 4, 9)


def test_columns_count_code_points() -> None:
    root, _ = load("a: 'é😀'\nb: x\n")
    assert root is not None
    entry = root.get("a")
    assert entry is not None
    assert (entry.value.span.start.column, entry.value.span.end.column) == (3, 7)


def test_duplicate_key_points_at_second_and_relates_first() -> None:
    _, diagnostics = load("a: 1\nb: 2\na: 3\n")
    (duplicate,) = diagnostics
    assert duplicate.code == "FLC005"
    assert duplicate.span is not None and duplicate.span.start.line == 2
    assert duplicate.related[0].span.start.line == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "FLC010"),
        ("# only a comment\n", "FLC010"),
        ("---\n", "FLC010"),
        ("- a\n- b\n", "FLC011"),
        ("just a string\n", "FLC011"),
        ("a: 1\n---\nb: 2\n", "FLC006"),
        ("a:\n\tb: 1\n", "FLC009"),
        ("a: [1, 2\n", "FLC004"),
        ("a: b: c\n", "FLC004"),
        ("a: *nowhere\n", "FLC004"),
        ("a: \x00\n", "FLC004"),
        ("a: !custom x\n", "FLC012"),
        ("a: &x [1]\nb:\n  <<: *x\n", "FLC013"),
        ("a: &x [*x]\n", "FLC007"),
    ],
)
def test_bad_documents_give_one_diagnostic(text: str, code: str) -> None:
    assert codes(text) == [code]


def test_nesting_limit() -> None:
    just_inside = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert codes(just_inside) == []
    too_deep = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert codes(too_deep) == ["FLC008"]
    # Far deeper than the Python stack allows: still a diagnostic, not a RecursionError.
    assert codes("a: " + "[" * 50_000 + "\n") == ["FLC008"]


def test_billion_laughs_is_rejected_fast_and_small() -> None:
    lines = ['l0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = "\n".join(lines) + "\n"
    tracemalloc.start()
    started = time.perf_counter()
    result = codes(text)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result == ["FLC007"]
    assert elapsed < 1.0
    assert peak < 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "nodes"),
    [
        # *x stands for 5 nodes (the list, 1, the inner list, 2, 3); *y for 4 (its mapping, k,
        # the list, 4)
        ("a: &x [1, [2, 3]]\nb: *x\nc: &y {k: [4]}\nd: *y\n", 9),
        # *x stands for 5; *y for 7 (its mapping, k, and what *x stands for)
        ("a: &x [1, [2, 3]]\nb: &y {k: *x}\nc: *y\n", 12),
        # as above, *y twice; *s for its one scalar
        ("a: &x [1, [2, 3]]\nb: &y {k: *x}\nc: [*y, *y]\nd: &s v\ne: *s\n", 20),
    ],
)
def test_the_alias_budget_counts_every_node_an_alias_stands_for(
    text: str, nodes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOEC_MAX_ALIAS_NODES", str(nodes))
    assert codes(text) == []
    monkeypatch.setenv("FLOEC_MAX_ALIAS_NODES", str(nodes - 1))
    assert codes(text) == ["FLC007"]


def test_the_loaders_constructors_make_what_attrs_makes() -> None:
    span = Span.of("f.yaml", 1, 2, 1, 5)
    scalar = new_scalar("abc", "'", None, span)
    assert repr(scalar) == repr(ScalarNode("abc", "'", None, span))
    entry = new_entry(scalar, scalar)
    assert (entry.key, entry.value, entry.merged) == (scalar, scalar, False)
    mapping = new_mapping((entry,), "!t", span, True)
    assert repr(mapping) == repr(MappingNode((Entry(scalar, scalar),), "!t", span, True))
    with pytest.raises(AttributeError):  # still frozen
        scalar.value = "x"  # type: ignore[misc]


def test_aliases_share_nodes_and_merge_keys_merge() -> None:
    root, diagnostics = load("base: &b {type: duckdb, threads: 4}\nprod:\n  <<: *b\n  threads: 8\n")
    assert diagnostics == []
    assert root is not None
    prod = root.get("prod")
    assert prod is not None and isinstance(prod.value, MappingNode)
    values = {
        e.key.value: e.value.value
        for e in prod.value.entries
        if isinstance(e.key, ScalarNode) and isinstance(e.value, ScalarNode)
    }
    assert values == {"threads": "8", "type": "duckdb"}  # the explicit key wins
    assert [e.merged for e in prod.value.entries] == [False, True]


def test_walk_visits_shared_nodes_once() -> None:
    root, _ = load("a: &x {k: v}\nb: *x\nc: *x\n")
    assert root is not None
    scalars = [n.value for n in walk(root) if isinstance(n, ScalarNode)]
    assert scalars.count("k") == 1


def test_multi_document_streams_for_the_lint() -> None:
    documents, diagnostics = compose_documents(SourceFile("k.yaml", "a: 1\n---\nb: !Ref x\n"))
    assert diagnostics == []  # custom tags are fine in arbitrary YAML; they are not constructed
    assert len(documents.trees) == 2


def test_decode_accepts_bom_and_reports_the_first_bad_byte() -> None:
    source = decode(b"\xef\xbb\xbfa: 1\n", "f.yaml")
    assert isinstance(source, SourceFile) and source.text == "a: 1\n"
    bad = decode(b"a: 1\nb: caf\xe9\n", "f.yaml")
    assert isinstance(bad, Diagnostic) and bad.code == "FLC003"
    assert bad.span is not None
    assert (bad.span.start.line, bad.span.start.column) == (1, 6)
    assert "0xe9" in bad.message
    utf16 = decode("a: 1\n".encode("utf-16"), "f.yaml")
    assert isinstance(utf16, Diagnostic) and "UTF-16" in utf16.message


def test_missing_and_directory_inputs(tmp_path: object) -> None:
    missing = read_source("/nonexistent/floe.yaml")
    assert isinstance(missing, Diagnostic) and missing.code == "FLC001"
    directory = read_source("/")
    assert isinstance(directory, Diagnostic) and directory.code == "FLC002"


def test_carriage_returns_do_not_shift_lines() -> None:
    source = SourceFile("f.yaml", "a: 1\r\nb: [\r\n")
    _, diagnostics = load_config(source)
    assert diagnostics[0].span is not None
    assert source.line(1) == "b: ["
