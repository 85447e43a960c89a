"""The runtime against an Iceberg REST catalog, for real: a loopback server (tests/support/
rest_catalog.py) with an OAuth2 client-credentials token endpoint; the platform names it as a
`rest` catalog whose client id and secret are secret references; `floec build` lowers them; the
runtime's `Catalog` resolves them (environment variable, then file), writes and reads through the
server, refreshes tokens that expire during the run, and reports a wrong secret by its name.
"""

from __future__ import annotations

import os
import shutil
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_floec
from tests.support.rest_catalog import RestCatalogServer

CLIENT_ID = "floe-runtime"
SECRET = "canary-rest-5e1d-DO-NOT-LEAK"
WRONG = "canary-wrong-9b2f-DO-NOT-LEAK"
EXAMPLE = "examples/customer-analytics"

PLATFORM = """\
version: 1.0.0
storage:
  default: {{type: local, path: target/lake/warehouse}}
catalogs:
  default:
    type: rest
    uri: {uri}
    warehouse: lake
    namespace: analytics
    token_refresh_enabled: {refresh}
    properties: {{oauth2-refresh-margin: "1"}}
    credentials:
      mode: oauth2
      client_id: {{secret_ref: lake-oauth, key: client_id}}
      client_secret: {{secret_ref: lake-oauth, key: client_secret}}
      scope: PRINCIPAL_ROLE:ALL
compute:
  default: {{type: duckdb, properties: {{path: target/lake/lake.duckdb}}}}
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RestCatalogServer]:
    with RestCatalogServer(tmp_path / "server", CLIENT_ID, SECRET, expires_in=2).running() as s:
        yield s


def _artifacts(tmp_path: Path, server: RestCatalogServer, *, refresh: bool = True) -> Path:
    work = tmp_path / "work"
    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__")
    shutil.copytree(ROOT / EXAMPLE, work / EXAMPLE, ignore=ignore)
    platform = work / "platform" / "lake" / "platform.yaml"
    platform.parent.mkdir(parents=True)
    platform.write_text(PLATFORM.format(uri=server.url, refresh=str(refresh).lower()))
    previous = Path.cwd()
    os.chdir(work)
    try:
        result = run_floec("build", EXAMPLE, "--env", "lake")
    finally:
        os.chdir(previous)
    assert result.code == 0, result.stdout + result.stderr
    return work / "target" / "lake" / "compiled_artifacts.json"


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The client id in its environment variable, the client secret as a mounted file."""
    directory = tmp_path / "secrets"
    (directory / "lake-oauth").mkdir(parents=True)
    (directory / "lake-oauth" / "client_secret").write_text(SECRET + "\n")
    monkeypatch.setenv("FLOE_SECRETS_DIR", str(directory))
    monkeypatch.setenv("LAKE_OAUTH_CLIENT_ID", CLIENT_ID)
    monkeypatch.delenv("LAKE_OAUTH_CLIENT_SECRET", raising=False)
    return directory


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    from floec.runtime.iceberg import IcebergTables

    IcebergTables.forget()
    yield
    IcebergTables.forget()


def test_writes_and_reads_through_the_rest_catalog(tmp_path, server, secrets) -> None:
    import pyarrow as pa  # type: ignore[import-untyped]

    from floec.runtime import Catalog

    catalog = Catalog(artifacts_path=str(_artifacts(tmp_path, server)))
    catalog.write("events", pa.table({"id": [1, 2, 3], "kind": ["a", "b", "c"]}))
    assert catalog.read("events").num_rows == 3
    assert catalog.table("events").name() == ("analytics", "events")
    # The server's own backend holds the table: it went through the REST API.
    backend = server.backend.load_table(("analytics", "events"))
    assert backend.scan().to_arrow().column("kind").to_pylist() == ["a", "b", "c"]
    assert server.stats.grants >= 1 and server.stats.refused_clients == 0
    assert "POST /v1/namespaces/analytics/tables/events" in server.stats.requests


def test_a_token_that_expires_during_the_run_is_refreshed(tmp_path, server, secrets) -> None:
    import pyarrow as pa

    from floec.runtime import Catalog

    catalog = Catalog(artifacts_path=str(_artifacts(tmp_path, server)))
    catalog.write("events", pa.table({"id": [1]}))
    granted = server.stats.grants
    time.sleep(2.5)  # the token (2 s) has expired
    catalog.write("events", pa.table({"id": [2]}))
    assert catalog.read("events").num_rows == 2
    assert server.stats.grants > granted  # a new token...
    assert server.stats.refused_tokens == 0  # ...fetched before the old one was refused


def test_without_refresh_the_token_is_fetched_when_connecting_only(tmp_path, server, secrets):
    import pyarrow as pa

    from floec.runtime import Catalog

    catalog = Catalog(artifacts_path=str(_artifacts(tmp_path, server, refresh=False)))
    catalog.write("events", pa.table({"id": [1]}))
    granted = server.stats.grants
    assert catalog.read("events").num_rows == 1
    # pyiceberg's legacy flow: tokens at connection time (it asks twice), none afterwards.
    assert 1 <= granted <= 2 and server.stats.grants == granted
    first_table_call = next(i for i, r in enumerate(server.stats.requests) if "/tables" in r)
    assert "POST /v1/oauth/tokens" not in server.stats.requests[first_table_call:]


def test_a_wrong_client_secret_names_the_secret_never_its_value(
    tmp_path, server, secrets, monkeypatch
) -> None:
    from floec.runtime import Catalog
    from floec.runtime.iceberg import CatalogError

    monkeypatch.setenv("LAKE_OAUTH_CLIENT_SECRET", WRONG)  # the variable wins over the file
    catalog = Catalog(artifacts_path=str(_artifacts(tmp_path, server)))
    with pytest.raises(CatalogError) as raised:
        catalog.read("events")
    message = str(raised.value)
    assert "refused its client credentials" in message
    assert "'lake-oauth/client_secret'" in message and "LAKE_OAUTH_CLIENT_SECRET" in message
    shown = "".join(traceback.format_exception(raised.value)) + repr(raised.value)
    assert WRONG not in shown and SECRET not in shown
    assert server.stats.refused_clients >= 1
