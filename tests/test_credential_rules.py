"""Each detector on its own: a positive and the look-alikes it must leave alone."""

from __future__ import annotations

import pytest

from floec.credential_rules import scan_comment, scan_key, scan_value
from floec.credential_rules.entropy import looks_random, shannon
from floec.credential_rules.keys import KeyKind, classify_key
from floec.credential_rules.suppression import parse_suppression
from floec.credential_rules.values import is_exempt, is_placeholder, looks_secret


def codes(value: str, key: str | None = None, **kwargs: bool) -> list[str]:
    return [hit.code for hit in scan_value(value, key, **kwargs)]


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("password", KeyKind.PASSWORD),
        ("DB_PASSWORD", KeyKind.PASSWORD),
        ("db-password", KeyKind.PASSWORD),
        ("dbPassword", KeyKind.PASSWORD),
        ("PGPASSWORD", KeyKind.PASSWORD),
        ("password.prod", KeyKind.PASSWORD),
        ("password_prod", KeyKind.PASSWORD),
        ("passwd", KeyKind.PASSWORD),
        ("pwd", KeyKind.PASSWORD),
        ("ssh_passphrase", KeyKind.PASSWORD),
        ("--password", KeyKind.PASSWORD),
        ("apiKey", KeyKind.SECRET),
        ("X-Api-Key", KeyKind.SECRET),
        ("api_key", KeyKind.SECRET),
        ("client_secret", KeyKind.SECRET),
        ("AWS_SECRET_ACCESS_KEY", KeyKind.SECRET),
        ("aws_access_key_id", KeyKind.SECRET),
        ("access_token", KeyKind.SECRET),
        ("token", KeyKind.SECRET),
        ("bearer", KeyKind.SECRET),
        ("private_key", KeyKind.SECRET),
        ("fernetKey", KeyKind.SECRET),
        ("secret", KeyKind.WEAK),
        ("auth", KeyKind.WEAK),
        ("credentials", KeyKind.WEAK),
        # keys that describe a credential without holding one
        ("password_file", KeyKind.NONE),
        ("POSTGRES_PASSWORD_FILE", KeyKind.NONE),
        ("secretKeyRef", KeyKind.NONE),
        ("existingSecret", KeyKind.NONE),
        ("existingSecretPasswordKey", KeyKind.NONE),
        ("passwordKey", KeyKind.NONE),
        ("token_url", KeyKind.NONE),
        ("tokenEndpointAuthMethod", KeyKind.NONE),
        ("max_tokens", KeyKind.NONE),
        ("password_min_length", KeyKind.NONE),
        ("passwordless", KeyKind.NONE),
        ("secret_name", KeyKind.NONE),
        ("private_key_id", KeyKind.NONE),
        ("public_key", KeyKind.NONE),
        ("key", KeyKind.NONE),
        ("client_id", KeyKind.NONE),
        ("bypass", KeyKind.NONE),
    ],
)
def test_key_names(key: str, kind: KeyKind) -> None:
    assert classify_key(key) is kind


@pytest.mark.parametrize(
    "value",
    [
        "",
        "changeme",
        "CHANGE_ME",
        "<your-password>",
        "your_password_here",
        "REDACTED",
        "[REDACTED]",
        "***",
        "********",
        "xxxxxxxx",
        "${DB_PASSWORD}",
        "{{ env_var('DB_PASSWORD') }}",
        "$DB_PASSWORD",
        "$(DB_PASSWORD)",
        "%(password)s",
        "vault:secret/data/db#password",
        "op://vault/item/password",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        "ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:str]",
        "$2b$12$KIXQJ0FAKEFAKEFAKEFAKEuY0kq6V0pq2mGZ3Wn6Q5nQ6W",
        "/run/secrets/db_password",
        "DB_PASSWORD",
        "client_secret",
        "true",
    ],
)
def test_values_that_are_not_secrets(value: str) -> None:
    assert is_exempt(value)
    assert codes(value, "password") == []


def test_strict_keeps_placeholders_but_not_references() -> None:
    assert codes("changeme", "client_secret", strict=True) == ["FLC202"]
    assert codes("${X}", "client_secret", strict=True) == []


@pytest.mark.parametrize(
    ("value", "key", "code"),
    [
        ("hunter2-but-longer", "password", "FLC201"),
        ("jaffle_pass_2024", "DB_PASSWORD", "FLC201"),
        ("tk-7Hq2Xn9Lp4Rw8Zt3Vb6", "api_token", "FLC202"),
        ("S3cr3t-V4lue-9x!", "secret", "FLC202"),
        ("admin:Adm1n-Auth-Pw", "auth", "FLC202"),
        ("postgresql://u:Sup3r-S3cret@db:5432/x", "url", "FLC203"),
        ("redis://:Red1sPass@redis:6379/0", None, "FLC203"),
        ("jdbc:oracle:thin:scott/T1ger-0racle@//db:1521/ORCL", None, "FLC203"),
        ("AKIAIOSFODNN7EXAMPLE", None, "FLC204"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key", "FLC205"),
        ("ghp_" + "FAKE1234567890abcdefghijklmnopqrstuv", None, "FLC206"),
        ("glpat-" + "FAKEfake0123456789ab", None, "FLC207"),
        ("xoxb-" + "000000000000-111111111111-FAKEfakeFAKEfakeFAKEfake", None, "FLC208"),
        ("https://hooks.slack.com/services/T0FAKE000/B0FAKE000/FAKEfake1234FAKE", None, "FLC209"),
        ("sk_live_" + "FAKE51HqLyjWDarjtT1zdp7dc", None, "FLC210"),
        (
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlIn0.RkFLRS1zaWduYXR1cmU",
            None,
            "FLC211",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRge\n"
            "-----END RSA PRIVATE KEY-----\n",
            "key",
            "FLC212",
        ),
        (
            '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBA'
            'DANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}',
            None,
            "FLC213",
        ),
        (
            "DefaultEndpointsProtocol=https;AccountName=x;AccountKey="
            "RkFLRWZha2VGQUtFZmFrZUZBS0VmYWtlRkFLRWZha2U=;EndpointSuffix=core.windows.net",
            None,
            "FLC214",
        ),
        (
            "https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&se=2030-01-01&sig="
            "RkFLRWZha2VGQUtFZmFrZUZBS0U%3D",
            None,
            "FLC215",
        ),
        ("dapi" + "0123456789abcdef0123456789abcdef", None, "FLC216"),
        ("Basic ZmFrZXVzZXI6ZmFrZXBhc3N3b3JkMTIz", "Authorization", "FLC217"),
        ("Bearer 7f3kLq9ZxW2mP8vR4tY6nB1cD5hJ0sGa", None, "FLC217"),
        ("Zk8Lq2Xm7Rp4Tw9Nc1Vb6Hy3Jd5Fs0Ga", "webhook_signing", "FLC218"),
        ("hvs." + "FAKEfakeFAKEfakeFAKEfake0123", None, "FLC219"),
        ("DB_PASSWORD=Env-F1le-Pw-3", None, "FLC201"),
        ("host=db user=x password=abc12345", "dsn", "FLC201"),
        ("curl -u deploy:Depl0y-Pa55 https://x.example", None, "FLC201"),
        ("loader --client-secret=Cl1-Secret-Flag-9", None, "FLC202"),
    ],
)
def test_positives(value: str, key: str | None, code: str) -> None:
    assert code in codes(value, key)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("3e7d9f1b2c4a6e8d0f1a3b5c7e9d2f4a6b8c0d1e", "commit"),  # git SHA
        ("3e7d9f1b2c4a6e8d0f1a3b5c7e9d2f4a6b8c0d1e", None),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256"),
        ("9b2f4e1c-7d3a-4f8e-b6c5-1a2b3c4d5e6f", None),  # UUID
        ("arn:aws:iam::123456789012:role/floe-runner", "role_arn"),
        ("AIDAJQABLZS4A3QDU576Q", None),  # an IAM user's unique id, not a key
        ("pk_live_FAKE51HqLyjWDarjtT1zdp7dc0000", "stripe_publishable_key"),
        ("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "token_placeholder"),
        ("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", None),
        ("postgresql://floe:${DB_PASSWORD}@db:5432/floe", "dsn"),
        ("redis://:<password>@redis:6379/0", None),
        ("https://deploy@git.acme.example/infra.git", None),
        ("Bearer ${API_TOKEN}", "auth_header"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GK", None),
        ("sha512-bLQOjaX/ADgQ20isPJRvF0iRUHIxVhYvr53Of7wGcWlO2jvtUlH5m87DsmulFVxRpNLO==", None),
        ("keys start with -----BEGIN RSA PRIVATE KEY-----", None),
        ("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0B\n", "ca"),
        ("TransformOrdersDailyIncrementalModel", None),
        ("org.apache.iceberg.aws.glue.GlueCatalog", None),
        ("oauth2", "auth"),
        ("db-credentials", "secret"),
        ("scram-sha-256", "authentication"),
        ("UseDevelopmentStorage=true", "connection_string"),
        ("eyJ0aGVtZSI6ImRhcmsiLCJsYW5ndWFnZSI6ImVuIn0=", "base64_config"),
        ("https://x.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=<signature>", None),
    ],
)
def test_look_alikes(value: str, key: str | None) -> None:
    assert codes(value, key) == []


def test_hit_ranges_point_at_the_secret_only() -> None:
    value = "postgresql://loader:Fake-Passw0rd@db.internal:5432/w"
    (hit,) = scan_value(value, "url")
    assert value[hit.start : hit.end] == "Fake-Passw0rd"
    (hit,) = scan_value("KEY=1 DB_PASSWORD=Env-F1le-Pw-3", None)
    assert hit.code == "FLC201"


def test_entropy() -> None:
    assert shannon("aaaa") == 0.0
    assert looks_random("Q2h7xK9mPzR4tV8wL1nB6yF3")
    assert not looks_random("ThisIsACamelCaseIdentifier2")
    assert not looks_random("0123456789abcdef0123456789abcdef")


def test_helpers() -> None:
    assert is_placeholder("<token>")
    assert not is_placeholder("hunter2")
    assert looks_secret("MyS3cretP@ss")
    assert not looks_secret("basic")


def test_keys_and_comments() -> None:
    assert [h.code for h in scan_key("ghp_FAKE1234567890abcdefghijklmnopqrstuv")] == ["FLC206"]
    assert [h.code for h in scan_comment(" password: L0ader-0ld-Pw!")] == ["FLC201"]
    assert scan_comment(" the password is required") == []
    assert scan_comment(" password: required") == []


def test_suppression_language() -> None:
    parsed = parse_suppression(" floec: ignore[FLC201, high-entropy-string] -- fixture")
    assert parsed is not None
    assert [c.code for c in parsed.codes] == ["FLC201", "FLC218"]
    assert parsed.reason == "fixture"
    unknown = parse_suppression(" floec: ignore[FLC2O1]")
    assert unknown is not None and unknown.codes[0].code is None
    malformed = parse_suppression(" floec: ignore")
    assert malformed is not None and malformed.malformed
    assert parse_suppression(" just a comment") is None


# Kinds that a corpus written independently found missing, each tested here with spellings that
# appear in neither corpus.


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("trust-store-password", KeyKind.PASSWORD),  # a compound names what its last word names
        ("keyStorePassword", KeyKind.PASSWORD),
        ("ssl.key.password", KeyKind.PASSWORD),
        ("vault_token", KeyKind.SECRET),
        ("requirepass", KeyKind.PASSWORD),  # glued
        ("masterpass", KeyKind.PASSWORD),
        ("encrypted_password", KeyKind.NONE),  # modifiers hold wherever they stand
        ("min_password_length", KeyKind.NONE),
        ("password_key_name", KeyKind.NONE),
        ("compass", KeyKind.NONE),
    ],
)
def test_compound_keys(key: str, kind: KeyKind) -> None:
    assert classify_key(key) is kind


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("value", "key", "code"),
    [
        ("-Xms1g -Dkafka.ssl.truststore.password=Tr7xStPw0rd -Dx=y", "JAVA_OPTS", "FLC201"),
        ("mysql -u admin -pQw9xrTz81 -h db.internal", None, "FLC201"),
        (
            "docker login --username bot --password-stdin && docker login -u bot -p Pz8k2LmQ",
            None,
            "FLC201",
        ),
        ("bin/valkey-server --port 6380 --requirepass Zx8pLm21Kq", None, "FLC201"),
        ("Ops note: the root password was Vb7kq29Lz.Q until March.", "notes", "FLC201"),
        ("The deploy token for staging is\nQm4Zp8Rt2Wx6Yv1Bn5Kc", "comment", "FLC202"),
        ("postgres://svc:pa#ss9w0rd@db.internal/x", None, "FLC203"),
        (
            _b64('{"auths":{"r.example":{"username":"u","password":"Hx7pQ2zL9w"}}}'),
            ".dockercfg",
            "FLC201",
        ),
        (_b64("robot:Kq8Wz2Lp5Xv"), "auth", "FLC217"),
        ("a3f9c2e17b4d08e5f6a1c3b9d7e2f4a8", "integration", "FLC218"),
        ("sqp_" + "0123456789abcdef0123456789abcdef01234567", "sonar", "FLC219"),
        ("changeme", "password", "FLC202"),  # strict below
    ],
)
def test_generalised_positives(value: str, key: str | None, code: str) -> None:
    strict = value == "changeme"
    assert code in codes(value, key, strict=strict)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("argon2id", "passwordHasher"),
        ("PBKDF2WithHmacSHA512", "password.algorithm"),
        ("SHA-256", "password_digest"),
        ("bcrypt", "password-encoder"),
        ("changeit", "keystore_password"),
        ("<your-token>", "api_token"),
        ("***", "password"),
        ("REDACTED", "db_password"),
        ("write", "id-token"),
        ("ENC(Zm9vYmFyYmF6)", "db.password"),
        ("{AQAAABAAAAAQZm9vYmFyYmF6cXV4}", "secret"),
        ("admin:$apr1$Qx9k$Vb7kq29LzZm0aPq1", "auth"),
        ("team/payments/db_password", "password_secret"),
        ("password", "secretKey"),  # the name of the field in a Kubernetes secret
        ("{env:OTLP_HEADERS}", "x-api-key"),
        ("routing.orders.created", "routing_key"),
        (_b64("log_level=debug\nretries=5\n"), "payload"),
        (_b64("Welcome to the staging cluster"), "motd"),
        ("3e7d9f1b2c4a6e8d0f1a3b5c7e9d2f4a6b8c0d1e", "build_sha"),
        ("ghp_" + "X" * 36, "token"),
        ("-Dcom.sun.management.jmxremote.password.file=/etc/jmx.pw -Dssl=false", "JAVA_OPTS"),
        ("the password is read from the vault at secret/ci, see the password policy", "help"),
    ],
)
def test_generalised_look_alikes(value: str, key: str | None) -> None:
    assert codes(value, key) == []


def test_a_field_name_is_no_secret_but_password_is_a_password() -> None:
    assert codes("password", "secretKey") == []
    assert codes("password", "property") == []
    assert codes("password", "POSTGRES_PASSWORD") == ["FLC201"]
    assert codes("db_password", "password") == []  # the name of a field, with a separator


def test_placeholders_in_platform_files_ask_for_a_secret_ref() -> None:
    (hit,) = scan_value("<your-password>", "password", strict=True)
    assert hit.code == "FLC202"
    assert "hardcoded" not in hit.what
    assert [h.code for h in scan_value("Real-Pw-7781", "password", strict=True)] == ["FLC201"]
