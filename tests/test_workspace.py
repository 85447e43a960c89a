"""The workspace shared by `floec check` and `floec lsp`: buffers over disk, results by the hash
of the text, and which floe.yaml files an edited platform.yaml re-diagnoses."""

from __future__ import annotations

from pathlib import Path

import pytest

from floec import frontend
from floec.diagnostics.model import Diagnostic
from floec.source import SourceFile
from floec.workspace import MemoryCache, Workspace

PLATFORM = """version: 1.0.0
storage:
  default: {type: local, path: target/warehouse}
catalogs:
  default: {type: sql, uri: "sqlite:///target/catalog.db"}
compute:
  default: {type: duckdb}
"""
PIPELINE = "name: {name}\nversion: 1.0.0\ncatalog: default\n"


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, str]:
    """Two projects: `a` with environments dev and prod and two pipelines; `b` with its own."""
    return {
        "dev": write(tmp_path / "a/platform/dev/platform.yaml", PLATFORM),
        "prod": write(tmp_path / "a/platform/prod/platform.yaml", PLATFORM),
        "p1": write(tmp_path / "a/pipelines/one/floe.yaml", PIPELINE.format(name="one")),
        "p2": write(tmp_path / "a/pipelines/two/floe.yaml", PIPELINE.format(name="two")),
        "other": write(tmp_path / "b/platform/x/platform.yaml", PLATFORM),
        "p3": write(tmp_path / "b/floe.yaml", PIPELINE.format(name="three")),
    }


def workspace_of(files: dict[str, str], cache: MemoryCache | None = None) -> Workspace:
    workspace = Workspace(name_of=lambda p: p, cache=cache)
    for path in files.values():
        workspace.add(path)
    return workspace


def codes(found: tuple[Diagnostic, ...]) -> list[str]:
    return [d.code for d in found]


def test_each_floe_yaml_depends_on_its_projects_platforms(tree: dict[str, str]) -> None:
    workspace = workspace_of(tree)
    assert workspace.environments_of(tree["p1"]) == (tree["dev"], tree["prod"])
    assert workspace.environments_of(tree["p3"]) == (tree["other"],)
    assert workspace.affected_by(tree["dev"]) == (tree["dev"], tree["p1"], tree["p2"])
    assert workspace.affected_by(tree["other"]) == (tree["other"], tree["p3"])
    assert workspace.affected_by(tree["p1"]) == (tree["p1"],)


def test_an_unsaved_buffer_overrides_the_file_until_dropped(tree: dict[str, str]) -> None:
    workspace = workspace_of(tree)
    assert codes(workspace.diagnostics(tree["p1"])) == []
    workspace.set_text(tree["dev"], PLATFORM.replace("catalogs:\n  default", "catalogs:\n  main"))
    found = workspace.diagnostics(tree["p1"])
    assert codes(found) == ["FLC301"]
    assert "environment 'dev'" in found[0].message
    assert codes(workspace.diagnostics(tree["p2"])) == ["FLC301"]
    assert codes(workspace.diagnostics(tree["p3"])) == []  # another project
    workspace.drop_text(tree["dev"])
    assert codes(workspace.diagnostics(tree["p1"])) == []


def test_an_unchanged_text_is_never_read_again(
    tree: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    real = frontend.check_source

    def counting(source, kind=None):
        read.append(source.name)
        return real(source, kind)

    monkeypatch.setattr(frontend, "check_source", counting)
    workspace = workspace_of(tree)
    for path in tree.values():
        workspace.diagnostics(path)
    assert sorted(read) == sorted(tree.values())
    read.clear()
    workspace.set_text(tree["prod"], PLATFORM + "# edited\n")
    for path in workspace.affected_by(tree["prod"]):
        workspace.diagnostics(path)
    assert read == [tree["prod"]]  # the pipelines' own texts did not change


def test_only_the_dependents_of_an_edited_platform_are_recomputed(tree: dict[str, str]) -> None:
    cache = MemoryCache()
    workspace = workspace_of(tree, cache)
    for path in tree.values():
        workspace.diagnostics(path)
    misses = cache.misses
    workspace.set_text(tree["dev"], PLATFORM + "# edited\n")
    for path in tree.values():
        workspace.diagnostics(path)
    # dev, p1 and p2 whole; inside them dev's own checks and the binding of p1 and p2 against
    # it; prod, other and p3 are hits
    assert cache.misses - misses == 6


def test_the_result_cache_is_shared_between_workspaces(
    tree: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a cache on disk will do across runs: a second workspace over the same texts finds
    every file's whole result, and runs no stage at all (pinned, as `floec check` is)."""
    cache = MemoryCache()
    first = Workspace(cache=cache, pinned=True)
    for path in tree.values():
        first.add(path)
    expected = {path: first.diagnostics(path) for path in tree.values()}
    hits = cache.hits

    def never(*_: object) -> None:
        raise AssertionError("the front end ran on a cached file")

    monkeypatch.setattr(frontend, "check_source", never)
    second = Workspace(cache=cache, pinned=True)
    for path in tree.values():
        second.add(path)
    assert {path: second.diagnostics(path) for path in tree.values()} == expected
    assert cache.hits - hits == len(tree)
    assert set(second.sources()) == {second.name_of(p) for p in tree.values()}  # for snippets


def test_check_binds_only_against_the_platforms_it_is_given(tree: dict[str, str]) -> None:
    workspace = Workspace(pinned=True)
    workspace.add(tree["p1"])
    workspace.add(tree["other"])
    assert workspace.environments_of(tree["p1"]) == (tree["other"],)


def test_each_file_is_linted_once_and_its_findings_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workspace lints each file from the front end's tree; the binding and credential
    checks do not lint it again (a second lint could only find the same)."""
    import floec.passes.lint_credentials as lint

    platform = PLATFORM.replace(
        "compute:\n  default: {type: duckdb}",
        "compute:\n  default: {type: duckdb}\n# api_key: AKIAIOSFODNN7EXAMPLE\n",
    )
    files = {
        "platform": write(tmp_path / "platform/dev/platform.yaml", platform),
        "floe": write(tmp_path / "floe.yaml", PIPELINE.format(name="one")),
    }
    linted: list[str] = []
    real = lint.lint_credentials

    def counted(source: SourceFile, documents: object = None) -> list[Diagnostic]:
        linted.append(source.name)
        return real(source, documents)  # type: ignore[arg-type]

    monkeypatch.setattr(lint, "lint_credentials", counted)
    workspace = Workspace(pinned=True)
    for path in files.values():
        workspace.add(path)
    found = [d for path in files.values() for d in workspace.diagnostics(path)]
    assert sorted(linted) == sorted(workspace.name_of(p) for p in files.values())
    flagged = [d for d in found if d.code.startswith("FLC2")]
    assert len(flagged) == 1 and flagged[0].path == workspace.name_of(files["platform"])


def test_the_collector_resumes_after_a_check_and_keeps_what_was_frozen(
    tree: dict[str, str],
) -> None:
    import gc

    gc.unfreeze()  # what earlier tests froze (`floec lint` freezes its heap) is not ours
    assert gc.isenabled()
    workspace = workspace_of(tree)
    workspace.diagnostics(tree["p1"])
    assert gc.isenabled() and gc.get_freeze_count() == 0
    frozen = [[index] for index in range(3)]  # lists: tracked by the collector
    gc.freeze()
    try:
        workspace.set_text(tree["dev"], PLATFORM + "# edited\n")
        workspace.diagnostics(tree["dev"])
        assert gc.isenabled() and gc.get_freeze_count() > 0
        # still in the permanent generation: no generation the collector visits holds them
        visited = {id(o) for o in gc.get_objects()}
        assert not any(id(item) in visited for item in frozen)
    finally:
        gc.unfreeze()
    visited = {id(o) for o in gc.get_objects()}
    assert all(id(item) in visited for item in frozen)
