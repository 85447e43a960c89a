"""Platforms as OCI artifacts, against a real registry (tests/support/registry.py): publish,
versions, pull, lock and build, offline from the cache; digests verified; credentials never
printed."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from floec.oci import artifact
from floec.oci.client import Client, RegistryError, sha256_digest
from tests.conftest import run_floec
from tests.support.registry import PASSWORD, USER, Registry, running

PLATFORM = """version: {version}
storage:
  default: {{type: local, path: target/warehouse}}
catalogs:
  default: {{type: sql, uri: "sqlite:///target/catalog.db"}}
compute:
  default: {{type: duckdb, properties: {{path: target/{marker}.duckdb}}}}
"""


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    with running() as server:
        yield server


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CI-style credentials, a private cache and an empty docker config for every test."""
    monkeypatch.setenv("FLOEC_REGISTRY_USERNAME", USER)
    monkeypatch.setenv("FLOEC_REGISTRY_PASSWORD", PASSWORD)
    monkeypatch.setenv("FLOEC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("FLOE_PLATFORM_ENV", raising=False)
    monkeypatch.delenv("FLOE_PLATFORM_FILE", raising=False)


def platform_dir(tmp_path: Path, env: str, version: str, marker: str = "a") -> Path:
    directory = tmp_path / "platform" / env
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "platform.yaml").write_text(PLATFORM.format(version=version, marker=marker))
    return directory


def publish(tmp_path: Path, repo: str, env: str, version: str, marker: str = "a") -> str:
    directory = platform_dir(tmp_path / f"src-{version}-{marker}", env, version, marker)
    done = run_floec("platform", "publish", str(directory), repo)
    assert done.code == 0, done.stderr
    return done.stdout.splitlines()[0]


def no_secret(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text


def test_publish_versions_pull_round_trip(registry: Registry, tmp_path: Path) -> None:
    repo = f"oci://{registry.host}/acme/platforms/prod"
    source = platform_dir(tmp_path, "prod", "1.3.0")
    published = run_floec("platform", "publish", str(source), repo)
    assert published.code == 0, published.stderr
    pinned = published.stdout.splitlines()[0]
    assert pinned.startswith(f"{repo}:1.3.0@sha256:")
    no_secret(published.stdout, published.stderr)

    listed = run_floec("platform", "versions", repo)
    assert (listed.code, listed.stdout) == (0, "1.3.0\n")

    out = tmp_path / "pulled"
    pulled = run_floec("platform", "pull", f"{repo}:1.3.0", "-o", str(out))
    assert pulled.code == 0, pulled.stderr
    assert (out / "platform.yaml").read_bytes() == (source / "platform.yaml").read_bytes()
    assert pulled.stdout.strip() == pinned
    by_digest = run_floec(
        "platform",
        "pull",
        pinned.split(":1.3.0")[0] + "@" + pinned.split("@")[1],
        "-o",
        str(tmp_path / "d"),
    )
    assert by_digest.code == 0, by_digest.stderr
    assert (tmp_path / "d" / "platform.yaml").read_bytes() == (
        source / "platform.yaml"
    ).read_bytes()

    # The manifest is an image-spec 1.1 artifact with the empty config and one titled layer.
    client = Client(
        registry.host, {"FLOEC_REGISTRY_USERNAME": USER, "FLOEC_REGISTRY_PASSWORD": PASSWORD}
    )
    digest, raw = client.get_manifest("acme/platforms/prod", "1.3.0")
    assert digest == pinned.split("@")[1] == sha256_digest(raw)
    manifest = json.loads(raw)
    assert manifest["artifactType"] == "application/vnd.floe.platform.v1"
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert manifest["config"]["digest"] == artifact.EMPTY_DIGEST == sha256_digest(b"{}")
    (layer,) = manifest["layers"]
    assert layer["mediaType"] == "application/vnd.floe.platform.v1+yaml"
    assert layer["annotations"] == {"org.opencontainers.image.title": "platform.yaml"}
    assert layer["digest"] == sha256_digest((source / "platform.yaml").read_bytes())
    notes = manifest["annotations"]
    assert notes["org.opencontainers.image.version"] == "1.3.0"
    assert notes["dev.floe.platform.environment"] == "prod"
    assert notes["org.opencontainers.image.source"] == source.as_posix()


def test_source_date_epoch_gives_the_same_digest(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = PLATFORM.format(version="1.0.0", marker="x").encode()
    one = artifact.manifest(
        data,
        version="1.0.0",
        created=artifact.created_at({"SOURCE_DATE_EPOCH": "1700000000"}),
        source="s",
        environment="e",
    )
    two = artifact.manifest(
        data,
        version="1.0.0",
        created=artifact.created_at({"SOURCE_DATE_EPOCH": "1700000000"}),
        source="s",
        environment="e",
    )
    assert one == two
    assert b"2023-11-14T22:13:20Z" in one
    directory = platform_dir(tmp_path, "prod", "1.0.0")
    first = run_floec("platform", "publish", str(directory), f"oci://{registry.host}/acme/rep/prod")
    second = run_floec(
        "platform", "publish", str(directory), f"oci://{registry.host}/acme/rep2/prod"
    )
    assert first.code == second.code == 0, first.stderr + second.stderr
    digests = {run.stdout.splitlines()[0].split("@")[1] for run in (first, second)}
    assert len(digests) == 1


def test_a_version_is_immutable(registry: Registry, tmp_path: Path) -> None:
    repo = f"oci://{registry.host}/acme/immutable/prod"
    first = publish(tmp_path, repo, "prod", "2.0.0", marker="one")
    again = run_floec(
        "platform", "publish", str(tmp_path / "src-2.0.0-one" / "platform" / "prod"), repo
    )
    assert again.code == 0 and "unchanged" in again.stderr
    assert again.stdout.splitlines()[0] == first
    changed = platform_dir(tmp_path / "changed", "prod", "2.0.0", marker="two")
    refused = run_floec("platform", "publish", str(changed), repo)
    assert refused.code == 1
    assert "error[FLC314]" in refused.stderr
    assert "already exists with other content" in refused.stderr
    assert "2.0.1" in refused.stderr  # how to bump
    bumped = run_floec("platform", "publish", str(changed), repo, "--version", "2.0.1")
    assert bumped.code == 0, bumped.stderr
    assert run_floec("platform", "versions", repo).stdout == "2.0.0\n2.0.1\n"


def test_a_platform_that_does_not_check_is_not_published(
    registry: Registry, tmp_path: Path
) -> None:
    directory = platform_dir(tmp_path, "prod", "1.0.0")
    (directory / "platform.yaml").write_text("version: 1.0.0\nstorage: {default: {type: nope}}\n")
    done = run_floec("platform", "publish", str(directory), f"oci://{registry.host}/acme/bad/prod")
    assert done.code == 1
    assert "not published" in done.stderr
    listed = run_floec("platform", "versions", f"oci://{registry.host}/acme/bad/prod")
    assert listed.code == 1 and "error[FLC311]" in listed.stderr


def test_a_range_resolves_to_the_highest_match(registry: Registry, tmp_path: Path) -> None:
    repo = f"oci://{registry.host}/acme/ranges/prod"
    for version in ("1.2.0", "1.10.0", "1.9.3", "2.0.0", "1.11.0-rc.1"):
        publish(tmp_path, repo, "prod", version, marker=version.replace(".", "-"))
    listed = run_floec("platform", "versions", repo)
    assert listed.stdout.split() == ["1.2.0", "1.9.3", "1.10.0", "1.11.0-rc.1", "2.0.0"]
    cases = {
        "^1.2": "1.10.0",
        "~1.9": "1.9.3",
        ">=1.0,<2": "1.10.0",
        "^1.11.0-rc.0": "1.11.0-rc.1",
        "*": "2.0.0",
    }
    for wanted, expected in cases.items():
        pulled = run_floec("platform", "pull", repo, "--version", wanted, "-o", str(tmp_path / "o"))
        assert pulled.code == 0, pulled.stderr
        assert f":{expected}@" in pulled.stdout, wanted
        marker = expected.replace(".", "-")
        assert f"target/{marker}.duckdb" in (tmp_path / "o" / "platform.yaml").read_text()


def test_tags_are_listed_across_pages(registry: Registry, tmp_path: Path) -> None:
    """The client follows `Link: <...>; rel="next"`. distribution 2.8 answers the whole list
    whatever `n` asks, so the real registry proves the request is accepted and complete, and
    the Link header's parsing is checked on the forms the spec and registries write."""
    from floec.oci.client import _next_link

    repo = f"oci://{registry.host}/acme/paged/prod"
    for patch in range(5):
        publish(tmp_path, repo, "prod", f"1.0.{patch}", marker=str(patch))
    client = Client(
        registry.host, {"FLOEC_REGISTRY_USERNAME": USER, "FLOEC_REGISTRY_PASSWORD": PASSWORD}
    )
    assert sorted(client.tags("acme/paged/prod", page=2)) == [f"1.0.{p}" for p in range(5)]
    link = '</v2/acme/paged/prod/tags/list?last=1.0.1&n=2>; rel="next"'
    assert _next_link(link) == "/v2/acme/paged/prod/tags/list?last=1.0.1&n=2"
    assert _next_link("<https://r.example/v2/x/tags/list?last=b&n=2>;rel=next") is not None
    assert _next_link("") is None


def project(
    tmp_path: Path, registry: Registry, version: str, envs: str = "[prod]", prefix: str = "locked"
) -> Path:
    directory = tmp_path / "pipeline"
    directory.mkdir(exist_ok=True)
    (directory / "floe.yaml").write_text(
        "name: orders\nversion: 1.0.0\nplatform:\n"
        f"  registry: oci://{registry.host}/acme/{prefix}\n"
        f'  version: "{version}"\n'
        f"  environments: {envs}\n"
    )
    return directory


def test_a_range_that_matches_nothing_lists_the_versions(
    registry: Registry, tmp_path: Path
) -> None:
    publish(tmp_path, f"oci://{registry.host}/acme/locked/prod", "prod", "1.0.0")
    pipeline = project(tmp_path, registry, "^7.1")
    done = run_floec("lock", str(pipeline))
    assert done.code == 1
    assert "error[FLC312]" in done.stderr
    assert "no version of" in done.stderr and "matches '^7.1'; available: 1.0.0" in done.stderr
    assert "floe.yaml:5:" in done.stderr  # at the `version:` line
    assert not (pipeline / "floe.lock").exists()


def test_lock_then_build_offline_from_the_cache(tmp_path: Path) -> None:
    with running() as server:
        repo = f"oci://{server.host}/acme/locked/prod"
        publish(tmp_path, repo, "prod", "1.2.0", marker="old")
        publish(tmp_path, repo, "prod", "1.4.1", marker="new")
        publish(tmp_path, repo, "prod", "2.0.0", marker="next")
        pipeline = project(tmp_path, server, "^1.2")
        locked = run_floec("lock", str(pipeline))
        assert locked.code == 0, locked.stderr
        data = (pipeline / "floe.lock").read_bytes()
        lock = json.loads(data)
        entry = lock["platforms"]["prod"]
        assert entry["version"] == "1.4.1"
        assert entry["repository"] == repo and entry["range"] == "^1.2"
        assert set(entry) == {"repository", "range", "version", "manifest", "layer"}
        again = run_floec("lock", str(pipeline))
        assert again.code == 0 and "unchanged" in again.stderr
        assert (pipeline / "floe.lock").read_bytes() == data  # deterministic
        assert run_floec("lock", "--check", str(pipeline)).code == 0
        no_secret(data.decode(), locked.stderr, locked.stdout)
    # The registry is gone: the locked build reads the cache.
    built = run_floec("build", str(pipeline), "--env", "prod", "--target-dir", str(tmp_path / "t"))
    assert built.code == 0, built.stdout + built.stderr
    artifacts = json.loads((tmp_path / "t" / "prod" / "compiled_artifacts.json").read_text())
    text = json.dumps(artifacts)
    assert f"{repo}:1.4.1@{entry['manifest']}" in text
    assert "target/new.duckdb" in text
    assert entry["layer"]["digest"].split(":")[1] in text  # the platform's sha256
    # Without the lock the range needs the registry: a clear diagnostic, not a traceback.
    (pipeline / "floe.lock").unlink()
    unlocked = run_floec(
        "build", str(pipeline), "--env", "prod", "--target-dir", str(tmp_path / "u")
    )
    assert unlocked.code == 1
    assert "error[FLC309]" in unlocked.stdout + unlocked.stderr
    assert "unreachable" in unlocked.stdout + unlocked.stderr
    assert "FLC901" not in unlocked.stdout + unlocked.stderr


def test_lock_check_fails_when_floe_yaml_changed(registry: Registry, tmp_path: Path) -> None:
    publish(tmp_path, f"oci://{registry.host}/acme/locked/prod", "prod", "1.0.0")
    pipeline = project(tmp_path, registry, "^1.0")
    assert run_floec("lock", str(pipeline)).code == 0
    project(tmp_path, registry, "^1.1")
    checked = run_floec("lock", "--check", str(pipeline))
    assert checked.code == 1
    assert "error[FLC315]" in checked.stderr and "floec lock" in checked.stderr
    built = run_floec("build", str(pipeline), "--env", "prod", "--target-dir", str(tmp_path / "t"))
    assert built.code == 1 and "FLC315" in built.stdout + built.stderr


def test_a_wrong_password_is_reported_without_the_password(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = f"oci://{registry.host}/acme/platforms/prod"
    publish(tmp_path, repo, "prod", "1.0.0")
    wrong = PASSWORD + "-wrong"
    monkeypatch.setenv("FLOEC_REGISTRY_PASSWORD", wrong)
    for args in (
        ("platform", "versions", repo),
        ("platform", "pull", f"{repo}:1.0.0", "-o", str(tmp_path / "x")),
    ):
        done = run_floec(*args)
        assert done.code == 1
        assert "error[FLC310]" in done.stderr
        assert f"as '{USER}'" in done.stderr and "FLOEC_REGISTRY_PASSWORD" in done.stderr
        assert "the password is not shown" in done.stderr
        for text in (done.stdout, done.stderr):
            assert wrong not in text and PASSWORD not in text
    monkeypatch.delenv("FLOEC_REGISTRY_USERNAME")
    monkeypatch.delenv("FLOEC_REGISTRY_PASSWORD")
    anonymous = run_floec("platform", "versions", repo)
    assert anonymous.code == 1 and "no credentials were found" in anonymous.stderr


def test_credentials_from_the_docker_config_file(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    publish(tmp_path, f"oci://{registry.host}/acme/docker-config/prod", "prod", "1.0.0")
    monkeypatch.delenv("FLOEC_REGISTRY_USERNAME")
    monkeypatch.delenv("FLOEC_REGISTRY_PASSWORD")
    config = tmp_path / "docker"
    config.mkdir(exist_ok=True)
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    (config / "config.json").write_text(
        json.dumps({"auths": {f"http://{registry.host}": {"auth": auth}}})
    )
    listed = run_floec("platform", "versions", f"oci://{registry.host}/acme/docker-config/prod")
    assert (listed.code, listed.stdout) == (0, "1.0.0\n")


def test_a_tampered_blob_is_rejected(registry: Registry, tmp_path: Path) -> None:
    repo = f"oci://{registry.host}/acme/tampered/prod"
    source = platform_dir(tmp_path, "prod", "1.0.0")
    publish(tmp_path, repo, "prod", "1.0.0")
    layer = sha256_digest((source / "platform.yaml").read_bytes())
    stored = registry.blob_file(layer)
    original = stored.read_bytes()
    stored.write_bytes(original.replace(b"sqlite", b"sqlit3"))  # same size, other bytes
    pulled = run_floec("platform", "pull", f"{repo}:1.0.0", "-o", str(tmp_path / "out"))
    assert pulled.code == 1
    assert "error[FLC313]" in pulled.stderr and "does not match its digest" in pulled.stderr
    assert not (tmp_path / "out" / "platform.yaml").exists()
    assert not (tmp_path / "cache" / "oci" / "blobs" / "sha256" / layer.split(":")[1]).exists()
    stored.write_bytes(original)


def test_plain_http_only_for_loopback_or_when_asked() -> None:
    assert Client("127.0.0.1:5000", {}).base == "http://127.0.0.1:5000"
    assert Client("localhost:5000", {}).base == "http://localhost:5000"
    assert Client("[::1]:5000", {}).base == "http://[::1]:5000"
    assert Client("registry.example.com", {}).base == "https://registry.example.com"
    assert Client("10.0.0.5:5000", {}, plain_http=True).base == "http://10.0.0.5:5000"


def test_an_unreachable_registry_is_a_diagnostic(tmp_path: Path) -> None:
    with running() as server:
        host = server.host
    done = run_floec("platform", "versions", f"oci://{host}/acme/platforms/prod")
    assert done.code == 1
    assert "error[FLC309]" in done.stderr and "FLC901" not in done.stderr


def test_errors_never_carry_the_password(registry: Registry) -> None:
    client = Client(
        registry.host, {"FLOEC_REGISTRY_USERNAME": USER, "FLOEC_REGISTRY_PASSWORD": "x" + PASSWORD}
    )
    with pytest.raises(RegistryError) as caught:
        client.tags("acme/platforms/prod")
    assert caught.value.kind == "auth"
    assert PASSWORD not in str(caught.value) + (caught.value.help or "") + repr(client.credentials)


def test_the_bearer_token_flow(tmp_path: Path) -> None:
    """The registry delegates authentication to a loopback token server: the client follows the
    Bearer challenge, gets a token scoped to the repository with its credentials, and uses it."""
    from tests.support import token_server

    with (
        token_server.running(tmp_path, USER, PASSWORD) as tokens,
        running(auth=tokens.auth_block()) as server,
    ):
        repo = f"oci://{server.host}/acme/bearer/prod"
        pinned = publish(tmp_path, repo, "prod", "1.0.0")
        assert "repository:acme/bearer/prod:pull,push" in tokens.issued
        listed = run_floec("platform", "versions", repo)
        assert (listed.code, listed.stdout) == (0, "1.0.0\n")
        pulled = run_floec("platform", "pull", f"{repo}:1.0.0", "-o", str(tmp_path / "o"))
        assert pulled.code == 0 and pulled.stdout.strip() == pinned
        assert "repository:acme/bearer/prod:pull" in tokens.issued
        wrong = Client(
            server.host,
            {"FLOEC_REGISTRY_USERNAME": USER, "FLOEC_REGISTRY_PASSWORD": PASSWORD + "x"},
        )
        with pytest.raises(RegistryError) as caught:
            wrong.tags("acme/bearer/prod")
        assert caught.value.kind == "auth" and PASSWORD not in caught.value.message
        # An identity token from the docker config file goes through the OAuth2 form.
        config = tmp_path / "docker"
        config.mkdir(exist_ok=True)
        entry = {"auth": "", "identitytoken": token_server.REFRESH_TOKEN}
        (config / "config.json").write_text(json.dumps({"auths": {server.host: entry}}))
        environ = {"DOCKER_CONFIG": str(config), "HOME": str(tmp_path)}
        assert Client(server.host, environ).tags("acme/bearer/prod") == ["1.0.0"]
        assert "oauth2 repository:acme/bearer/prod:pull" in tokens.issued


def test_build_with_a_published_platform_reference(registry: Registry, tmp_path: Path) -> None:
    repo = f"oci://{registry.host}/acme/direct/prod"
    pinned = publish(tmp_path, repo, "prod", "1.1.0", marker="direct")
    pipeline = tmp_path / "p"
    pipeline.mkdir()
    (pipeline / "floe.yaml").write_text("name: orders\nversion: 1.0.0\n")
    built = run_floec(
        "build",
        str(pipeline),
        "--platform",
        f"{repo}:1.1.0",
        "--env",
        "prod",
        "--target-dir",
        str(tmp_path / "t"),
    )
    assert built.code == 0, built.stdout + built.stderr
    artifacts = (tmp_path / "t" / "prod" / "compiled_artifacts.json").read_text()
    assert pinned in artifacts and "target/direct.duckdb" in artifacts
    missing = run_floec("build", str(pipeline), "--platform", f"{repo}:9.9.9")
    assert missing.code == 1 and "FLC312" in missing.stdout + missing.stderr


def test_the_registry_wins_over_a_local_directory_unless_asked(
    registry: Registry, tmp_path: Path
) -> None:
    publish(tmp_path, f"oci://{registry.host}/acme/locked/staging", "staging", "1.0.0", "remote")
    pipeline = project(tmp_path, registry, "^1.0", envs="[staging]")
    platform_dir(pipeline, "staging", "1.0.0", marker="local")
    platform_dir(pipeline, "dev", "1.0.0", marker="dev")
    target = tmp_path / "t"

    def artifacts(*extra: str) -> str:
        done = run_floec("build", str(pipeline), "--target-dir", str(target), *extra)
        assert done.code == 0, done.stdout + done.stderr
        return (target / "staging" / "compiled_artifacts.json").read_text()

    assert "target/remote.duckdb" in artifacts("--env", "staging")
    assert "target/local.duckdb" in artifacts("--env", "staging", "--prefer-local")
    matrix = run_floec("build", str(pipeline), "--all-envs", "--target-dir", str(target))
    assert matrix.code == 0, matrix.stdout + matrix.stderr
    assert "target/remote.duckdb" in (target / "staging" / "compiled_artifacts.json").read_text()
    assert "target/dev.duckdb" in (target / "dev" / "compiled_artifacts.json").read_text()


def test_credentials_from_a_credential_helper(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docker's credential-helper protocol: `docker-credential-NAME get`, host on stdin."""
    publish(tmp_path, f"oci://{registry.host}/acme/helper/prod", "prod", "1.0.0")
    monkeypatch.delenv("FLOEC_REGISTRY_USERNAME")
    monkeypatch.delenv("FLOEC_REGISTRY_PASSWORD")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-floectest"
    answer = json.dumps({"ServerURL": registry.host, "Username": USER, "Secret": PASSWORD})
    helper.write_text(
        "#!/bin/sh\n"
        '[ "$1" = get ] || exit 1\n'
        "read host\n"
        f'[ "$host" = "{registry.host}" ] || exit 1\n'
        f"echo '{answer}'\n"
    )
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    config = tmp_path / "docker"
    config.mkdir(exist_ok=True)
    (config / "config.json").write_text(json.dumps({"credHelpers": {registry.host: "floectest"}}))
    listed = run_floec("platform", "versions", f"oci://{registry.host}/acme/helper/prod")
    assert (listed.code, listed.stdout) == (0, "1.0.0\n")
    no_secret(listed.stdout, listed.stderr)


def test_local_builds_do_not_load_the_registry_client(tmp_path: Path) -> None:
    """The client pulls in urllib's HTTP stack: only a registry platform may pay for it."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys\nfrom floec.cli import main\n"
        "rc = main(['check', 'examples/customer-analytics'])\n"
        "rc += main(['build', 'examples/customer-analytics', '--env', 'local', '--target-dir', "
        f"{str(tmp_path)!r}])\n"
        "print(rc, [m for m in ('floec.oci', 'urllib.request') if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "0 []"


def test_a_malformed_lock_is_a_diagnostic(registry: Registry, tmp_path: Path) -> None:
    pipeline = project(tmp_path, registry, "^1.0")
    (pipeline / "floe.lock").write_text('{"lockfile_version": 1, "platforms": {"prod": {}}}')
    built = run_floec("build", str(pipeline), "--env", "prod", "--target-dir", str(tmp_path / "t"))
    assert built.code == 1
    assert "FLC316" in built.stdout + built.stderr and "incomplete" in built.stdout + built.stderr
    assert "FLC901" not in built.stdout + built.stderr
    (pipeline / "floe.yaml").write_text("name: orders\nversion: 1.0.0\n")
    nothing = run_floec("lock", str(pipeline))
    assert nothing.code == 1 and "nothing to lock" in nothing.stderr


def test_profiles_and_secrets_of_a_registry_environment(registry: Registry, tmp_path: Path) -> None:
    repo = f"oci://{registry.host}/acme/deployed/prod"
    source = Path("platform/prod/platform.yaml")  # the example prod: secrets, several profiles
    directory = tmp_path / "src" / "platform" / "prod"
    directory.mkdir(parents=True)
    (directory / "platform.yaml").write_bytes(source.read_bytes())
    assert run_floec("platform", "publish", str(directory), repo).code == 0
    pipeline = project(tmp_path, registry, "^2", prefix="deployed")
    profiles = run_floec("platform", "list-profiles", str(pipeline), "--env", "prod")
    assert profiles.code == 0, profiles.stderr
    assert profiles.stdout.startswith(f"environment prod ({repo}:2.1.0@sha256:")
    assert "production" in profiles.stdout  # a catalog only the published platform defines
    direct = run_floec("platform", "list-profiles", "--platform", f"{repo}:2.1.0")
    assert direct.code == 0 and "production" in direct.stdout
    secrets = run_floec("secrets", "list", str(pipeline), "--env", "prod")
    assert secrets.code == 0, secrets.stderr
    assert "POLARIS" in secrets.stdout


def test_a_locked_build_refuses_a_tampered_manifest(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(tmp_path, f"oci://{registry.host}/acme/forged/prod", "prod", "1.0.0")
    pipeline = project(tmp_path, registry, "1.0.0", prefix="forged")
    assert run_floec("lock", str(pipeline)).code == 0
    manifest = json.loads((pipeline / "floe.lock").read_text())["platforms"]["prod"]["manifest"]
    stored = registry.blob_file(manifest)
    stored.write_bytes(stored.read_bytes().replace(b'"1.0.0"', b'"6.6.6"'))
    monkeypatch.setenv("FLOEC_CACHE_DIR", str(tmp_path / "fresh-cache"))  # force a download
    built = run_floec("build", str(pipeline), "--env", "prod", "--target-dir", str(tmp_path / "t"))
    assert built.code == 1
    assert "error[FLC313]" in built.stdout + built.stderr
    assert not (tmp_path / "t" / "prod").exists()
    assert not list((tmp_path / "fresh-cache").rglob("*" + manifest.split(":")[1]))
