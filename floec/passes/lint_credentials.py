"""Pass `lint-credentials`: hardcoded credentials in any YAML file (FLC2xx).

Reads: one decoded `SourceFile` and, when the caller has composed it already, its documents
(`floec lint` passes none and the pass composes every document itself, custom tags allowed).
Writes: nothing; the tree is not changed.
Reports: one diagnostic per secret found in a key, a value (plain, quoted, block, flow, and an
anchor's value once however often it is aliased) or a comment, under the most specific rule that
explains it (FLC201-FLC219); in floe.yaml also every credential field (FLC220) and every endpoint
(FLC221), all as errors; FLC230-FLC232 for unused, unknown and malformed suppressions; and, when
the file is not valid YAML, FLC004 as a warning after scanning it line by line instead (a Helm
template is still worth checking). Every finding masks the secret (`masked`) and its message
shows at most two characters at each end and the length.

`floec lint` reads many files, most of them mostly harmless, so the pass first searches each file's
text once for what any detector needs (`CANDIDATE`): a file without a candidate is only checked to
be YAML, and a scalar or a subtree without one is passed over. The tree comes from a lean composer
(`lint_compose`) that defers to the general one for anything unusual, in pieces of a few thousand
nodes that are linted and let go one by one: only the findings and the '#'s inside scalars are
kept, so memory stays within about 20 times the file's size (a whole tree costs 30). A mapping
whose keys change how its other entries are read (`secret_ref`, `kty`, `name` with `value`,
`type` with `private_key`) is read whole. None of this changes a finding: the tests compare it
with the general path on every YAML file of the repository, cut wherever a cut is allowed.
"""

from __future__ import annotations

import functools
import os
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence

import attrs

from floec.credential_rules.endpoints import find_endpoint
from floec.credential_rules.hits import Hit
from floec.credential_rules.keys import KeyKind, classify_key
from floec.credential_rules.scan import (
    CANDIDATE,
    MIN_UNKEYED,
    has_candidate,
    lowered,
    scan_comment,
    scan_key,
    scan_value,
    split_comment,
)
from floec.credential_rules.suppression import Suppression, parse_suppression
from floec.diagnostics.masking import mask_value
from floec.diagnostics.model import Diagnostic, Severity, make, normalise
from floec.frozen import frozen
from floec.passes.lint_compose import GiveUp, Piece, Uncut, compose_plain, iter_pieces
from floec.source import SourceFile
from floec.span import Position, Span
from floec.syntax.load import compose_documents
from floec.syntax.tree import MappingNode, Node, ScalarNode, SequenceNode, SyntaxTree

_FLOE_NAMES = frozenset({"floe.yaml", "floe.yml"})
_PLATFORM_NAMES = frozenset({"platform.yaml", "platform.yml"})
# Keys whose value is a pointer to a secret or ciphertext: never scanned.
_REFERENCE_KEYS = frozenset(
    {"secret_ref", "secretKeyRef", "configMapKeyRef", "secretRef", "valueFrom", "encryptedData",
     "sops", "secretKeySelector", "secretStoreRef", "remoteRef"}
)  # fmt: skip
_NO_ENTROPY_KEYS = frozenset({"binaryData", "caBundle", "integrity", "checksums"})
_STANDARD_TAG = "tag:yaml.org,2002:"
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")

_HELP = {
    "FLC203": "remove the password from the URL; pass it separately from a secret "
    "(`{secret_ref: NAME}` in platform.yaml, an environment variable elsewhere)",
    "FLC218": "if this is a secret, move it to a secret store; if it is public (an id, a "
    "digest), add `# floec: ignore[high-entropy-string] -- why`",
    "FLC220": "floe.yaml must build unchanged in every environment: move credentials to the "
    "environment's platform.yaml and name the profile (`catalog: default`)",
    "FLC221": "floe.yaml must build unchanged in every environment: move endpoints to the "
    "environment's platform.yaml and refer to the profile by name",
}
_SECRET_HELP = (
    "rotate it (it is in version control now), keep it in a secret store and reference it: "
    "`{secret_ref: NAME}` in platform.yaml, an environment variable in other files"
)


@frozen
class _Finding:
    code: str
    span: Span  # the secret's own range: what is masked
    anchors: tuple[int, ...]  # lines where a suppression comment applies (a tuple is lighter)
    message: str
    secret: bool = True


@frozen
class _Comment:
    line: int
    column: int  # of the text after '#'
    text: str


class _Text:
    """Offsets <-> positions over the source's lines joined by '\\n'."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.lines = source.lines
        # the text itself when it has no '\r' (a 2 MiB file need not be copied)
        self.joined = source.text if "\r" not in source.text else "\n".join(self.lines)
        # machine integers: a list would hold an int object per line
        starts = array("q", [0])
        for line in self.lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.starts = starts
        self.lowered: str | None = None

    def offset(self, position: Position) -> int:
        line = min(position.line, len(self.starts) - 1)
        return self.starts[line] + position.column

    def position(self, offset: int) -> Position:
        low, high = 0, len(self.starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return Position(low, offset - self.starts[low])

    def span(self, start: int, end: int) -> Span:
        return Span(self.source.name, self.position(start), self.position(end))

    def quiet(self, start: int, end: int) -> bool:
        """No detector can report anything in the text `[start, end)` (see `CANDIDATE`)."""
        if self.lowered is None:
            self.lowered = lowered(self.joined)
        return CANDIDATE.search(self.lowered, start, end) is None


def lint_credentials(
    source: SourceFile, documents: Sequence[SyntaxTree] | None = None
) -> list[Diagnostic]:
    """Find hardcoded credentials in every key, value and comment of `source`.

    Reads: the file's text (and its documents, when given). Writes: nothing.
    Reports: FLC2xx findings, masked (see the module docstring).

    >>> from floec.source import SourceFile
    >>> [d.code for d in lint_credentials(SourceFile("db.yaml", "password: hunter2\\n"))]
    ['FLC201']
    >>> lint_credentials(SourceFile("db.yaml", "password: {secret_ref: db}\\n"))
    []
    """
    if documents is not None:
        return normalise(_Linter(source).run(documents))
    return lint_with_ranges(source)[0]


def _lint(source: SourceFile) -> tuple[_Linter, list[Diagnostic]]:
    """The linter after its run over `source` (its findings) and the diagnostics."""
    linter = _Linter(source)
    # One pass over the text first: a file where no detector could fire needs no tree, only
    # the proof that it is YAML (the lint warns about files that are not).
    low = lowered(source.text)
    # besides the detectors' candidates: JSON Web Keys and suppression comments
    candidate = linter.is_floe or has_candidate(low) or "kty" in low or "floec" in low
    documents: Sequence[SyntaxTree] | None = None
    try:
        if not candidate:
            for _ in iter_pieces(source):  # only the proof that it is YAML
                pass
            return linter, []
        pieces = iter_pieces(source, watch=_SIBLING_KEYS, whole=_needs_whole)
        if linter.text.joined is source.text:
            linter.text.lowered = low
        return linter, linter.run_pieces(pieces)
    except Uncut:  # read whole: the lean composer's tree
        documents = compose_plain(source)
    except GiveUp:  # the general composer decides
        pass
    linter = _Linter(source)
    if documents is None:
        composed, problems = compose_documents(source, allow_custom_tags=True)
        documents = composed.trees
        fatal = [d for d in problems if d.code in ("FLC004", "FLC007", "FLC008", "FLC009")]
        if fatal and not documents:
            return linter, linter.run_on_text(fatal[0])
    return linter, linter.run(documents)


class _Linter:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.text = _Text(source)
        base = os.path.basename(source.name).lower()
        self.is_floe = base in _FLOE_NAMES
        self.is_platform = base in _PLATFORM_NAMES
        self.findings: list[_Finding] = []
        self.seen_scalars: set[tuple[int, str | None]] = set()
        self.seen_nodes: set[int] = set()
        self.collected: set[int] = set()
        self.floe_reported: set[int] = set()

    # --- the tree -----------------------------------------------------------------------------

    def run(self, documents: Sequence[SyntaxTree]) -> list[Diagnostic]:
        return self.run_pieces(
            Piece(tree.root, tree.root.span.start.line, False, index)
            for index, tree in enumerate(documents)
        )

    def run_pieces(self, pieces: Iterable[Piece]) -> list[Diagnostic]:
        """Lint each piece as it comes and let it go: only the findings and the '#'s that scalars
        cover are kept."""
        scalars = _Cover(self.text)
        for piece in pieces:
            self.visit(piece.node, scalars, piece.root_line)
            # Nodes are compared by identity; a piece's nodes are freed once it is linted, and
            # their ids may be reused by the next piece's (which shares no node with it).
            self.seen_scalars.clear()
            self.seen_nodes.clear()
            self.collected.clear()
            self.floe_reported.clear()
        comments = self.comments(scalars) if "#" in self.text.joined else []
        for comment in comments:
            start = self.text.starts[comment.line] + comment.column
            if not self.text.quiet(start, start + len(comment.text)):
                self.scan_comment(comment)
        return self.report(comments)

    def run_on_text(self, problem: Diagnostic) -> list[Diagnostic]:
        """The file is not YAML (often a template): scan `key: value` lines and comments."""
        comments: list[_Comment] = []
        for index, line in enumerate(self.text.lines):
            code, comment_at = split_comment(line)
            if comment_at is not None:
                comments.append(_Comment(index, comment_at + 1, line[comment_at + 1 :]))
            self.scan_plain_line(index, code)
        for comment in comments:
            self.scan_comment(comment)
        warning = attrs.evolve(
            problem,
            severity=Severity.WARNING,
            notes=(
                *problem.notes,
                "floec lint scanned this file line by line instead of as YAML",
            ),
        )
        return [warning, *self.report(comments)]

    def scan_plain_line(self, index: int, code: str) -> None:
        match = re.match(
            r"^\s*(?:-\s+)?([^\s:#'\"][^:#]*?|\"[^\"]*\"|'[^']*')\s*:(?:\s+|$)(.*)$", code
        )
        line_start = self.text.starts[index]
        if match is not None:
            key, value = match.group(1).strip("'\""), match.group(2)
            hits = scan_value(value, key, strict=self.is_platform)
            base = line_start + match.start(2)
        else:
            stripped = code.lstrip(" -")
            hits = scan_value(stripped, None, value_position=False)
            base = line_start + len(code) - len(stripped)
        for hit in hits:
            self.add(hit, base, (index,), "")

    def visit(self, root: Node, scalars: _Cover, root_line: int) -> None:
        # (node, key, flags) with an explicit stack: nesting depth is bounded by the loader, but
        # recursion is not needed either.
        stack: list[tuple[Node, str | None, int, bool]] = [(root, None, root_line, True)]
        while stack:
            node, key, key_line, entropy = stack.pop()
            if isinstance(node, ScalarNode):
                if (id(node), key) in self.seen_scalars:
                    continue
                self.seen_scalars.add((id(node), key))
                if id(node) not in self.collected:
                    self.collected.add(id(node))
                    scalars.append(node)
                self.scan_scalar(node, key, key_line, entropy=entropy)
                continue
            if id(node) in self.seen_nodes:
                continue
            self.seen_nodes.add(id(node))
            if not self.is_floe and _quiet_key(key) and self.quiet_subtree(node):
                continue
            if isinstance(node, SequenceNode):
                keys = [key] * len(node.items)
                for index, item in enumerate(node.items[:-1]):
                    # ["--password", "..."]: a flag's value is the next item
                    flag = _scalar_text(item)
                    if (
                        flag
                        and flag.startswith("-")
                        and "=" not in flag  # `--password=x` carries its own value
                        and classify_key(flag) is not KeyKind.NONE
                    ):
                        keys[index + 1] = flag
                for item, item_key in zip(reversed(node.items), reversed(keys), strict=True):
                    stack.append((item, item_key, key_line, entropy))
                continue
            self.visit_mapping(node, key_line, entropy, stack, scalars)

    def visit_mapping(
        self,
        node: MappingNode,
        key_line: int,
        entropy: bool,
        stack: list[tuple[Node, str | None, int, bool]],
        scalars: _Cover,
    ) -> None:
        keys = {
            entry.key.value: entry.value
            for entry in node.entries
            if isinstance(entry.key, ScalarNode)
        }
        if "secret_ref" in keys:
            if self.is_floe and id(node) not in self.floe_reported:
                self.floe_credential(node.span, "a secret reference")
            for entry in node.entries:
                for part in (entry.key, entry.value):
                    if isinstance(part, ScalarNode):
                        scalars.append(part)
            return
        if "kty" in keys:  # a JSON Web Key: public parameters are random by nature
            entropy = False
            private = keys.get("d")
            if isinstance(private, ScalarNode) and private.value:
                self.seen_scalars.add((id(private), "d"))
                hit = Hit("FLC212", 0, len(private.value), "hardcoded private key (JWK)")
                self.add_in_scalar(hit, private, (private.span.start.line,))
        env_name = _scalar_text(keys.get("name") or keys.get("Name") or keys.get("key"))
        service_account = _scalar_text(keys.get("type")) == "service_account"
        for entry in reversed(node.entries):
            key_node, value = entry.key, entry.value
            if not isinstance(key_node, ScalarNode):
                stack.append((key_node, None, key_line, False))
                stack.append((value, None, key_line, entropy))
                continue
            key = key_node.value
            line = key_node.span.start.line
            if (id(key_node), "<key>") not in self.seen_scalars:
                self.seen_scalars.add((id(key_node), "<key>"))
                scalars.append(key_node)
                for hit in scan_key(key):
                    self.add_in_scalar(hit, key_node, (line,))
            if key in _REFERENCE_KEYS:
                self.collect_scalars(value, scalars)
                continue
            effective = key
            if key in ("value", "Value") and env_name is not None:
                effective = env_name  # `- name: DB_PASSWORD\n  value: ...` (Kubernetes env)
            if service_account and key == "private_key":
                effective = "gcp_service_account_private_key"
            if self.is_floe:
                self.floe_field(effective, key_node, value)
            stack.append((value, effective, line, entropy and key not in _NO_ENTROPY_KEYS))

    def quiet_subtree(self, node: Node) -> bool:
        """Nothing in `node`'s source range can be reported: no candidate, no JSON Web Key, and no
        '#' (its scalars would be needed to tell comments from text)."""
        text = self.text
        begin, end = text.offset(node.span.start), text.offset(node.span.end)
        if text.joined.find("#", begin, end) != -1 or not text.quiet(begin, end):
            return False
        assert text.lowered is not None  # set by quiet()
        return text.lowered.find("kty", begin, end) == -1

    def collect_scalars(self, node: Node, scalars: _Cover) -> None:
        """Scalars of a skipped subtree still matter for telling comments from text."""
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ScalarNode):
                scalars.append(current)
            elif isinstance(current, SequenceNode):
                stack.extend(current.items)
            else:
                for entry in current.entries:
                    stack.extend((entry.key, entry.value))

    def scan_scalar(
        self, node: ScalarNode, key: str | None, key_line: int, *, entropy: bool
    ) -> None:
        value = node.value
        if not value:
            return
        tagged = node.tag is not None and not node.tag.startswith(_STANDARD_TAG)
        if len(value) < MIN_UNKEYED and not self.is_floe and (tagged or _plain_key(key)):
            return  # `scan_value` passes over a short value under a key that says nothing
        if not self.is_floe and node.style != '"' and _quiet_key(key):
            # The value is the source text between its ends, up to folding and quoting (double
            # quotes can spell anything with escapes): no candidate there, nothing to find.
            text = self.text
            span = node.span
            if text.quiet(text.offset(span.start), text.offset(span.end)):
                return
        if tagged:  # `!vault`, `!Ref`, `!Sub`, `!secret`: an instruction, not a value
            hits = scan_value(value, None, value_position=False)
        else:
            hits = scan_value(value, key, strict=self.is_platform, value_position=entropy)
        if key == "gcp_service_account_private_key":
            hits = [
                attrs.evolve(h, code="FLC213", what="hardcoded Google Cloud service-account key")
                if h.code in ("FLC212", "FLC202")
                else h
                for h in hits
            ]
        if not hits and not self.is_floe:
            return
        anchors = (node.span.start.line, key_line)
        for hit in hits:
            if hit.code == "FLC201" or hit.code == "FLC202":
                hit = attrs.evolve(
                    hit, what=hit.what.replace("gcp_service_account_private_key", "private_key")
                )
            self.add_in_scalar(hit, node, anchors)
        if self.is_floe and not tagged:
            self.floe_endpoint(node, key, anchors)

    # --- floe.yaml ----------------------------------------------------------------------------

    def floe_field(self, key: str, key_node: ScalarNode, value: Node) -> None:
        if isinstance(value, ScalarNode) and value.value.strip() in ("", "~", "null"):
            return
        kind = classify_key(key)
        if key.lower() in ("credentials", "credential") or kind in (
            KeyKind.PASSWORD,
            KeyKind.SECRET,
        ):
            if isinstance(value, ScalarNode) and scan_value(value.value, key):
                return  # the value itself is reported as the secret it is
            self.floe_reported.add(id(value))
            self.floe_credential(key_node.span, f"the credential field '{key}'")

    def floe_credential(self, span: Span, what: str) -> None:
        self.findings.append(
            _Finding(
                "FLC220",
                span,
                (span.start.line,),
                f"{what} in floe.yaml: credentials belong in the platform configuration",
                secret=False,
            )
        )

    def floe_endpoint(self, node: ScalarNode, key: str | None, anchors: tuple[int, ...]) -> None:
        if key == "registry" and node.value.startswith("oci://"):
            return  # `platform.registry`: where the platform is published, not an endpoint of it
        found = find_endpoint(node.value, key)
        if found is None:
            return
        span = self.locate(node, found[0], found[1])
        self.findings.append(
            _Finding(
                "FLC221",
                span,
                anchors,
                "an infrastructure endpoint in floe.yaml: endpoints belong in the platform "
                "configuration",
                secret=False,
            )
        )

    # --- comments -----------------------------------------------------------------------------

    def comments(self, scalars: _Cover) -> list[_Comment]:
        lines = self.text.lines
        covered = scalars.covered
        found = []
        for index in sorted(scalars.hash_lines):
            line = lines[index]
            column = line.find("#")
            while column != -1:
                if (column == 0 or line[column - 1] in " \t") and (index, column) not in covered:
                    found.append(_Comment(index, column + 1, line[column + 1 :]))
                    break
                column = line.find("#", column + 1)
        return found

    def scan_comment(self, comment: _Comment) -> None:
        text = comment.text
        suppression = parse_suppression(text)
        if suppression is not None:
            text = text[: suppression.start] + " " * (len(text) - suppression.start)
        base = self.text.starts[comment.line] + comment.column
        for hit in scan_comment(text):
            self.add(hit, base, (comment.line,), " in a comment")

    # --- findings -----------------------------------------------------------------------------

    def locate(self, node: ScalarNode, start: int, end: int) -> Span:
        """The source range of `node.value[start:end]`: exact when the value appears verbatim in
        the source, else the whole scalar (coarse is better than precisely wrong)."""
        text = self.text
        begin, finish = text.offset(node.span.start), text.offset(node.span.end)
        region = text.joined[begin:finish]
        value = node.value
        if node.style == "" and region == value:
            return text.span(begin + start, begin + end)
        if node.style in ("'", '"') and region[1:-1] == value:
            return text.span(begin + 1 + start, begin + 1 + end)
        piece = value[start:end]
        found = region.find(piece) if piece else -1
        if found != -1 and region.find(piece, found + 1) == -1:
            return text.span(begin + found, begin + found + len(piece))
        return node.span

    def add_in_scalar(self, hit: Hit, node: ScalarNode, anchors: tuple[int, ...]) -> None:
        span = self.locate(node, hit.start, hit.end)
        preview = mask_value(node.value[hit.start : hit.end])
        self.findings.append(
            _Finding(hit.code, span, (*anchors, span.start.line), f"{hit.what}: {preview}")
        )

    def add(self, hit: Hit, base: int, anchors: tuple[int, ...], where: str) -> None:
        span = self.text.span(base + hit.start, base + hit.end)
        secret = self.text.joined[base + hit.start : base + hit.end]
        self.findings.append(
            _Finding(
                hit.code,
                span,
                (*anchors, span.start.line),
                f"{hit.what}{where}: {mask_value(secret)}",
            )
        )

    def report(self, comments: list[_Comment]) -> list[Diagnostic]:
        suppressions = [
            (comment, parsed)
            for comment in comments
            if "floec" in comment.text.lower()
            for parsed in [parse_suppression(comment.text)]
            if parsed is not None
        ]
        findings = _unique(self.findings)
        used: set[tuple[int, str]] = set()
        by_line = {comment.line: parsed for comment, parsed in suppressions}
        shown: list[_Finding] = []
        hidden: list[_Finding] = []
        for finding in findings:
            suppressed = False
            for line in finding.anchors:
                parsed = by_line.get(line)
                if parsed is not None and any(c.code == finding.code for c in parsed.codes):
                    used.add((line, finding.code))
                    suppressed = True
            (hidden if suppressed else shown).append(finding)
        diagnostics = [self.diagnostic(finding) for finding in shown]
        for comment, parsed in suppressions:
            diagnostics.extend(self.suppression_problems(comment, parsed, used))
        masks = [f.span for f in hidden if f.secret]
        if masks:
            diagnostics = [_with_masks(d, masks) for d in diagnostics]
        return diagnostics

    def diagnostic(self, finding: _Finding) -> Diagnostic:
        severity = Severity.ERROR if self.is_floe else None
        return make(
            finding.code,
            finding.message,
            finding.span,
            help=_HELP.get(finding.code, _SECRET_HELP),
            masked=(finding.span,) if finding.secret else (),
            severity=severity,
        )

    def suppression_problems(
        self, comment: _Comment, parsed: Suppression, used: set[tuple[int, str]]
    ) -> Iterator[Diagnostic]:
        base = self.text.starts[comment.line] + comment.column
        if parsed.malformed:
            yield make(
                "FLC232",
                "this suppression cannot be read; write `floec: ignore[CODE]` with one or more "
                "codes or rule names",
                self.text.span(base + parsed.start, base + parsed.end),
                help="for example `# floec: ignore[FLC201] -- test fixture`",
            )
            return
        for item in parsed.codes:
            span = self.text.span(base + item.start, base + item.end)
            if item.code is None:
                yield make(
                    "FLC231",
                    f"'{item.text}' is not a floec rule code or name",
                    span,
                    help="`floec rules` lists every code and name",
                )
            elif (comment.line, item.code) not in used:
                yield make(
                    "FLC230",
                    f"the suppression of {item.code} on this line suppresses nothing",
                    span,
                    help="remove it, so that it cannot hide a future finding",
                )


class _Cover:
    """The '#'s that scalars cover, as (line, column), of those that could start a comment (at
    the start of a line or after a blank): a '#' inside a scalar starts no comment. Collected
    scalar by scalar, so that no scalar has to be kept."""

    def __init__(self, text: _Text) -> None:
        self.lines = text.lines
        self.hash_lines = (
            {i for i, line in enumerate(self.lines) if "#" in line} if "#" in text.joined else set()
        )
        self.covered: set[tuple[int, int]] = set()

    def append(self, node: ScalarNode) -> None:
        hash_lines = self.hash_lines
        if not hash_lines:
            return
        span = node.span
        first, last = span.start.line, span.end.line
        for index in range(first, last + 1):
            if index not in hash_lines:
                continue
            lines = self.lines
            start = span.start.column if index == first else 0
            end = span.end.column if index == last else len(lines[index])
            if index == first and node.style in ("|", ">"):
                header = _BLOCK_HEADER.match(lines[index], start)
                end = header.end() if header else start + 1
            line = lines[index]
            column = line.find("#", start, end)
            while column != -1:
                if column == 0 or line[column - 1] in " \t":
                    self.covered.add((index, column))
                column = line.find("#", column + 1, end)


# Keys of a mapping that change how its other entries are read (see `_Linter.visit_mapping`).
_SIBLING_KEYS = frozenset(
    {"secret_ref", "kty", "name", "Name", "key", "value", "Value", "type", "private_key"}
)


def _needs_whole(keys: set[str]) -> bool:
    return (
        "secret_ref" in keys
        or "kty" in keys
        or (("value" in keys or "Value" in keys) and not keys.isdisjoint({"name", "Name", "key"}))
        or ("type" in keys and "private_key" in keys)
    )


def _unique(findings: list[_Finding]) -> list[_Finding]:
    """One finding per (rule, range); entropy yields to any other rule on the same range (an
    anchor's value seen under a neutral key first and a password key later)."""
    explained = {f.span for f in findings if f.code != "FLC218"}
    seen: set[tuple[str, Span]] = set()
    out = []
    for finding in findings:
        if finding.code == "FLC218" and finding.span in explained:
            continue
        if (finding.code, finding.span) not in seen:
            seen.add((finding.code, finding.span))
            out.append(finding)
    return out


def _with_masks(diagnostic: Diagnostic, masks: list[Span]) -> Diagnostic:
    span = diagnostic.span
    if span is None:
        return diagnostic
    extra = tuple(
        m for m in masks if m.start.line <= span.end.line and span.start.line <= m.end.line
    )
    return attrs.evolve(diagnostic, masked=diagnostic.masked + extra) if extra else diagnostic


def _plain_key(key: str | None) -> bool:
    return key is None or classify_key(key) is KeyKind.NONE


@functools.lru_cache(maxsize=4096)
def _quiet_key(key: str | None) -> bool:
    """The key (as the detectors see it: a sibling's name, a preceding flag) triggers nothing."""
    return key is None or not has_candidate(key)


def _scalar_text(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def secret_ranges(source: SourceFile) -> tuple[Span, ...]:
    """Every range of `source` that a credential rule flags, suppressed or not: what the
    renderers mask and what no generated file may contain."""
    return lint_with_ranges(source)[1]


def lint_with_ranges(source: SourceFile) -> tuple[list[Diagnostic], tuple[Span, ...]]:
    """`lint_credentials(source)` and `secret_ranges(source)` from one run of the rules.

    A build asks this of the same two files for every environment (its lint, then the check
    that no output holds a flagged value): the answers for the last few small files are kept."""
    key = (source.name, source.text)
    known = _recent.get(key)
    if known is None:
        linter, diagnostics = _lint(source)
        spans = tuple(sorted({f.span for f in linter.findings if f.secret}))
        known = (tuple(normalise(diagnostics)), spans)
        if len(source.text) <= _RECENT_CHARS:
            if len(_recent) >= _RECENT_FILES:
                del _recent[next(iter(_recent))]
            _recent[key] = known
    return list(known[0]), known[1]


_RECENT_FILES = 16
_RECENT_CHARS = 256 * 1024
_recent: dict[tuple[str, str], tuple[tuple[Diagnostic, ...], tuple[Span, ...]]] = {}
