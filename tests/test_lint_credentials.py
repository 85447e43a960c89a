"""The lint-credentials pass: where it looks, what it reports, and that it never shows a secret."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

import floec.passes.lint_compose as lint_compose
import floec.passes.lint_credentials as lint_module
from floec.diagnostics.model import Diagnostic, Severity
from floec.passes.lint_compose import compose_plain
from floec.passes.lint_credentials import lint_credentials
from floec.source import SourceFile, read_source
from floec.syntax.load import compose_documents
from floec.syntax.tree import Node, ScalarNode, SequenceNode

CANARY = "Canary-S3cret-Value-7781"


def lint(text: str, name: str = "config.yaml") -> list[Diagnostic]:
    return lint_credentials(SourceFile(name, text))


def where(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [
        (d.code, d.span.start.line + 1, d.span.start.column + 1)
        for d in diagnostics
        if d.span is not None
    ]


def masked_text(diagnostic: Diagnostic, text: str) -> str:
    (span,) = diagnostic.masked[:1]
    assert span.start.line == span.end.line
    return text.split("\n")[span.start.line][span.start.column : span.end.column]


def test_plain_quoted_and_flow_values_are_located_exactly() -> None:
    text = (
        f"a:\n  password: {CANARY}\n  b: {{password: '{CANARY}'}}\n"
        f'  c: ["--password", "{CANARY}"]\n'
    )
    found = lint(text)
    assert [d.code for d in found] == ["FLC201"] * 3
    for diagnostic in found:
        assert masked_text(diagnostic, text) == CANARY
        assert CANARY not in diagnostic.message
        assert "'Ca…81' (24 characters)" in diagnostic.message


def test_keys_comments_and_block_scalars() -> None:
    text = (
        "# old key: AKIAIOSFODNN7EXAMPLE\n"
        "ghp_FAKE1234567890abcdefghijklmnopqrstuv: admin\n"
        "script: |\n"
        "  export DB_PASSWORD=Blk-Scal4r-Pw\n"
        "  # a comment inside a block scalar is text: password: Blk-C0mment-Pw\n"
        "color: '#password: not-a-comment'\n"
        "url: http://example.com/#section-2  # trailing: ok\n"
    )
    found = lint(text)
    assert where(found) == [
        ("FLC204", 1, 12),
        ("FLC206", 2, 1),
        ("FLC201", 4, 22),
        ("FLC201", 5, 56),
    ]
    assert masked_text(found[2], text) == "Blk-Scal4r-Pw"


def test_aliases_are_reported_once_at_the_anchor() -> None:
    text = f"base: &pw {CANARY}\npassword: *pw\nagain:\n  db_password: *pw\n"
    found = lint(text)
    assert where(found) == [("FLC201", 1, 11)]


def test_references_and_kubernetes_names_are_not_secrets() -> None:
    text = (
        "password: {secret_ref: db, key: password}\n"
        "env:\n"
        "  - name: DB_PASSWORD\n"
        "    valueFrom: {secretKeyRef: {name: db, key: password}}\n"
        "  - name: API_TOKEN\n"
        f"    value: {CANARY}\n"
        "spec:\n"
        "  encryptedData:\n"
        "    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq8DbkgqNo3pYFGEHNUwV8zBgi3TDBgMy7V6X8b2\n"
        "volumes:\n"
        "  - secret: {secretName: warehouse-db}\n"
    )
    assert where(lint(text)) == [("FLC202", 6, 12)]


def test_multi_document_files_and_custom_tags() -> None:
    text = (
        "a: 1\n---\npassword: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6231336539\n"
        "---\ntoken: !Ref ApiToken\n---\n"
        f"password: {CANARY}\n"
    )
    assert where(lint(text)) == [("FLC201", 9, 11)]


def test_invalid_yaml_is_scanned_line_by_line() -> None:
    text = "image: {{ .Values.image }}\npassword: Helm-L1teral-Pw\n  bad: [\n"
    found = lint(text, "templates/deploy.yaml")
    assert [(d.code, d.severity) for d in found] == [
        ("FLC201", Severity.ERROR),
        ("FLC004", Severity.WARNING),
    ]


def test_suppressions() -> None:
    text = (
        f"a: {CANARY}  # floec: ignore[high-entropy-string] -- a public build id\n"
        f"password: {CANARY}  # floec: ignore[FLC201, FLC205]\n"
        "b: 1  # floec: ignore[FLC2O1]\n"
        "c: 2  # floec: ignore\n"
        f"token: {CANARY}  # floec: ignore[hardcoded-password]\n"
    )
    found = lint(text)
    assert where(found) == [
        ("FLC230", 2, 61),
        ("FLC231", 3, 23),
        ("FLC232", 4, 9),
        ("FLC202", 5, 8),
        ("FLC230", 5, 50),
    ]
    # the unused suppression on line 2 shows that line: the suppressed secret stays masked
    assert found[0].masked and found[0].masked[0].start.line == 1


def test_floe_yaml_forbids_credentials_and_endpoints() -> None:
    text = (
        "name: orders\nversion: 1.0.0\ncatalog: http://polaris:8181/api\n"
        "credentials:\n  secret_ref: polaris\n"
        "observability:\n  otlp_endpoint: otel.internal:4317\n"
        "  attributes: {note: Zk8Lq2Xm7Rp4Tw9Nc1Vb6Hy3Jd5Fs0Ga}\n"
    )
    found = lint(text, "pipelines/orders/floe.yaml")
    assert where(found) == [
        ("FLC221", 3, 10),
        ("FLC220", 4, 1),
        ("FLC221", 7, 18),
        ("FLC218", 8, 22),
    ]
    assert all(d.severity is Severity.ERROR for d in found)
    assert where(lint(text, "pipelines/orders/other.yaml")) == [("FLC218", 8, 22)]


def test_platform_yaml_is_strict_about_sensitive_fields() -> None:
    text = "catalogs:\n  default:\n    credentials:\n      client_secret: changeme\n"
    assert where(lint(text, "platform/dev/platform.yaml")) == [("FLC202", 4, 22)]
    assert where(lint(text, "values.yaml")) == []


def test_gcp_and_jwk_mappings() -> None:
    text = (
        "sa:\n  type: service_account\n"
        '  private_key: "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n'
        '-----END PRIVATE KEY-----\\n"\n'
        "jwk:\n  kty: RSA\n  n: 0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86z\n"
        "  e: AQAB\n  d: X4cTteJY_gn4FYPsXB8rdXix5vwsg1FLN5E3EaG6RJoVH-HLLKD9M7dx5oo7GURknchn\n"
    )
    assert [d.code for d in lint(text)] == ["FLC213", "FLC212"]


# The fast path of `floec lint` (a lean composer, one candidate scan per file, skipping scalars
# and subtrees with no candidate) must report exactly what the general path reports.

_ROOT = Path(__file__).resolve().parent.parent
_YAML_FILES = sorted(
    path
    for folder in (
        "tests/lint_corpus",
        "tests/lint_corpus2",
        "tests/lint_rules",
        "golden",
        "examples",
    )
    for path in (_ROOT / folder).rglob("*")
    if path.suffix in (".yaml", ".yml") and path.is_file()
)


def _shape(node: Node) -> object:
    if isinstance(node, ScalarNode):
        return ("scalar", node.value, node.style, node.tag, node.span)
    if isinstance(node, SequenceNode):
        return ("seq", node.tag, node.span, node.flow, tuple(_shape(i) for i in node.items))
    return (
        "map",
        node.tag,
        node.span,
        node.flow,
        tuple((_shape(e.key), _shape(e.value), e.merged) for e in node.entries),
    )


def test_the_lean_composer_builds_the_general_composers_tree() -> None:
    plain_files = 0
    for path in _YAML_FILES:
        source = read_source(str(path))
        if isinstance(source, Diagnostic):
            continue  # not text (the invalid-UTF-8 case)
        lean = compose_plain(source)
        if lean is None:
            continue
        plain_files += 1
        documents, _ = compose_documents(source, allow_custom_tags=True)
        assert [_shape(t.root) for t in lean] == [_shape(t.root) for t in documents.trees], path
    assert plain_files > 100


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {password: Canary-S3cret-Value-7781}\nb: *x\n",  # alias
        "base: &b {user: u}\nprod:\n  <<: *b\n  password: Canary-S3cret-Value-7781\n",  # merge
        "a: [unclosed\n",  # syntax error
        "a:" + " [" * 70 + "\n",  # too deep
    ],
)
def test_the_lean_composer_defers_to_the_general_one(text: str) -> None:
    assert compose_plain(SourceFile("x.yaml", text)) is None


def test_skipping_what_has_no_candidate_changes_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = {}
    for path in _YAML_FILES:
        source = read_source(str(path))
        if not isinstance(source, Diagnostic):
            fast[path] = lint_credentials(source)
    monkeypatch.setattr(lint_module, "_quiet_key", lambda key: False)
    assert len(fast) > 100
    for path in fast:
        source = read_source(str(path))
        assert not isinstance(source, Diagnostic)
        documents, _problems = compose_documents(source, allow_custom_tags=True)
        if not documents.trees:
            continue  # not YAML: both paths scan it line by line
        assert fast[path] == lint_credentials(source, documents.trees), path


def test_a_file_with_no_candidate_is_still_checked_for_being_yaml() -> None:
    assert lint("replicas: 3\nimage: nginx\n") == []
    (unused,) = lint("replicas: 3  # floec: ignore[FLC201]\n")
    assert unused.code == "FLC230"
    (jwk,) = lint('{"kty": "oct", "d": "x"}\n')
    assert jwk.code == "FLC212"
    (warning,) = lint("replicas: [3\n")
    assert warning.code == "FLC004" and warning.severity is Severity.WARNING


def test_a_platform_registry_in_floe_yaml_is_not_an_endpoint() -> None:
    """`platform.registry` names where the platform is published; any other URL is FLC221."""
    from floec.frontend import check_source
    from floec.passes.lint_credentials import lint_credentials
    from floec.source import SourceFile

    text = (
        "name: orders\nversion: 1.0.0\nplatform:\n"
        "  registry: oci://registry.example.com:5000/acme/platforms\n  environments: [prod]\n"
        "observability:\n  attributes:\n    collector: http://otel.internal:4318\n"
    )
    source = SourceFile("floe.yaml", text)
    checked = check_source(source)
    assert checked.tree is not None
    found = lint_credentials(source, [checked.tree])
    codes = [(d.code, d.span.start.line if d.span else None) for d in found]
    assert codes == [("FLC221", 7)]


def test_linting_in_pieces_changes_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Cut wherever a cut is allowed: the findings are those of the whole tree.
    monkeypatch.setattr(lint_compose, "CHUNK_NODES", 1)
    monkeypatch.setattr(lint_compose, "_FORCE", 1)
    cut = 0
    for path in _YAML_FILES:
        source = read_source(str(path))
        if isinstance(source, Diagnostic):
            continue
        documents, _problems = compose_documents(source, allow_custom_tags=True)
        if not documents.trees:
            continue  # not YAML: scanned line by line either way
        with contextlib.suppress(lint_compose.GiveUp):
            cut += any(p.partial for p in lint_compose.iter_pieces(source))
        assert lint_credentials(source) == lint_credentials(source, documents.trees), path
        whole = lint_module._Linter(source)
        whole.run(documents.trees)
        ranges = tuple(sorted({f.span for f in whole.findings if f.secret}))
        assert lint_module.secret_ranges(source) == ranges, path
    assert cut > 100


@pytest.mark.parametrize(
    "text",
    [
        # keys of the root that change how its other entries are read, far apart
        f"value: {CANARY}\nx: 1\ny: 2\nname: DB_PASSWORD\n",
        f"private_key: '-----BEGIN PRIVATE KEY-----\\nMIIE{CANARY}'\nx: 1\ntype: service_account\n",
        "d: Zm9vYmFyYmF6cXV4cXV1eHh5enp5MTIzNDU2Nzg5MGFiY2RlZg\nx: 1\nkty: oct\n",
        f"password: {CANARY}\nx: 1\nsecret_ref: db\n",
        # a flag and its value in a root sequence
        f"- --password\n- {CANARY}\n- x\n- --token\n- {CANARY}\n",
        # several documents, each cut
        f"a: 1\nb: 2\n---\npassword: {CANARY}\nc: 3\n---\n- x\n- token: {CANARY}\n",
        # the same, deeper: every collection on the way down is cut
        f"env:\n  x:\n    value: {CANARY}\n    y: 1\n    name: DB_PASSWORD\n",
        f"a:\n  b:\n  - c: 1\n    kty: oct\n    d: {CANARY}\n",
        f"a:\n  b:\n    password: {CANARY}\n    c: 1\n    secret_ref: db\n",
        f"a:\n  args:\n  - x\n  - --password\n  - {CANARY}\n  - --token\n  - [{CANARY}]\n",
        f"a:\n  password:\n    b: 1\n    c: {CANARY}\n  valueFrom:\n    d: {CANARY}\n",
        f"? [a, b]\n: c\nd:\n  ? {{password: {CANARY}}}\n  : e\n",
        f"a:\n  b:\n    c: 'x # {CANARY}'  # password: {CANARY}\n    d: |\n      # {CANARY}\n",
        # comments and '#' inside scalars across pieces
        f"a: 'x # {CANARY}'\nb: |\n  # password: {CANARY}\nc: 1 # password: {CANARY}\n",
    ],
)
def test_pieces_of_a_root_are_read_as_the_whole(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    source = SourceFile("values.yaml", text)
    documents, _problems = compose_documents(source, allow_custom_tags=True)
    whole = lint_credentials(source, documents.trees)
    monkeypatch.setattr(lint_compose, "CHUNK_NODES", 1)
    monkeypatch.setattr(lint_compose, "_FORCE", 1)
    assert lint_credentials(source) == whole
    for name in ("floe.yaml", "platform.yaml"):
        source = SourceFile(name, text)
        documents, _problems = compose_documents(source, allow_custom_tags=True)
        assert lint_credentials(source) == lint_credentials(source, documents.trees)
