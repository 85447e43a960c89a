"""The last guard before any output: no secret in a message, a snippet or a title.

Every renderer passes its diagnostics through `prepare`, whatever pass made them. For each file
shown, the credential rules are asked which ranges they flag (suppressed or not); those ranges
are added to every diagnostic's `masked` ranges, so a snippet never shows them, and their text
is replaced in messages, help and notes, so a message that quotes a value cannot leak it either.
Lines shown in a snippet are also scanned one by one: a file that is not YAML (a syntax error,
an `.env` file) still has `password=...` lines, and the line scan finds them without a tree.

`floec lint` computes both where it lints each file (`file_masks`, in its worker processes) and
hands them over with `remember`, so that the renderers do not scan its files a second time; any
other file, or another text under the same name, is scanned here as before.

Messages and snippet lines are cut to a bounded length: a megabyte-long one-line value is
described, not printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

import attrs

from floec.diagnostics.model import Diagnostic, Related
from floec.source import SourceFile
from floec.span import Span

# Above this size a file is scanned only on the lines a diagnostic shows (the full scan of a
# large file costs more than the few lines a snippet prints).
FULL_SCAN_CHARS = 1024 * 1024
MAX_MESSAGE_CHARS = 1000
# A longer line is masked whole in snippets rather than scanned (scanning is linear but slow).
MAX_SCANNED_LINE = 4096
# Secrets shorter than this are masked in snippets but not searched for in messages: replacing
# every "abc" in a message would garble it, and the messages that quote values check them first.
_MIN_SEARCHED = 4

_KEY_VALUE = re.compile(
    r"^\s*(?:-\s+)?([^\s:#'\"][^:#]*?|\"[^\"]*\"|'[^']*')\s*[:=](?:\s+|$|(?=\S))(.*)$"
)
_FLOW_PAIR = re.compile(r"""(?<![\w.-])["']?([\w.-]{1,128})["']?\s*:\s+["']?([^,{}\[\]"']+)""")
_REFERENCE_KEYS = frozenset({"secret_ref", "secretKeyRef", "secretRef", "valueFrom"})
# The password of a URL's user information (`scheme://user:password@host`), whatever the host:
# masked even where no detector reports it (`sqlite://admin:pw@/file.db` has no host at all).
_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^/\s:@'\"]*:([^/\s@'\"]+)@"
)
_cache: dict[tuple[str, int], tuple[Span, ...]] = {}
# What the lint already computed for a file of this run, by name (with the very SourceFile it was
# computed from, so that another text under the same name is never mistaken for it).
_known: dict[str, tuple[SourceFile, FileMasks]] = {}


@attrs.frozen
class FileMasks:
    """What `prepare` needs of one file, computed where the file was linted (in a worker
    process, once per file rather than once per finding): the ranges the credential rules flag
    (`secret_spans`), and the lines its own diagnostics show, each read on its own
    (`line_spans`)."""

    flagged: tuple[Span, ...]
    lines: tuple[int, ...]
    found: tuple[Span, ...]


def file_masks(
    source: SourceFile, flagged: tuple[Span, ...], diagnostics: Iterable[Diagnostic]
) -> FileMasks:
    """`FileMasks` of `source` from the lint's own `secret_ranges` (`flagged`) and findings."""
    lines = sorted(
        {
            index
            for diagnostic in diagnostics
            for span in _spans(diagnostic)
            if span.file == source.name
            for index in _shown_lines(span)
        }
    )
    if len(source.text) > FULL_SCAN_CHARS:
        flagged = ()  # as `secret_spans`: shown lines only
    # Only what the lint did not flag itself: the line scans mostly find the same ranges, and
    # these travel back from a worker process.
    known = set(flagged)
    found = {span for index in lines for span in line_spans(source, index) if span not in known}
    return FileMasks(flagged, tuple(lines), tuple(sorted(found)))


def remember(source: SourceFile, masks: FileMasks) -> None:
    """Let `prepare` reuse `masks` for `source` (this very object) instead of scanning again."""
    _known[source.name] = (source, masks)


def forget() -> None:
    """Drop what `remember` kept (a new run starts)."""
    _known.clear()


def secret_spans(source: SourceFile) -> tuple[Span, ...]:
    """The ranges of `source` that the credential rules flag (the whole file when it is small
    enough, else nothing: shown lines are scanned by `line_spans`)."""
    if len(source.text) > FULL_SCAN_CHARS:
        return ()
    key = (source.name, hash(source.text))
    found = _cache.get(key)
    if found is None:
        from floec.passes.lint_credentials import secret_ranges

        try:
            found = secret_ranges(source)
        except RecursionError:  # pragma: no cover - the loader bounds depth; belt and braces
            found = ()
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = found
    return found


def line_spans(source: SourceFile, index: int) -> list[Span]:
    """What the credential rules flag on line `index` read on its own (`key: value`,
    `KEY=value`, a comment, or a bare token)."""
    name = source.name
    return [
        Span.of(name, index, start, index, end) for start, end in _line_hits(source.line(index))
    ]


_Scans = dict[tuple[str, str | None, bool, bool], list[tuple[int, int]]]


def _line_hits(line: str, scans: _Scans | None = None) -> list[tuple[int, int]]:
    """The flagged (start, end) columns of `line`. `scans` holds the detectors' answers for the
    strings of this line already asked about: a line is read again in its values (`a: b=c`), and
    the same token at the same place need not be scanned at every level."""
    from floec.credential_rules import scan_comment, scan_value, split_comment
    from floec.credential_rules.scan import MIN_UNKEYED

    if not line.strip():
        return []
    if len(line) > MAX_SCANNED_LINE:  # not configuration, and costly to scan: hidden whole
        return [(0, len(line))]
    if scans is None:
        scans = {}
    code, comment_at = split_comment(line)
    out: list[tuple[int, int]] = []

    def scan(
        text: str, key: str | None, base: int, *, strict: bool = False, value_position: bool = True
    ) -> None:
        question = (text, key, strict, value_position)
        hits = scans.get(question)
        if hits is None:
            found = scan_value(text, key, strict=strict, value_position=value_position)
            hits = scans[question] = [(hit.start, hit.end) for hit in found]
        out.extend((base + start, base + end) for start, end in hits)

    match = _KEY_VALUE.match(code)
    if match is not None:
        key = match.group(1).strip("'\"")
        value = match.group(2)
        base = match.start(2)
        if value.lstrip()[:1] in ("{", "["):  # a flow collection: its own pairs
            for pair in _FLOW_PAIR.finditer(value):
                if pair.group(1) in _REFERENCE_KEYS:
                    continue
                scan(pair.group(2), pair.group(1), base + pair.start(2), strict=True)
        elif key not in _REFERENCE_KEYS:
            scan(value, key, base, strict=True)
            # `key: password: x` (a syntax error): the rest read again
            if ":" in value or "=" in value:
                out.extend((base + start, base + end) for start, end in _line_hits(value, scans))
    stripped = code.lstrip(" -")
    scan(stripped.rstrip(), None, len(code) - len(stripped))
    for token in _TOKEN.finditer(code):
        if token.end() - token.start() >= MIN_UNKEYED:  # shorter, `scan_value` passes it over
            scan(token.group(), None, token.start())
    if comment_at is not None:
        for hit in scan_comment(line[comment_at + 1 :]):
            out.append((comment_at + 1 + hit.start, comment_at + 1 + hit.end))
    for found in _URL_PASSWORD.finditer(line):
        out.append((found.start(1), found.end(1)))
    return out


_TOKEN = re.compile(r"[^\s'\"{}\[\],]+")


def _shown_lines(span: Span) -> Iterable[int]:
    """The lines a snippet of `span` can show (render_text shows at most the first three and
    the last of a long span)."""
    first, last = span.start.line, span.end.line
    if last - first > 8:
        return [*range(first, first + 4), last - 1, last]
    return range(first, last + 1)


def _text_of(span: Span, source: SourceFile) -> str:
    if span.is_single_line:
        return source.line(span.start.line)[span.start.column : span.end.column]
    parts = [source.line(span.start.line)[span.start.column :]]
    parts += [source.line(i) for i in range(span.start.line + 1, span.end.line)]
    parts.append(source.line(span.end.line)[: span.end.column])
    return "\n".join(parts)


def mask_fragment(secret: str) -> str:
    """How a secret that turns up inside a message is shown: two characters at each end at
    most, and only for long values."""
    if len(secret) >= 12:
        return f"{secret[:2]}…{secret[-2:]}"
    return "*" * min(len(secret), 8)


def cut(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` cut to `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


class _Secrets:
    """The flagged ranges and texts of every file of one run."""

    def __init__(self, sources: Mapping[str, SourceFile]) -> None:
        self.sources = sources
        self.by_file: dict[str, set[Span]] = {}
        self.texts: set[str] = set()
        self.scanned_lines: set[tuple[str, int]] = set()
        for name, source in sources.items():
            known = _known.get(name)
            if known is not None and known[0] is source:
                masks = known[1]
                spans = {*masks.flagged, *masks.found}
                self.scanned_lines.update((name, index) for index in masks.lines)
            else:
                spans = set(secret_spans(source))
            self.by_file[name] = spans
            self.texts.update(_text_of(s, source) for s in spans)

    def scan_lines(self, span: Span) -> None:
        source = self.sources.get(span.file)
        if source is None:
            return
        for index in _shown_lines(span):
            if (span.file, index) in self.scanned_lines:
                continue
            self.scanned_lines.add((span.file, index))
            for found in line_spans(source, index):
                self.by_file.setdefault(span.file, set()).add(found)
                self.texts.add(_text_of(found, source))

    def index(self) -> None:
        """Masks by (file, line), and the searched pieces of text, once all are known."""
        self.by_line: dict[tuple[str, int], set[Span]] = {}
        for file, spans in self.by_file.items():
            for span in spans:
                for line in range(span.start.line, span.end.line + 1):
                    self.by_line.setdefault((file, line), set()).add(span)
        pieces = {p.strip() for secret in self.texts for p in secret.split("\n")}
        self.pieces = sorted((p for p in pieces if len(p) >= _MIN_SEARCHED), key=len, reverse=True)
        # By their first characters, so that a text is searched in one pass over its positions
        # whatever the number of secrets (thousands of findings must not cost their square).
        self.by_prefix: dict[str, list[str]] = {}
        for piece in self.pieces:
            self.by_prefix.setdefault(piece[:_MIN_SEARCHED], []).append(piece)
        # Most texts recur (every finding of a rule has the same help): each is scrubbed once.
        self.scrubbed: dict[str, str] = {}

    def masks_for(self, spans: Iterable[Span]) -> tuple[Span, ...]:
        out: set[Span] = set()
        for span in spans:
            for line in _shown_lines(span):
                out.update(self.by_line.get((span.file, line), ()))
        return tuple(sorted(out))

    def scrub(self, text: str) -> str:
        done = self.scrubbed.get(text)
        if done is None:
            done = self.scrubbed[text] = self._scrub(text)
        return done

    def _scrub(self, text: str) -> str:
        size = _MIN_SEARCHED
        prefixes = {text[start : start + size] for start in range(len(text) - size + 1)}
        found = {
            piece
            for prefix in prefixes.intersection(self.by_prefix)
            for piece in self.by_prefix[prefix]
            if piece in text
        }
        for piece in sorted(found, key=len, reverse=True):  # longer first, as the masks nest
            if piece in text:
                text = text.replace(piece, mask_fragment(piece))
        text = _URL_PASSWORD.sub(
            lambda m: m.group()[: m.start(1) - m.start()] + mask_fragment(m.group(1)) + "@", text
        )
        return cut(text)


def scrub_text(text: str, sources: Mapping[str, SourceFile]) -> str:
    """`text` (an IR dump, a listing) with every flagged value of `sources` masked, uncut."""
    secrets = _Secrets(sources)
    secrets.index()
    for piece in secrets.pieces:
        text = text.replace(piece, mask_fragment(piece))
        text = text.replace(json.dumps(piece)[1:-1], mask_fragment(piece))
    return _URL_PASSWORD.sub(
        lambda m: m.group()[: m.start(1) - m.start()] + mask_fragment(m.group(1)) + "@", text
    )


def prepare(diagnostics: list[Diagnostic], sources: Mapping[str, SourceFile]) -> list[Diagnostic]:
    """`diagnostics` made safe to print: every flagged range on a shown line masked, every
    flagged text gone from the words, every text bounded."""
    secrets = _Secrets(sources)
    for diagnostic in diagnostics:
        for span in _spans(diagnostic):
            secrets.scan_lines(span)
    for diagnostic in diagnostics:  # masks found by the lint pass itself count everywhere
        for span in diagnostic.masked:
            source = sources.get(span.file)
            secrets.by_file.setdefault(span.file, set()).add(span)
            if source is not None:
                secrets.texts.add(_text_of(span, source))
    secrets.index()
    out = []
    for diagnostic in diagnostics:
        masks = secrets.masks_for(_spans(diagnostic))
        out.append(
            attrs.evolve(
                diagnostic,
                message=secrets.scrub(diagnostic.message),
                help=secrets.scrub(diagnostic.help) if diagnostic.help else diagnostic.help,
                notes=tuple(secrets.scrub(n) for n in diagnostic.notes),
                related=tuple(
                    Related(r.span, secrets.scrub(r.message)) for r in diagnostic.related
                ),
                masked=tuple(sorted(set(diagnostic.masked) | set(masks))),
            )
        )
    return out


def _spans(diagnostic: Diagnostic) -> list[Span]:
    spans = [diagnostic.span] if diagnostic.span is not None else []
    return spans + [r.span for r in diagnostic.related]


# -- control and bidirectional characters -------------------------------------------------------

# C0 (but tab), DEL, C1, and the characters that reorder or hide text (Trojan Source).
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069"
    "\ufeff\ufff9-\ufffb]"
)


# What JSON leaves raw inside strings: C1 controls and the bidirectional characters.
_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def unsafe(char: str) -> bool:
    return _UNSAFE.match(char) is not None


def escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_text(text: str) -> str:
    """`text` with every control and bidirectional character written as an escape (`\\x1b`),
    so that printing it to a terminal or a log cannot move the cursor or reorder what is seen."""
    return _UNSAFE.sub(lambda m: escape_char(m.group()), text)


def escape_json(document: str) -> str:
    """A JSON text whose C1 controls and bidirectional characters (legal raw in JSON strings) are
    written as `\\uXXXX` escapes too; C0 controls are escaped by `json.dumps` already."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
