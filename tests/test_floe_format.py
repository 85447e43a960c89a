"""Every field of floe-runtime's format (tests/data/floe-format-reference.md, §1–§4) is accepted
by floec's schemas: a test walks the reference's tables against the schemas' properties, so a
field added to the reference without a schema change fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floec.contracts import load_schema
from tests.floe_reference import MISSING, SECTIONS, Block, Field, parse

BLOCKS = parse()

# Reference blocks whose fields floec spells under another schema object (its own names, kept
# from before, or a union of the reference's two spellings).
SCHEMA_NAME = {
    ("floe", "PipelineObservabilityConfig"): "ObservabilityConfig",
    ("floe", "TransformConfig"): "transform",
    ("platform", "StorageProfile"): "storage_profile",
    ("platform", "CatalogProfile"): "catalog_profile",
    ("platform", "ComputeProfile"): "compute_profile",
    ("platform", "CredentialConfig"): "credentials",
    ("platform", "SecretReference"): "secret_ref",
}


def test_the_reference_is_parsed_whole() -> None:
    assert len(BLOCKS) > 140
    assert sum(len(b.fields) for b in BLOCKS) > 450
    assert {b.section for b in BLOCKS} == {1, 2, 3, 4}


def _object(block: Block) -> dict[str, object]:
    kind = SECTIONS[block.section]
    schema = load_schema(kind)
    if block.name == "":
        return schema
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    name = SCHEMA_NAME.get((kind, block.name), block.name)
    found = defs.get(name)
    assert isinstance(found, dict), f"{kind} schema has no $defs/{name} for {block.name}"
    return found


def _cases() -> list[tuple[Block, Field]]:
    return [(b, f) for b in BLOCKS for f in b.fields]


@pytest.mark.parametrize(
    ("block", "field"),
    _cases(),
    ids=[f"s{b.section}-{b.name or 'top'}.{f.name}" for b, f in _cases()],
)
def test_every_reference_field_is_in_the_schema(block: Block, field: Field) -> None:
    properties = _object(block).get("properties")
    assert isinstance(properties, dict)
    assert field.name in properties, f"{block.name or 'top level'} lacks {field.name}"
    prop = properties[field.name]
    assert isinstance(prop, dict)
    assert prop.get("description"), f"{block.name}.{field.name} has no description"


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.is_enum], ids=lambda b: f"s{b.section}-{b.name}"
)
def test_every_enumeration_value_is_accepted(block: Block) -> None:
    kind = SECTIONS[block.section]
    defs = load_schema(kind)["$defs"]
    assert isinstance(defs, dict)
    enum = defs[block.name]["enum"]
    assert set(block.values) <= set(enum)


def test_unknown_fields_stay_rejected() -> None:
    """floe-runtime rejects unknown fields in every block; so does every floec object."""
    for block in BLOCKS:
        if block.is_enum:
            continue
        assert _object(block).get("additionalProperties") is False, block.name


def test_required_fields_are_required_and_defaults_recorded() -> None:
    for block in BLOCKS:
        if block.is_enum or block.section not in (1, 2):
            continue
        obj = _object(block)
        listed = obj.get("required", [])
        assert isinstance(listed, list)
        required = set(listed)
        properties = obj["properties"]
        assert isinstance(properties, dict)
        for field in block.fields:
            if field.default is not MISSING and field.default not in (None, "", [], {}):
                assert properties[field.name].get("default") == field.default, (
                    f"{block.name}.{field.name}"
                )
            if field.required and field.name != "type":
                # floec may relax a requirement only where it documents an extension
                assert field.name in required or (block.name, field.name) in RELAXED, (
                    f"{block.name}.{field.name} must be required"
                )


# Where floec requires less than floe-runtime, on purpose (docs/coming-from-floe-runtime.md).
RELAXED = {
    ("StorageProfile", "bucket"),  # a local storage takes `path` instead
    ("CatalogProfile", "uri"),  # glue needs none
    ("CatalogProfile", "warehouse"),  # a sql catalog's warehouse defaults to the storage
}


PROJECT = Path(__file__).parent / "data" / "floe-runtime"


def test_a_project_in_floe_runtimes_format_checks_and_builds(tmp_path: Path) -> None:
    """Every block, in floe-runtime's spellings: check is clean, both environments build, and the
    artifacts carry orchestration, layers and the deployment blocks."""
    import shutil

    from tests.conftest import run_floec

    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    checked = run_floec("check", str(project))
    assert checked.code == 0, checked.stdout + checked.stderr
    target = tmp_path / "target"
    for env in ("local", "cluster"):
        built = run_floec("build", str(project), "--env", env, "--target-dir", str(target))
        assert built.code == 0, built.stdout + built.stderr
    cluster = json.loads((target / "cluster" / "compiled_artifacts.json").read_text())
    assert cluster["version"] == "2.1.0"
    oidc = cluster["deployment"]["security"]["authentication"]["oidc"]
    assert oidc["client_secret"]["secret"]["env_var"] == "FLOE_OIDC"
    assert cluster["layers"]["gold"]["catalog"]["name"] == "default"
    assert cluster["layers"]["gold"]["namespace"] == "shipments.gold"
    jobs = cluster["orchestration"]["jobs"]
    assert jobs["vacuum"] == {
        "type": "ops",
        "target_function": "shipments.maintenance.vacuum",
        "args": {"dry_run": False, "older_than_days": 30},
        "description": None,
        "tags": None,
    }
    sensors = cluster["orchestration"]["sensors"]
    assert sensors["raw_landed"]["poll_interval_seconds"] == 30  # the default, filled in
    assert cluster["observability"]["sampling"]["probability"] == 0.1
    local = json.loads((target / "local" / "compiled_artifacts.json").read_text())
    # the two-tier contract's objects elaborate to the same fields as the flags
    assert local["observability"]["otlp_protocol"] == "http"
    assert local["observability"]["traces"] is False
    # the embedded default's directories exist once the build is done
    assert (project / "target" / "shipments" / "warehouse").is_dir()


def test_a_file_sensor_path_must_be_local(tmp_path: Path) -> None:
    """floe.yaml builds unchanged everywhere: a sensor watching a bucket URL is an endpoint."""
    from tests.conftest import run_floec

    sensor = "    incoming: {type: file_watcher, job: load, path: PATH}\n"
    base = (
        "name: orders\nversion: 1.0.0\norchestration:\n  jobs:\n"
        "    load: {type: batch, selection: ['*']}\n  sensors:\n" + sensor
    )
    for path, codes in (("s3://acme-landing/incoming", ["FLC221"]), ("data/incoming", [])):
        pipeline = tmp_path / path.replace("/", "_").replace(":", "") / "floe.yaml"
        pipeline.parent.mkdir()
        pipeline.write_text(base.replace("PATH", path))
        result = run_floec("check", "--no-cache", "--format", "json", str(pipeline))
        assert [d["code"] for d in json.loads(result.stdout)] == codes
