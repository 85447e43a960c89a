"""Values that sit in a credential's place without being one.

A sensitive key with a placeholder (`changeme`, `<your-password>`, `${DB_PASSWORD}`,
`{{ env_var('X') }}`), a reference to a secret store (`vault:...`, `arn:...`, `op://...`), a file
path, ciphertext (`ENC[AES256_GCM,...]`, `$ANSIBLE_VAULT`) or a password *hash* is how
well-kept configuration looks; flagging it would teach users to ignore the lint.
"""

from __future__ import annotations

import re

_TEMPLATE = re.compile(
    r"\$\{|\{\{|\{%|\$\(|%\(|%\{|#\{|@@|<%|\{\w+\}|\$__\w+\{|^\$[A-Za-z_][A-Za-z0-9_]*$|"
    r"(?<![A-Za-z0-9])\$[A-Z_][A-Z0-9_]{2,}(?![a-z])|^__[A-Z0-9_]+__$|^\{[a-z]+:[\w./:-]+\}$"
)
_PLACEHOLDER_WORDS = re.compile(
    r"""^(?:
        change[-_ ]?(?:me|it|this)|changeit|
        replace[-_ ]?(?:me|this)|redacted|removed|hidden|masked|
        placeholder|dummy|todo|tbd|fixme|none|null|nil|undefined|empty|unset|not[-_ ]?set|
        notset|n/?a|tba|fill[-_ ]?(?:me|in)|xxx+|\*+|\.\.\.+|…|-+|_+|x+|
        (?:your|enter|insert|put|paste|provide)[-_ ]?(?:your[-_ ]?|the[-_ ]?|an?[-_ ]?)?[a-z_ -]*
            (?:password|passwd|secret|token|key|pass|pwd|value|credential|api)s?[a-z_ -]*|
        [a-z_ -]*[-_ ](?:here|goes[-_ ]here)|
        secret[-_]?placeholder|example[-_ ]?(?:password|secret|token|key)|
        (?:fake|dummy|sample)[-_ ]?(?:password|secret|token|key|value)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# A token's prefix followed by a run of one character: `ghp_XXXX...`, `sk_test_xxxx...`.
_PREFIXED_RUN = re.compile(r"^[A-Za-z]{2,8}[_-](?:[a-z]{2,8}_)?([xX*0#.])\1{7,}$")
_BRACKETED = re.compile(r"^(?:<[^<>]*>|\[[^\[\]]*\]|\([^()]*\))$")
_MASK_RUNS = re.compile(r"^[*xX#•.]{3,}$|\*{3,}")
_REFERENCE = re.compile(
    r"^(?:vault|ref\+\w+|op|awssm|awsssm|ssm|secretsmanager|sm|gcpsm|gcp|azurekv|keyvault|"
    r"k8s|kubernetes|secret|secretref|env|file|bws|doppler|infisical|sops|aws-sm|gsm)"
    r":(?://)?\S+$|^arn:aws[a-z-]*:|^projects/[^/]+/secrets/|^@Microsoft\.KeyVault\(",
    re.IGNORECASE,
)
# SOPS, Jasypt `ENC(...)`, Ansible Vault, PGP, Vault transit, KMS, Jenkins `{AQAAAB...}`.
_CIPHERTEXT = re.compile(
    r"^ENC\[[A-Z0-9_]+,|^ENC\([A-Za-z0-9+/=]+\)$|^\$ANSIBLE_VAULT;|^-----BEGIN PGP MESSAGE-----|"
    r"^vault:v\d+:|^AQICAH|^\{AQAAAB[A-Za-z0-9+/=]+\}$"
)
# Password hashes: crypt(3) formats, Django/Werkzeug, LDAP, htpasswd's Apache MD5 (also as an
# htpasswd line, `user:$apr1$...`).
_HASH = re.compile(
    r"^(?:[\w.@-]+:)?\$(?:2[abxy]?|1|5|6|y|7|argon2i?d?|scrypt|pbkdf2[-\w]*|apr1|sha1|md5)\$|"
    r"^(?:pbkdf2_sha\d+|argon2|bcrypt(?:_sha256)?|sha1|md5|scrypt)\$|^\{(?:SSHA|SHA|SMD5|MD5|"
    r"CRYPT|PBKDF2[-\w]*|SSHA256|SSHA512|ARGON2)\}|^(?:SCRAM-SHA-256|md5)[$0-9a-f]"
)
_PATH = re.compile(
    r"^(?:~?/|\./|\.\./|[A-Za-z]:\\)[^\s]*$|^[\w./-]+\.(?:pem|key|crt|cer|der|p12|pfx|jks|json|"
    r"txt|keystore|keytab|gpg|asc|env|ini|cfg|conf|yaml|yml)$"
)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_BOOLEAN_OR_NUMBER = re.compile(
    r"^(?:true|false|yes|no|on|off|y|n|[-+]?\d+\.\d*|[-+]?\.\d+|[-+]?\d{1,3}|0x[0-9a-f]+)$",
    re.IGNORECASE,
)


# Algorithm, cipher, key-store and mechanism names: what goes under `password_hash_algorithm`,
# `passwordEncoder`, `auth-host`, `password-digest`, never a credential.
_ALGORITHM = re.compile(
    r"^(?:[A-Za-z]+[-_])?(?:bcrypt|scrypt|argon2(?:i|d|id)?|pbkdf2|pbe|sha-?(?:1|224|256|384|512)|"
    r"sha3|md5|md4|aes|des|3des|rsa|ecdsa|ed25519|hmac|hs|rs|es|ps|scram|ssha|crypt|blowfish|"
    r"chacha20|poly1305|gcm|pkcs|jks|jceks|plain|digest|kerberos|ntlm|ldap|x509|oauth|oidc|saml)"
    r"(?:[-_]?[A-Za-z0-9]{1,12}){0,5}$",
    re.IGNORECASE,
)
_NAME_PATH = re.compile(r"^[a-z0-9][a-z0-9_.-]*(?:/[a-z0-9_.-]+)+$")


def is_algorithm_name(value: str) -> bool:
    """`bcrypt`, `argon2id`, `PBKDF2-SHA256`, `AES-256-GCM`, `scram-sha-256`, `PKCS12`, `RS256`."""
    return len(value) <= 48 and _ALGORITHM.match(value) is not None


def is_template(value: str) -> bool:
    """`${VAR}`, `{{ ... }}`, `{% ... %}`, `$VAR`, `$(VAR)`, `%(var)s`, `#{var}`, `@@X@@`..."""
    return _TEMPLATE.search(value) is not None


def is_placeholder(value: str) -> bool:
    """`changeme`, `<your-password>`, `REDACTED`, `***`, `xxxx`, `your_token_here`, `[hidden]`."""
    stripped = value.strip().strip("'\"")
    if not stripped:
        return True
    if _BRACKETED.match(stripped) or _MASK_RUNS.search(stripped):
        return True
    if _PREFIXED_RUN.match(stripped):
        return True
    return _PLACEHOLDER_WORDS.match(stripped) is not None


def is_reference(value: str) -> bool:
    """A pointer to a secret store, not the secret: `vault:secret/db#password`, an ARN, ..."""
    return _REFERENCE.match(value) is not None


def is_ciphertext(value: str) -> bool:
    """SOPS, Ansible Vault, Vault transit and KMS ciphertext: safe to commit by design."""
    return _CIPHERTEXT.match(value.lstrip()) is not None


def is_password_hash(value: str) -> bool:
    return _HASH.match(value) is not None


def is_path(value: str) -> bool:
    return _PATH.match(value) is not None


_FIELD_NAME = re.compile(r"^[a-z]+(?:[-_.][a-z]+)*$")


def is_field_name(value: str) -> bool:
    """`password`, `client_secret`, `db-password`, `airflow/smtp_password`: the *name* of a
    credential field or of a stored secret (a Kubernetes secret key, an ExternalSecret property, a
    Vault path), written as lower-case identifiers."""
    from floec.credential_rules.keys import KeyKind, classify_key

    if _NAME_PATH.match(value) is not None:
        return True
    return _FIELD_NAME.match(value) is not None and classify_key(value) is not KeyKind.NONE


def is_exempt(value: str, *, strict: bool = False) -> bool:
    """True when a value in a sensitive slot is not a plaintext credential.

    `strict` (platform.yaml, where every sensitive field must be a `secret_ref`) keeps only the
    forms that are certainly not a value: templates, references, ciphertext and empty values.
    """
    stripped = value.strip()
    if not stripped or is_template(stripped) or is_ciphertext(stripped):
        return True
    if is_reference(stripped):
        return True
    if strict:
        return False
    return (
        is_placeholder(stripped)
        or is_password_hash(stripped)
        or is_path(stripped)
        or _ENV_NAME.match(stripped) is not None
        or is_field_name(stripped)
        or is_algorithm_name(stripped)
        or _BOOLEAN_OR_NUMBER.match(stripped) is not None
        or len(stripped) < 3
    )


_IDENTIFIER_WORDS = re.compile(r"^[a-z][a-z]*(?:[-_.][a-z0-9]+)*$")
_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^\w]"))


def looks_secret(value: str) -> bool:
    """For ambiguous keys (`auth`, `secret`, `credentials`): does the value itself look like a
    credential rather than a mode word (`basic`, `oauth2`) or a name (`db-credentials`)?"""
    if len(value) < 8 or any(c.isspace() for c in value):
        return False
    if _IDENTIFIER_WORDS.match(value):
        return False
    classes = sum(1 for pattern in _CLASSES if pattern.search(value))
    return classes >= 3 or (classes == 2 and len(value) >= 16)


def strong_value(value: str) -> bool:
    """In prose, a word is a credential only when it looks generated or deliberately mixed:
    eight characters or more, no letters-only word, at least three kinds of character (or two and
    sixteen characters)."""
    if len(value) < 8 or value.isalpha():
        return False
    if _IDENTIFIER_WORDS.match(value) or is_path(value) or "://" in value:
        return False
    classes = sum(1 for pattern in _CLASSES if pattern.search(value))
    return classes >= 3 or (classes == 2 and len(value) >= 16 and any(c.isdigit() for c in value))
