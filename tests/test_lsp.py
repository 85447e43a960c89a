"""`floec lsp` driven over stdio by a real LSP client (pytest-lsp), as an editor would.

Each test copies the example project (the four environments and the customer-analytics
pipeline) to a temporary folder, opens documents, edits them and reads what the server sends.
Every wait has a timeout: a server that does not answer fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import shutil
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.conftest import ROOT, run_floec

TIMEOUT = 20.0
SECRET = "s3cr3t-Value-That-Leaks-42"

TEST_TIMEOUT = 60.0


def bounded(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Fail a test that takes longer than TEST_TIMEOUT instead of hanging the suite."""

    @functools.wraps(test)
    async def run(*args: object, **kwargs: object) -> None:
        await asyncio.wait_for(test(*args, **kwargs), TEST_TIMEOUT)

    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "platform", tmp_path / "platform")
    shutil.copytree(ROOT / "examples" / "customer-analytics", tmp_path / "pipelines" / "orders")
    return tmp_path


@pytest_lsp.fixture(  # type: ignore[untyped-decorator]
    config=ClientServerConfig(server_command=[sys.executable, "-m", "floec", "lsp", "--stdio"])
)
async def client(lsp_client: LanguageClient, project: Path):
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=project.as_uri(),
        workspace_folders=[types.WorkspaceFolder(project.as_uri(), "project")],
        initialization_options={"debounceMs": 0},
    )
    await asyncio.wait_for(lsp_client.initialize_session(params), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


# -- helpers ------------------------------------------------------------------------------------


def uri(path: Path) -> str:
    return path.as_uri()


def floe(project: Path) -> Path:
    return project / "pipelines" / "orders" / "floe.yaml"


def platform(project: Path, env: str) -> Path:
    return project / "platform" / env / "platform.yaml"


Diagnostics = tuple[types.Diagnostic, ...]


async def wait_diagnostics(
    client: LanguageClient, path: Path, until: Callable[[Diagnostics], bool]
) -> Diagnostics:
    """The diagnostics of `path` once `until` holds for them (the server publishes a new list
    after every edit; earlier lists may be there already)."""

    async def poll() -> Diagnostics:
        while True:
            found = client.diagnostics.get(uri(path))
            if found is not None and until(tuple(found)):
                return tuple(found)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(poll(), TIMEOUT)


def open_doc(client: LanguageClient, path: Path, text: str | None = None) -> str:
    text = path.read_text() if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri(path), "yaml", 1, text))
    )
    return text


_versions: dict[str, int] = {}


def change(client: LanguageClient, path: Path, text: str) -> None:
    version = _versions.get(uri(path), 1) + 1
    _versions[uri(path)] = version
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri(path)),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def codes(found: Diagnostics) -> set[str]:
    return {str(d.code) for d in found}


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line, index - (text.rfind("\n", 0, index) + 1))


# -- diagnostics --------------------------------------------------------------------------------


@bounded
async def test_a_typo_in_a_profile_name_appears_at_its_range_and_goes_when_fixed(
    client: LanguageClient, project: Path
) -> None:
    path = floe(project)
    text = open_doc(client, path)
    await wait_diagnostics(client, path, lambda found: "FLC301" not in codes(found))
    typo = text.replace("catalog: default", "catalog: defualt")
    change(client, path, typo)
    found = await wait_diagnostics(client, path, lambda found: "FLC301" in codes(found))
    unknown = [d for d in found if d.code == "FLC301"]
    assert len(unknown) == 4  # one per environment
    start = position_of(typo, "defualt")
    for diagnostic in unknown:
        assert diagnostic.range.start == start
        assert diagnostic.range.end == types.Position(start.line, start.character + 7)
        assert diagnostic.source == "floec"
        assert diagnostic.severity == types.DiagnosticSeverity.Error
        assert "did you mean 'default'" in diagnostic.message
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href.endswith("FLC301.md")
        assert Path(diagnostic.code_description.href.removeprefix("file://")).is_file()
        related = diagnostic.related_information or []
        assert related and related[0].location.uri.startswith(uri(project / "platform"))
    assert {d.message.split("environment '")[1].split("'")[0] for d in unknown} == {
        "dev",
        "local",
        "prod",
        "staging",
    }
    change(client, path, text)
    await wait_diagnostics(client, path, lambda found: "FLC301" not in codes(found))


@bounded
async def test_editing_a_platform_re_diagnoses_the_floe_yaml_bound_to_it(
    client: LanguageClient, project: Path
) -> None:
    pipeline, dev = floe(project), platform(project, "dev")
    open_doc(client, pipeline)
    await wait_diagnostics(client, pipeline, lambda found: "FLC301" not in codes(found))
    dev_text = open_doc(client, dev)
    # rename dev's catalog in the unsaved buffer: the floe.yaml (not saved, not touched) breaks
    change(client, dev, dev_text.replace("catalogs:\n  default:", "catalogs:\n  main:"))
    found = await wait_diagnostics(client, pipeline, lambda found: "FLC301" in codes(found))
    messages = [d.message for d in found if d.code == "FLC301"]
    assert len(messages) == 1 and "environment 'dev'" in messages[0]
    assert "available: main" in messages[0]
    change(client, dev, dev_text)
    await wait_diagnostics(client, pipeline, lambda found: "FLC301" not in codes(found))


def fix_text(text: str) -> str:
    return text.replace("compute:\n  default:\n", "compute:\n  default:\n    tipe: x\n")


@bounded
async def test_a_platform_yaml_gets_its_schema_and_credential_diagnostics(
    client: LanguageClient, project: Path
) -> None:
    path = platform(project, "local")
    text = open_doc(client, path)
    await wait_diagnostics(client, path, lambda found: not found)
    change(
        client, path, text.replace("compute:\n  default:\n", "compute:\n  default:\n    tipe: x\n")
    )
    found = await wait_diagnostics(client, path, lambda found: "FLC101" in codes(found))
    unknown = next(d for d in found if d.code == "FLC101")
    assert "did you mean 'type'" in unknown.message
    actions = await actions_for(client, path, unknown)
    fix = next(a for a in actions if a.title == "Replace with 'type'")
    assert fix.edit is not None and fix.edit.changes is not None
    assert "    type: x\n" in apply(fix_text(text), fix.edit.changes[uri(path)])


# -- completion ---------------------------------------------------------------------------------


@bounded
async def test_completion_offers_fields_with_descriptions_enums_and_profiles(
    client: LanguageClient, project: Path
) -> None:
    path = floe(project)
    text = open_doc(client, path)
    # a field name on a new top-level line: the schema's fields not yet present
    edited = text + "\n"
    change(client, path, edited)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(path)), types.Position(edited.count("\n"), 0)
        )
    )
    assert result is not None
    items = {i.label: i for i in (result.items if hasattr(result, "items") else result)}
    assert "platform" in items and "name" not in items  # `name` is already there
    documentation = items["platform"].documentation
    assert documentation is not None and "platform" in str(documentation).lower()

    # a profile name: from every environment, saying where it is missing
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(path)), position_of(text, "compute: default", 9)
        )
    )
    assert result is not None
    items = {i.label: i for i in (result.items if hasattr(result, "items") else result)}
    assert set(items) >= {"default", "reporting"}
    assert "missing in" not in (items["default"].detail or "")
    assert "missing in dev, local, staging" in (items["reporting"].detail or "")

    # an enum value in platform.yaml, chosen through `$ref`
    local = platform(project, "local")
    local_text = open_doc(client, local)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(local)), position_of(local_text, "type: duckdb", 6)
        )
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert {"duckdb", "postgres", "snowflake", "trino"} <= labels

    # nested fields, and an enum narrowed by the profile's `type` (if/then in the schema)
    typing = local_text.replace(
        "      threads: 4\n", "      threads: 4\n    credentials:\n      mode: \n      \n"
    )
    change(client, local, typing)
    mode_at = position_of(typing, "mode: ", 6)
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri(local)), mode_at)
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert labels == {"static"}  # duckdb takes static credentials only
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(local)), types.Position(mode_at.line + 1, 6)
        )
    )
    assert result is not None
    items = {i.label: i for i in (result.items if hasattr(result, "items") else result)}
    assert "secret_ref" in items and "mode" not in items
    assert "secret" in str(items["secret_ref"].documentation).lower()


@bounded
async def test_completion_of_secret_names_used_in_the_workspace(
    client: LanguageClient, project: Path
) -> None:
    path = platform(project, "staging")
    text = open_doc(client, path) + "\nextra:\n  password: {secret_ref: \n"
    change(client, path, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(path)),
            types.Position(text.count("\n") - 1, len("  password: {secret_ref: ")),
        )
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert {"polaris-prod", "snowflake-prod"} <= labels  # used in prod's platform.yaml


# -- hover --------------------------------------------------------------------------------------


@bounded
async def test_hover_on_a_profile_reference_shows_each_environment_without_secrets(
    client: LanguageClient, project: Path
) -> None:
    path = floe(project)
    text = open_doc(client, path)
    result = await client.text_document_hover_async(
        types.HoverParams(
            types.TextDocumentIdentifier(uri(path)), position_of(text, "catalog: default", 9)
        )
    )
    assert result is not None
    shown = str(result.contents.value if hasattr(result.contents, "value") else result.contents)
    for env in ("local", "dev", "staging", "prod"):
        assert f"**{env}**" in shown
    assert "type `polaris`" in shown
    assert "secret_ref `polaris-prod`" in shown  # prod's uri comes from a secret: its name
    assert "oauth2" in shown

    result = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri(path)), position_of(text, "version"))
    )
    assert result is not None
    assert "version" in str(result.contents).lower()


# -- navigation ---------------------------------------------------------------------------------


@bounded
async def test_definition_and_references_of_profiles_across_files(
    client: LanguageClient, project: Path
) -> None:
    path = floe(project)
    text = open_doc(client, path)
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            types.TextDocumentIdentifier(uri(path)), position_of(text, "catalog: default", 10)
        )
    )
    assert isinstance(result, list)
    assert {loc.uri for loc in result} == {
        uri(platform(project, e)) for e in ("local", "dev", "staging", "prod")
    }
    prod_text = platform(project, "prod").read_text()
    prod_location = next(loc for loc in result if "prod" in loc.uri)
    assert prod_location.range.start == position_of(prod_text, "catalogs:\n  default", 12)

    # from the profile in platform.yaml to every floe.yaml using it
    prod = platform(project, "prod")
    open_doc(client, prod)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri(prod)),
            position=position_of(prod_text, "catalogs:\n  default", 12),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert refs is not None
    assert [(loc.uri, loc.range.start) for loc in refs if loc.uri == uri(path)] == [
        (uri(path), position_of(text, "catalog: default", 9))
    ]
    # anything else is a layer of prod naming the catalog (when the platform has layers)
    for loc in refs:
        if loc.uri != uri(path):
            assert loc.uri == uri(prod)
            assert prod_text.split("\n")[loc.range.start.line].strip() == "catalog_ref: default"


ORCHESTRATION = """
orchestration:
  partitions:
    daily_partition:
      type: time_window
      start: "2024-01-01"
      cron_schedule: "0 0 * * *"
  assets:
    orders:
      partitions: daily_partition
  jobs:
    bronze_job:
      type: batch
      selection: ["group:bronze"]
    silver_job:
      type: batch
      selection: ["group:silver"]
  schedules:
    nightly:
      job: bronze_job
      cron_schedule: "0 2 * * *"
  sensors:
    after_bronze:
      type: run_status
      job: silver_job
      watched_jobs: [bronze_job]
      status: SUCCESS
"""


@bounded
async def test_job_and_partition_references_complete_and_navigate(
    client: LanguageClient, project: Path
) -> None:
    """Over the syntax tree by key path: works whether or not the schema accepts the block yet
    (no assertion on its diagnostics)."""
    path = floe(project)
    text = path.read_text() + ORCHESTRATION
    open_doc(client, path, text)
    ident = types.TextDocumentIdentifier(uri(path))

    result = await client.text_document_completion_async(
        types.CompletionParams(ident, position_of(text, "job: bronze_job", 5))
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert {"bronze_job", "silver_job"} <= labels

    found = await client.text_document_definition_async(
        types.DefinitionParams(ident, position_of(text, "job: bronze_job", 6))
    )
    assert isinstance(found, list) and len(found) == 1
    assert found[0].range.start == position_of(text, "bronze_job:")

    found = await client.text_document_definition_async(
        types.DefinitionParams(ident, position_of(text, "partitions: daily_partition", 13))
    )
    assert isinstance(found, list) and len(found) == 1
    assert found[0].range.start == position_of(text, "daily_partition:")

    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=ident,
            position=position_of(text, "bronze_job:"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    assert sorted(loc.range.start.line for loc in refs) == sorted(
        [
            position_of(text, "bronze_job:").line,
            position_of(text, "job: bronze_job").line,
            position_of(text, "watched_jobs: [bronze_job]").line,
        ]
    )

    # typing a new reference in a half-written line still completes
    typing = text + "  backfills:\n    catch_up:\n      job: sil"
    change(client, path, typing)
    result = await client.text_document_completion_async(
        types.CompletionParams(ident, types.Position(typing.count("\n"), len("      job: sil")))
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert "silver_job" in labels


# -- code actions -------------------------------------------------------------------------------


async def actions_for(
    client: LanguageClient, path: Path, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri(path)),
            diagnostic.range,
            types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    lines = text.split("\n")
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        start, end = edit.range.start, edit.range.end
        before = lines[start.line][: start.character]
        after = lines[end.line][end.character :]
        lines[start.line : end.line + 1] = (before + edit.new_text + after).split("\n")
    return "\n".join(lines)


@bounded
async def test_quick_fix_applies_the_did_you_mean(client: LanguageClient, project: Path) -> None:
    path = floe(project)
    text = open_doc(client, path)
    typo = text.replace("catalog: default", "catalog: defualt")
    change(client, path, typo)
    found = await wait_diagnostics(client, path, lambda found: "FLC301" in codes(found))
    actions = await actions_for(client, path, next(d for d in found if d.code == "FLC301"))
    fix = next(a for a in actions if a.title == "Replace with 'default'")
    assert fix.is_preferred
    assert fix.edit is not None and fix.edit.changes is not None
    assert apply(typo, fix.edit.changes[uri(path)]) == text


@bounded
async def test_quick_fixes_for_a_plain_secret_never_show_it(
    client: LanguageClient, project: Path
) -> None:
    path = platform(project, "staging")
    text = path.read_text()
    leaky = text.replace(
        "credentials:\n      mode: oauth2\n",
        f"credentials:\n      mode: oauth2\n      client_secret: {SECRET}\n",
        1,
    )
    assert leaky != text
    open_doc(client, path, leaky)
    found = await wait_diagnostics(client, path, lambda found: "FLC202" in codes(found))
    plain = next(d for d in found if d.code == "FLC202")
    actions = await actions_for(client, path, plain)
    replace = next(a for a in actions if "secret_ref" in a.title)
    assert replace.edit is not None and replace.edit.changes is not None
    fixed = apply(leaky, replace.edit.changes[uri(path)])
    assert SECRET not in fixed
    assert "client_secret: {secret_ref: catalogs-default-client-secret}" in fixed
    suppress = next(a for a in actions if a.title.startswith("Suppress FLC202"))
    assert suppress.edit is not None and suppress.edit.changes is not None
    suppressed = apply(leaky, suppress.edit.changes[uri(path)])
    assert "# floec: ignore[FLC202]" in suppressed.split("\n")[plain.range.start.line]

    # nothing the server sends carries the secret: diagnostics, actions, hover, symbols
    ident = types.TextDocumentIdentifier(uri(path))
    responses: list[object] = [found, actions]
    line = leaky.split("\n")[plain.range.start.line]
    for character in range(len(line) + 1):
        responses.append(
            await client.text_document_hover_async(
                types.HoverParams(ident, types.Position(plain.range.start.line, character))
            )
        )
    floe_text = open_doc(client, floe(project))
    responses.append(
        await client.text_document_hover_async(
            types.HoverParams(
                types.TextDocumentIdentifier(uri(floe(project))),
                position_of(floe_text, "catalog: default", 9),
            )
        )
    )
    responses.append(
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(ident))
    )
    responses.append(
        await client.text_document_completion_async(
            types.CompletionParams(ident, types.Position(plain.range.start.line, len(line)))
        )
    )
    dumped = json.dumps([str(r) for r in responses])
    assert "Leaks" not in dumped and SECRET not in dumped


# -- structure ----------------------------------------------------------------------------------


@bounded
async def test_document_symbols_and_folding(client: LanguageClient, project: Path) -> None:
    path = platform(project, "prod")
    text = open_doc(client, path)
    ident = types.TextDocumentIdentifier(uri(path))
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(ident))
    assert symbols is not None
    top = {s.name: s for s in symbols if isinstance(s, types.DocumentSymbol)}
    assert {"version", "storage", "catalogs", "compute", "observability"} <= set(top)
    assert next(iter(top)) == "version"
    catalogs = top["catalogs"].children or []
    assert [(c.name, c.detail) for c in catalogs] == [
        ("default", "polaris"),
        ("production", "glue"),
    ]
    assert top["catalogs"].selection_range.start == position_of(text, "catalogs:")

    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(ident))
    assert folds is not None
    starts = {f.start_line: f.end_line for f in folds}
    catalogs_line = position_of(text, "catalogs:").line
    compute_line = position_of(text, "compute:").line
    assert starts[catalogs_line] == compute_line - 2  # up to the blank line before compute


@bounded
async def test_the_editor_and_floec_check_report_the_same_diagnostics(
    client: LanguageClient, project: Path
) -> None:
    """One workspace model: on saved files with problems in both kinds, the server publishes
    what `floec check --format json` prints (code, severity and range)."""
    pipeline, staging = floe(project), platform(project, "staging")
    pipeline.write_text(pipeline.read_text().replace("compute: default", "compute: defualt"))
    staging.write_text(
        staging.read_text().replace("compute:\n  default:\n", "compute:\n  default:\n    tipe: x\n")
    )
    printed = run_floec("check", "--format", "json", str(pipeline.parent))
    assert printed.code == 1
    expected: dict[str, set[tuple[str, str, int, int, int, int]]] = {}
    for item in json.loads(printed.stdout):
        r = item["range"]
        key = (item["code"], item["severity"], r["start"]["line"], r["start"]["character"],
               r["end"]["line"], r["end"]["character"])  # fmt: skip
        expected.setdefault(str(Path(item["file"]).resolve()), set()).add(key)
    assert set(expected) == {str(pipeline), str(staging)}
    names = {1: "error", 2: "warning", 3: "info", 4: "hint"}
    for path in (pipeline, staging):
        open_doc(client, path)
        found = await wait_diagnostics(client, path, lambda found: bool(found))
        published = {
            (str(d.code), names[int(d.severity or 1)], d.range.start.line,
             d.range.start.character, d.range.end.line, d.range.end.character)
            for d in found
        }  # fmt: skip
        assert published == expected[str(path)]


# -- smaller features ---------------------------------------------------------------------------


@bounded
async def test_hover_on_a_rule_in_a_suppression_comment(
    client: LanguageClient, project: Path
) -> None:
    path = platform(project, "dev")
    text = path.read_text().replace(
        "version: 1.0.0", "version: 1.0.0  # floec: ignore[FLC201, high-entropy-string]", 1
    )
    open_doc(client, path, text)
    ident = types.TextDocumentIdentifier(uri(path))
    for needle, expected in (("FLC201", "FLC201"), ("high-entropy", "FLC218")):
        result = await client.text_document_hover_async(
            types.HoverParams(ident, position_of(text, needle, 2))
        )
        assert result is not None
        assert f"**{expected}**" in str(result.contents)


@bounded
async def test_environment_names_complete_where_a_dbt_target_is_named(
    client: LanguageClient, project: Path
) -> None:
    path = floe(project)
    text = path.read_text().replace("    path: dbt\n", "    path: dbt\n    target: \n")
    open_doc(client, path, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(path)), position_of(text, "target: ", 8)
        )
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert {"local", "dev", "staging", "prod"} <= labels


@bounded
async def test_layer_references_in_a_platform_complete_and_navigate(
    client: LanguageClient, project: Path
) -> None:
    """`layers` may not be in the schema yet: no assertion on diagnostics."""
    path = platform(project, "staging")
    text = path.read_text() + (
        "layers:\n  bronze:\n    storage_ref: archive\n    catalog_ref: default\n"
        "    namespace: bronze\n"
    )
    open_doc(client, path, text)
    ident = types.TextDocumentIdentifier(uri(path))
    result = await client.text_document_completion_async(
        types.CompletionParams(ident, position_of(text, "storage_ref: archive", 13))
    )
    assert result is not None
    labels = {i.label for i in (result.items if hasattr(result, "items") else result)}
    assert labels >= {"default", "archive"}
    found = await client.text_document_definition_async(
        types.DefinitionParams(ident, position_of(text, "storage_ref: archive", 14))
    )
    assert isinstance(found, list) and len(found) == 1
    assert found[0].range.start == position_of(text, "archive:")


@bounded
async def test_hover_never_shows_the_user_part_of_an_endpoint_url(
    client: LanguageClient, project: Path
) -> None:
    dev = platform(project, "dev")
    text = dev.read_text()
    start = text.index("catalogs:")
    uri_line = text.index("    uri:", start)
    end = text.index("\n", uri_line)
    dev.write_text(
        text[:uri_line] + "    uri: https://floe:Pa55-w0rd-XYZ@polaris.dev/api/catalog" + text[end:]
    )
    path = floe(project)
    floe_text = open_doc(client, path)
    result = await client.text_document_hover_async(
        types.HoverParams(
            types.TextDocumentIdentifier(uri(path)), position_of(floe_text, "catalog: default", 9)
        )
    )
    assert result is not None
    shown = str(result.contents)
    assert "polaris.dev" in shown or "hidden" in shown
    assert "Pa55" not in shown and "floe:" not in shown


@bounded
async def test_save_publishes_and_close_clears(client: LanguageClient, project: Path) -> None:
    path = floe(project)
    text = open_doc(client, path)
    await wait_diagnostics(client, path, lambda found: not found)
    # a burst of edits: the last text wins
    for i in range(5):
        change(client, path, text.replace("catalog: default", f"catalog: typo{i}"))
    found = await wait_diagnostics(
        client, path, lambda found: any("'typo4'" in d.message for d in found)
    )
    assert not any("'typo3'" in d.message for d in found)
    path.write_text(text.replace("compute: default", "compute: nope"))
    change(client, path, path.read_text())
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri(path)))
    )
    await wait_diagnostics(client, path, lambda found: any("'nope'" in d.message for d in found))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri(path)))
    )
    await wait_diagnostics(client, path, lambda found: not found)


def test_the_cursor_and_schema_walkers_doctests() -> None:
    import doctest

    from floec.lsp import cursor, schema_nav

    for module in (cursor, schema_nav):
        failures, tried = doctest.testmod(module)
        assert tried and not failures, module.__name__


@bounded
async def test_a_new_environment_on_disk_is_picked_up_when_the_client_reports_it(
    client: LanguageClient, project: Path
) -> None:
    path = floe(project)
    open_doc(client, path)
    await wait_diagnostics(client, path, lambda found: not found)
    qa = platform(project, "qa")
    qa.parent.mkdir()
    qa.write_text(
        platform(project, "local").read_text().replace("catalogs:\n  default", "catalogs:\n  qa")
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(uri(qa), types.FileChangeType.Created)])
    )
    found = await wait_diagnostics(client, path, lambda found: "FLC301" in codes(found))
    assert ["environment 'qa'" in d.message for d in found] == [True]
