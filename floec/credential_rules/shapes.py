"""Credentials recognisable by their shape alone: vendor prefixes, PEM armour, JWT structure,
connection-string fields, URL user-info.

Each detector is a compiled regex plus, where a bare regex would be noisy, a check of what it
matched (a JWT header must decode to JSON with `alg`; a Basic header must decode to
`user:password`; an AWS secret key needs AWS context). All patterns are compiled once, and one
cheap combined *anchor* regex decides whether a string is worth running them at all: most
configuration values contain none of the anchors.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator

from floec.credential_rules.hits import Hit
from floec.credential_rules.keys import split_words
from floec.credential_rules.values import is_placeholder, is_template

# Any one of these substrings must be present for any shape below to match: one of the words, or
# a run of 40 base64 characters. Every word starts with a literal character, so that the regex
# engine skips the positions where none could start; a run is looked for only from its first
# character (searching for 40 characters from every position costs a run's length squared).
ANCHORS = re.compile(
    r"AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|gl[a-z]{1,6}-|GR1348941|xox[abpresc]-|xapp-|"
    r"hooks\.slack\.com|sk_(?:live|test)_|rk_(?:live|test)_|whsec_|eyJ|PRIVATE KEY|PuTTY-User-Key|"
    r"LS0tLS1CRUdJTi|service_account|c2VydmljZV9hY2NvdW50|AccountKey=|SharedAccessKey=|sig=|dapi|"
    r"Basic |basic |Bearer |bearer |://|thin:|AIza|npm_|pypi-|SG\.|sk-|hvs\.|hvb\.|hf_|"
    r"shp[a-z]{2}_|do[por]_v1_|dp\.[a-z]+\.|key-|ATATT|glsa_|glc_|lin_api_|PMAK-|sq[upa]_"
)
_ANCHOR_RUN = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}")


def anchored(text: str) -> bool:
    """`text` holds an anchor: some shape below may match in it."""
    return ANCHORS.search(text) is not None or (
        len(text) >= 40 and _ANCHOR_RUN.search(text) is not None
    )


_DETECTORS: list[Callable[[str, str], Iterator[Hit]]] = []


def _detector(function: Callable[[str, str], Iterator[Hit]]) -> Callable[[str, str], Iterator[Hit]]:
    _DETECTORS.append(function)
    return function


def _b64decode(text: str) -> bytes | None:
    text = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _low_diversity(token: str) -> bool:
    """`ghp_xxxxxxxx...`, `dapi0000...`: a documentation placeholder in a token's shape."""
    body = token[-24:]
    return len(set(body)) <= 3


# --- cloud keys -------------------------------------------------------------------------------

_AWS_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# `client_secret` is no evidence of AWS; `aws`, `secret access`, `access key` and `sk` are.
_AWS_CONTEXT = re.compile(
    r"aws|secret[\W_]*access|access[\W_]*key|\bsk\b|secretaccesskey|s3", re.IGNORECASE
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
# A key made of these words only (`secret`, `secret_key`, `sk`) holds an AWS secret when the
# value has its shape; `client_secret` does not.
_AWS_KEY_WORDS = frozenset({"aws", "secret", "key", "access", "sk", "s3"})


@_detector
def _aws(text: str, key: str) -> Iterator[Hit]:
    if "AKIA" in text or "ASIA" in text or "ABIA" in text or "ACCA" in text:
        for match in _AWS_ID.finditer(text):
            yield Hit("FLC204", match.start(), match.end(), "hardcoded AWS access key id")
    if len(text) < 40:
        return
    for match in _AWS_SECRET.finditer(text):
        token = match.group()
        if _HEX.match(token) or token.isalpha() or "/" in token[:1]:
            continue
        if not (any(c.islower() for c in token) and any(c.isupper() for c in token)):
            continue
        if not any(c.isdigit() or c in "/+" for c in token):
            continue
        context = key + " " + text[max(0, match.start() - 80) : match.start()]
        if (
            token.endswith("EXAMPLEKEY")
            or _AWS_CONTEXT.search(context)
            or _AWS_ID.search(text)
            or (key and set(split_words(key)) <= _AWS_KEY_WORDS)
        ):
            yield Hit("FLC205", match.start(), match.end(), "hardcoded AWS secret access key")


_AZURE_KEY = re.compile(r"(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{30,}={0,2})")
_SAS_SIG = re.compile(r"(?<![A-Za-z0-9])sig=([A-Za-z0-9%+/]{20,}(?:={1,2}|(?:%3[Dd]){1,2})?)")
_SAS_FIELDS = re.compile(r"(?<![A-Za-z0-9])(?:sv|se|st|sp|srt|ss|spr)=")


@_detector
def _azure(text: str, key: str) -> Iterator[Hit]:
    for match in _AZURE_KEY.finditer(text) if "Key=" in text else ():
        what = (
            "hardcoded Azure storage account key"
            if match.group().startswith("Account")
            else ("hardcoded Azure shared access key")
        )
        yield Hit("FLC214", match.start(1), match.end(1), what)
    if "sig=" in text:
        for match in _SAS_SIG.finditer(text):
            if len(_SAS_FIELDS.findall(text)) >= 2:
                yield Hit(
                    "FLC215", match.start(1), match.end(1), "hardcoded Azure SAS token signature"
                )


_GCP_JSON = re.compile(r"[\"']?type[\"']?\s*:\s*[\"']service_account[\"']")
_GCP_KEY = re.compile(r"[\"']?private_key[\"']?\s*:\s*[\"']?(-----BEGIN[^\"']*)")
_GCP_B64 = re.compile(
    r"(?:ewogICJ0eXBlIjogInNlcnZpY2VfYWNjb3VudC|eyJ0eXBlIjoic2VydmljZV9hY2NvdW50I|"
    r"eyJ0eXBlIjogInNlcnZpY2VfYWNjb3VudC|ewogICAgInR5cGUiOiAic2VydmljZV9hY2NvdW50)"
    r"[A-Za-z0-9+/=]{40,}"
)


@_detector
def _gcp(text: str, key: str) -> Iterator[Hit]:
    if "service_account" in text and _GCP_JSON.search(text):
        match = _GCP_KEY.search(text)
        if match and "PRIVATE KEY" in match.group(1):
            yield Hit(
                "FLC213", match.start(1), match.end(1), "hardcoded Google Cloud service-account key"
            )
    if "c2VydmljZV9hY2NvdW50" in text or "ewog" in text or "eyJ0eXBl" in text:
        for match in _GCP_B64.finditer(text):
            yield Hit(
                "FLC213",
                match.start(),
                match.end(),
                "hardcoded Google Cloud service-account key (base64)",
            )


# --- source forges, chat, payments, data platforms ----------------------------------------------

# (code, pattern, what, literals): a match contains one of the literals, so that a text without
# any of them is passed over without running the pattern.
_SIMPLE: tuple[tuple[str, re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        "FLC206",
        re.compile(r"(?<![\w])gh[pousr]_[A-Za-z0-9]{36,251}(?![\w])"),
        "hardcoded GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ),
    (
        "FLC206",
        re.compile(r"(?<![\w])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{50,}(?![\w])"),
        "hardcoded GitHub fine-grained token",
        ("github_pat_",),
    ),
    (
        "FLC207",
        re.compile(
            r"(?<![\w-])(?:glpat|gldt|glrt|glptt|glcbt|glft|glimt|glsoat|gloas|glagent)-"
            r"[A-Za-z0-9_-]{20,}(?![\w-])|(?<![\w])GR1348941[A-Za-z0-9_-]{20,}(?![\w-])"
        ),
        "hardcoded GitLab token",
        ("gl", "GR1348941"),
    ),
    (
        "FLC208",
        re.compile(
            r"(?<![\w-])(?:xox[abpresc]-\d[A-Za-z0-9-]{8,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)"
        ),
        "hardcoded Slack token",
        ("xox", "xapp-"),
    ),
    (
        "FLC210",
        re.compile(r"(?<![\w])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{24,})"),
        "hardcoded Stripe secret key",
        ("k_live_", "k_test_", "whsec_"),
    ),
    (
        "FLC216",
        re.compile(r"(?<![\w])dapi[0-9a-f]{32}(?:-\d)?(?![\w])"),
        "hardcoded Databricks personal access token",
        ("dapi",),
    ),
    (
        "FLC219",
        re.compile(
            r"(?<![\w-])(?:AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36}|"
            r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}|"
            r"sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)[A-Za-z0-9_-]{40,}|"
            r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|hv[sb]\.[A-Za-z0-9_-]{24,}|"
            r"hf_[A-Za-z0-9]{34}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|do[por]_v1_[a-f0-9]{64}|"
            r"dp\.(?:st|ct|sa|scim|audit)\.[A-Za-z0-9_.-]{40,}|key-[0-9a-zA-Z]{32}|"
            r"ATATT3[A-Za-z0-9_=-]{50,}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|"
            r"glc_[A-Za-z0-9+/]{32,}={0,2}|lin_api_[A-Za-z0-9]{40}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}|"
            r"sq[upa]_[a-f0-9]{40})"
            r"(?![\w])"
        ),
        "hardcoded vendor API token",
        (
            "AIza",
            "npm_",
            "pypi-",
            "SG.",
            "sk-",
            "hvs.",
            "hvb.",
            "hf_",
            "shp",
            "_v1_",
            "dp.",
            "key-",
            "ATATT",
            "glsa_",
            "glc_",
            "lin_api_",
            "PMAK-",
            "squ_",
            "sqp_",
            "sqa_",
        ),
    ),
)


@_detector
def _simple(text: str, key: str) -> Iterator[Hit]:
    for code, pattern, what, literals in _SIMPLE:
        for literal in literals:
            if literal in text:
                break
        else:
            continue
        for match in pattern.finditer(text):
            if not is_placeholder(match.group()) and not _low_diversity(match.group()):
                yield Hit(code, match.start(), match.end(), what)


_SLACK_HOOK = re.compile(
    r"https://hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/+-]{20,})"
)


@_detector
def _slack_webhook(text: str, key: str) -> Iterator[Hit]:
    if "hooks.slack.com/" not in text:
        return
    for match in _SLACK_HOOK.finditer(text):
        tail = match.group(1).rsplit("/", 1)[-1]
        if re.fullmatch(r"[X0x]+", tail) or is_placeholder(tail):
            continue
        yield Hit("FLC209", match.start(1), match.end(1), "hardcoded Slack incoming-webhook URL")


_JWT = re.compile(r"(?<![\w-])(eyJ[A-Za-z0-9_-]{8,})\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


@_detector
def _jwt(text: str, key: str) -> Iterator[Hit]:
    if "eyJ" not in text:
        return
    for match in _JWT.finditer(text):
        header = _b64decode(match.group(1))
        if header is None:
            continue
        try:
            parsed = json.loads(header)
        except ValueError:
            continue
        if isinstance(parsed, dict) and ("alg" in parsed or "typ" in parsed):
            yield Hit("FLC211", match.start(), match.end(), "hardcoded JSON Web Token")


# --- private keys -------------------------------------------------------------------------------

_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----"
    r"(?P<body>[\s\S]*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)"
)
_PEM_BODY = re.compile(r"[A-Za-z0-9+/]{20,}")
_PUTTY = re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]*?Private-Lines:[\s\S]*?(?:Private-MAC:.*|$)")
_PEM_B64 = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,}={0,2}")


@_detector
def _private_key(text: str, key: str) -> Iterator[Hit]:
    if "PRIVATE KEY" in text:
        for match in _PEM.finditer(text):
            if _PEM_BODY.search(match.group("body")) and not is_template(match.group("body")):
                kind = match.group(1).strip()
                yield Hit("FLC212", match.start(), match.end(), f"hardcoded private key ({kind})")
    if "PuTTY-User-Key" in text:
        for match in _PUTTY.finditer(text):
            yield Hit("FLC212", match.start(), match.end(), "hardcoded PuTTY private key")
    if "LS0tLS1CRUdJTi" in text:
        for match in _PEM_B64.finditer(text):
            head = _b64decode(match.group()[:80])
            if head is not None and b"PRIVATE KEY" in head:
                yield Hit("FLC212", match.start(), match.end(), "hardcoded private key (base64)")


# --- credentials in URLs and headers -------------------------------------------------------------

_URL_USERINFO = re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://([^\s:/?#@'\"<>{}]*):([^\s/?'\"<>]+)@"
    r"[A-Za-z0-9\[\]_.-]"
)
_ORACLE = re.compile(r"thin:([A-Za-z0-9_$#]+)/([^@\s/'\"]+)@")


@_detector
def _url_credentials(text: str, key: str) -> Iterator[Hit]:
    if "://" in text:
        for match in _URL_USERINFO.finditer(text):
            password = match.group(2)
            if _is_fake_password(password):
                continue
            yield Hit("FLC203", match.start(2), match.end(2), "hardcoded password in a URL")
    if "thin:" in text:
        for match in _ORACLE.finditer(text):
            if not _is_fake_password(match.group(2)):
                yield Hit(
                    "FLC203", match.start(2), match.end(2), "hardcoded password in a JDBC URL"
                )


def _is_fake_password(value: str) -> bool:
    return is_template(value) or is_placeholder(value) or value.startswith("$")


_BASIC = re.compile(r"(?<![\w])[Bb]asic\s+([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])")
_BEARER = re.compile(r"(?<![\w])[Bb]earer\s+([A-Za-z0-9._~+/-]{16,}=*)(?![\w~+/=.-])")


@_detector
def _auth_header(text: str, key: str) -> Iterator[Hit]:
    if "asic " in text:
        for match in _BASIC.finditer(text):
            decoded = _b64decode(match.group(1))
            if decoded is None:
                continue
            try:
                plain = decoded.decode("utf-8")
            except UnicodeDecodeError:
                continue
            _user, colon, password = plain.partition(":")
            if colon and plain.isprintable() and password and not is_placeholder(password):
                yield Hit(
                    "FLC217", match.start(1), match.end(1), "hardcoded HTTP Basic credentials"
                )
    if "earer " in text:
        for match in _BEARER.finditer(text):
            token = match.group(1)
            if is_placeholder(token) or token.startswith("eyJ"):
                continue  # a JWT is reported as such
            if sum(c.isdigit() for c in token) == 0 or token.isalpha():
                continue
            yield Hit("FLC217", match.start(1), match.end(1), "hardcoded HTTP Bearer token")


def find_shapes(text: str, key: str = "") -> list[Hit]:
    """Every well-known credential shape in `text`; `key` is the name of its slot, used only as
    context (an AWS secret key is a bare 40-character string without it)."""
    if not anchored(text):
        return []
    hits: list[Hit] = []
    for detector in _DETECTORS:  # in order of specificity: the first to claim a range keeps it
        for hit in detector(text, key):
            if not any(hit.overlaps(other) for other in hits):
                hits.append(hit)
    return hits
