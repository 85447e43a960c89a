"""The workspace: the floe.yaml and platform.yaml files being checked, held as text, and their
results. `floec check` and `floec lsp` both ask it for diagnostics, so they cannot disagree.

- A file's text comes from an editor's unsaved buffer when there is one (`set_text`), else from
  disk; every stage after reading takes that text and the file's name (DESIGN §2).
- Each file's front-end result (load, validate, elaborate) is kept by the hash of its text: an
  unchanged file is never read twice by the same workspace.
- A floe.yaml depends on the platform.yaml files it is bound against (`environments_of`); its
  diagnostics are cached under a key made of its own text's hash and those of its platforms, so
  editing `platform/prod/platform.yaml` re-diagnoses the floe.yaml files bound against it
  (`dependents`) and nothing else.
- The diagnostics cache is an interface (`ResultCache`): in memory here; a cache on disk only has
  to implement `get`/`put` of diagnostics under the same keys.

This module calls the front end (`floec.frontend.check_source`), the binding and credential
checks (`floec.driver.check_environments`) and the credential lint; it does none of their work.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from floec import __version__
from floec.digest import sha256
from floec.discover import ConfigKind, kind_of_name
from floec.reading import display_name, read_text

TYPE_CHECKING = False  # typing is not imported at run time either (see below)
if TYPE_CHECKING:
    from typing import Any

    from floec.diagnostics.model import Diagnostic
    from floec.frontend import Checked
    from floec.source import SourceFile
    from floec.span import Span

# What this module imports at the top is what a run answered wholly from a cache on disk pays
# for: the front end, attrs and the diagnostic model are imported only when a file is read
# past hashing it (`state`) or a diagnostic has to be built.


class ResultCache:
    """Diagnostics by key. A key already covers everything the diagnostics depend on (the texts,
    the file names, floec's version), so an entry never needs invalidating; a miss is None."""

    def get(self, key: str) -> tuple[Diagnostic, ...] | None:
        raise NotImplementedError

    def put(self, key: str, diagnostics: tuple[Diagnostic, ...]) -> None:
        raise NotImplementedError

    # The other files a file's result reads beyond its platforms (a floe.yaml's dbt projects),
    # recorded under the key of its own text: their contents go into the result's key.
    def get_files(self, key: str) -> tuple[str, ...] | None:
        return None

    def put_files(self, key: str, files: tuple[str, ...]) -> None:
        return None


class MemoryCache(ResultCache):
    """A `ResultCache` in memory, least recently used entries dropped beyond `size`."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[Diagnostic, ...]] = OrderedDict()
        self._files: dict[str, tuple[str, ...]] = {}
        self.hits = 0
        self.misses = 0

    def get_files(self, key: str) -> tuple[str, ...] | None:
        return self._files.get(key)

    def put_files(self, key: str, files: tuple[str, ...]) -> None:
        self._files[key] = files

    def get(self, key: str) -> tuple[Diagnostic, ...] | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found

    def put(self, key: str, diagnostics: tuple[Diagnostic, ...]) -> None:
        self._entries[key] = diagnostics
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


CACHE_DIR = ".floec_cache"
_WRITES = itertools.count()
_ENTRY_MAGIC = "floec-cache 1"
_FILES_MAGIC = "floec-files 1"


class DiskCache(ResultCache):
    """A `ResultCache` in files: `<root>/<floec version>/<key[:2]>/<key>`, one entry a file.

    Safe to share between processes: an entry is written to a temporary file and renamed into
    place, so a reader sees a whole entry or none, and two writers of one key write the same
    bytes. An entry carries its key and a digest of its body: one that is truncated, altered or
    unreadable is a miss (and is replaced), never an error or another file's answer. Nothing is
    ever invalidated: keys cover everything an entry depends on. The root holds a `.gitignore`
    of `*`, so a project never commits it. Entries hold diagnostics only, never file contents.
    A memory layer in front saves re-reading an entry within one process.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self._directory = os.path.join(root, __version__)
        self._memory = MemoryCache()
        self._prepared = False
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> str:
        return os.path.join(self._directory, key[:2], key)

    def get(self, key: str) -> tuple[Diagnostic, ...] | None:
        found = self._memory.get(key)
        if found is not None:
            return found
        try:
            with open(self._path(key), "rb") as handle:
                data = handle.read()
            found = _decode_entry(key, data)
        except Exception:  # a broken entry of any kind is a miss
            found = None
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._memory.put(key, found)
        return found

    def put(self, key: str, diagnostics: tuple[Diagnostic, ...]) -> None:
        self._memory.put(key, diagnostics)
        path = self._path(key)
        temporary = _temporary(path)
        try:
            self._prepare()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(temporary, "xb") as handle:
                handle.write(_encode_entry(key, diagnostics))
            os.replace(temporary, path)
        except OSError:  # a read-only or full disk: the run goes on uncached
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def get_files(self, key: str) -> tuple[str, ...] | None:
        found = self._memory.get_files(key)
        if found is not None:
            return found
        try:
            with open(self._path(key) + ".files", encoding="utf-8", errors="surrogateescape") as f:
                header, *files = f.read().split("\n")
        except OSError:
            return None
        if header != f"{_FILES_MAGIC} {key}":
            return None  # not written whole by this floec: a miss
        self._memory.put_files(key, tuple(files))
        return tuple(files)

    def put_files(self, key: str, files: tuple[str, ...]) -> None:
        self._memory.put_files(key, files)
        path = self._path(key) + ".files"
        temporary = _temporary(path)
        try:
            self._prepare()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(temporary, "x", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write("\n".join((f"{_FILES_MAGIC} {key}", *files)))
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    def _prepare(self) -> None:
        if self._prepared:
            return
        os.makedirs(self.root, exist_ok=True)
        ignore = os.path.join(self.root, ".gitignore")
        if not os.path.exists(ignore):
            temporary = _temporary(ignore)
            with open(temporary, "x", encoding="utf-8") as handle:
                handle.write("# Written by floec: its result cache is never committed.\n*\n")
            os.replace(temporary, ignore)
        self._prepared = True


def _temporary(path: str) -> str:
    """A sibling name no other writer (process or thread) uses; opened with "x" to be sure."""
    import threading

    return f"{path}.{os.getpid()}.{threading.get_ident()}.{next(_WRITES)}.tmp"


def cache_directory(path: str) -> str:
    """Where the result cache of a run over `path` lives: `.floec_cache/` in the project
    directory (`path` itself when it is a directory; a file's directory, or for a
    `platform/<env>/platform.yaml` the directory holding `platform/`). `FLOEC_CACHE_DIR`
    overrides it (a read-only checkout, a CI cache)."""
    chosen = os.environ.get("FLOEC_CACHE_DIR")
    if chosen:
        return chosen
    directory = path if os.path.isdir(path) else os.path.dirname(path) or "."
    parent = os.path.dirname(os.path.abspath(directory))
    if os.path.basename(parent) == "platform" and kind_of_name(path) == "platform":
        directory = os.path.dirname(parent)
    return os.path.join(directory, CACHE_DIR)


def _encode_entry(key: str, diagnostics: tuple[Diagnostic, ...]) -> bytes:
    import json

    body = json.dumps(
        [_diagnostic_to_json(d) for d in diagnostics], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8", "surrogatepass")
    digest = sha256(body).hexdigest()
    return f"{_ENTRY_MAGIC} {key} {digest}\n".encode() + body


def _decode_entry(key: str, data: bytes) -> tuple[Diagnostic, ...] | None:
    header, _, body = data.partition(b"\n")
    if header != f"{_ENTRY_MAGIC} {key} {sha256(body).hexdigest()}".encode():
        return None
    if body == b"[]":  # the common answer, without importing the diagnostic model
        return ()
    import json

    items = json.loads(body.decode("utf-8", "surrogatepass"))
    return tuple(_diagnostic_from_json(item) for item in items)


def _span_to_json(span: Span | None) -> list[object] | None:
    if span is None:
        return None
    return [span.file, span.start.line, span.start.column, span.end.line, span.end.column]


def _span_from_json(item: Any) -> Span | None:
    from floec.span import Span

    if item is None:
        return None
    file, start_line, start_column, end_line, end_column = item
    return Span.of(file, start_line, start_column, end_line, end_column)


def _diagnostic_to_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "span": _span_to_json(diagnostic.span),
        "file": diagnostic.file,
        "help": diagnostic.help,
        "notes": list(diagnostic.notes),
        "related": [[_span_to_json(r.span), r.message] for r in diagnostic.related],
        "masked": [_span_to_json(s) for s in diagnostic.masked],
    }


def _diagnostic_from_json(item: Any) -> Diagnostic:
    from floec.diagnostics.model import Diagnostic, Related, Severity

    def span(value: Any) -> Span:
        found = _span_from_json(value)
        if found is None:
            raise ValueError("a span is required here")
        return found

    return Diagnostic(
        code=str(item["code"]),
        severity=Severity(item["severity"]),
        message=str(item["message"]),
        span=_span_from_json(item["span"]),
        file=item["file"],
        help=item["help"],
        notes=tuple(str(note) for note in item["notes"]),
        related=tuple(Related(span(where), str(message)) for where, message in item["related"]),
        masked=tuple(span(where) for where in item["masked"]),
    )


def text_key(name: str, kind: ConfigKind | None, text: str) -> str:
    """The key of one file's own results: floec's version, the file's name and kind, its text."""
    digest = sha256()
    for part in (__version__, name, kind or "", text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _file_key(path: str) -> str:
    """The key of a file's contents, or of its absence (a pipe or device is never opened)."""
    import stat

    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):
            return f"special {path}"
        with open(path, "rb") as handle:
            return sha256(handle.read()).hexdigest()
    except OSError:
        return f"missing {path}"


def combined_key(*keys: str) -> str:
    """The key of a result that depends on several files (a floe.yaml and its platforms)."""
    return sha256("\0".join(keys).encode()).hexdigest()


class FileState:
    """One file as the workspace last read it."""

    __slots__ = ("checked", "key", "kind", "lint", "path")

    def __init__(
        self,
        path: str,  # absolute
        kind: ConfigKind | None,
        key: str,  # text_key of the text below; "" when the file could not be read
        checked: Checked,
        lint: tuple[Diagnostic, ...],
    ) -> None:
        self.path = path
        self.kind = kind
        self.key = key
        self.checked = checked
        self.lint = lint


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The front end builds a tree of small acyclic objects, one per YAML node: the cycle
    collector's passes over a heap growing that fast found nothing and took half the time of a
    large file. Reference counting still frees everything; the collector resumes after.

    What was built meanwhile is then handed to the oldest generation (freeze, unfreeze: two
    list splices): left in the youngest, the first collection after resuming would traverse all
    of it, a tenth of a second for a file of 10,000 profiles. Full collections still visit it.
    Unless the process froze objects of its own, which unfreezing would thaw."""
    import gc

    was_enabled = gc.isenabled()
    frozen_before = gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not frozen_before:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _lint(source: SourceFile, checked: Checked) -> tuple[Diagnostic, ...]:
    from floec.passes.lint_credentials import lint_credentials

    # The front end's tree when it has one: composing the text again costs as much as loading.
    documents = (checked.tree,) if checked.tree is not None else None
    return tuple(lint_credentials(source, documents))


class Workspace:
    """The files of one `floec check` run or one editor session.

    `name_of` turns an absolute path into the name diagnostics carry (`floec check`: relative to
    the working directory; the editor: the absolute path, from which it makes a URI).
    `pinned` decides what a floe.yaml is bound against: `floec check a/floe.yaml p/platform.yaml`
    binds every floe.yaml it checks against every platform.yaml it checks (pinned); the editor
    finds each floe.yaml's environments as `floec check <its directory>` would (not pinned).
    `lint` runs the credential lint over each file too.
    """

    def __init__(
        self,
        *,
        cache: ResultCache | None = None,
        name_of: Callable[[str], str] = display_name,
        pinned: bool = False,
        lint: bool = True,
    ) -> None:
        self.cache: ResultCache = cache if cache is not None else MemoryCache()
        self.name_of = name_of
        self.pinned = pinned
        self.lint = lint
        self._members: dict[str, ConfigKind | None] = {}  # files added, in order
        self._overlays: dict[str, str] = {}  # unsaved buffers, by absolute path
        self._states: dict[str, FileState] = {}
        self._discovered: dict[tuple[str, str], tuple[str, ...]] = {}
        self._paths: dict[str, str] = {}  # name -> absolute path, for every file read
        self._texts: dict[str, str] = {}  # name -> the text last read
        self._sources: dict[str, SourceFile] = {}  # name -> the text as a SourceFile, when asked

    # -- the files -------------------------------------------------------------------------------

    def add(self, path: str, kind: ConfigKind | None = None) -> str:
        """Make `path` a member (checked by `floec check`, and a possible dependent); returns its
        absolute path."""
        absolute = os.path.abspath(path)
        self._members.setdefault(absolute, kind or kind_of_name(absolute))
        return absolute

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self._members)

    def kind_of(self, path: str) -> ConfigKind | None:
        absolute = os.path.abspath(path)
        if absolute in self._members and self._members[absolute] is not None:
            return self._members[absolute]
        state = self._states.get(absolute)
        if state is not None and state.checked.kind is not None:
            return state.checked.kind
        return kind_of_name(absolute)

    def set_text(self, path: str, text: str) -> None:
        """An editor's buffer for `path`: it overrides the file on disk until `drop_text`."""
        self._overlays[os.path.abspath(path)] = text

    def drop_text(self, path: str) -> None:
        self._overlays.pop(os.path.abspath(path), None)

    def forget_discovery(self) -> None:
        """Files were created or deleted: find each floe.yaml's environments again."""
        self._discovered.clear()

    def path_of_name(self, name: str) -> str:
        """The absolute path of a file from the name its diagnostics carry."""
        return self._paths.get(name) or os.path.abspath(name)

    def _read(self, absolute: str) -> tuple[str, str | Diagnostic]:
        """The file's name and its text, or the diagnostic saying why it cannot be read."""
        name = self.name_of(absolute)
        self._paths[name] = absolute
        text = self._overlays.get(absolute)
        if text is None:
            text = read_text(absolute)
        if text is not None:
            return name, text
        from floec.source import SourceFile, read_source

        source = read_source(absolute)
        if isinstance(source, SourceFile):  # readable after all (changed in between)
            return name, source.text
        if source.path != name:
            import attrs

            source = attrs.evolve(source, file=name)
        return name, source

    def _load(self, absolute: str) -> tuple[str, str | Diagnostic, str, ConfigKind | None]:
        """The file's name, its text (or why it cannot be read), its key and its kind."""
        kind = self._members.get(absolute) or kind_of_name(absolute)
        name, text = self._read(absolute)
        if not isinstance(text, str):
            return name, text, "", kind
        self._texts[name] = text
        return name, text, text_key(name, kind, text), kind

    def key_of(self, path: str) -> str:
        """The key of the file's current text ("" when it cannot be read)."""
        return self._load(os.path.abspath(path))[2]

    def state(self, path: str) -> FileState:
        """The file's front-end result (and lint), recomputed only when its text changed."""
        from floec import frontend
        from floec.source import SourceFile

        absolute = os.path.abspath(path)
        name, text, key, kind = self._load(absolute)
        if not isinstance(text, str):
            checked = frontend.Checked(None, kind, None, None, (text,))
            state = FileState(absolute, kind, "", checked, ())
            self._states[absolute] = state
            return state
        known = self._states.get(absolute)
        if known is not None and known.key == key:
            return known
        source = SourceFile(name, text)
        with _collector_paused():
            checked = frontend.check_source(source, kind)
            lint: tuple[Diagnostic, ...] = ()
            if self.lint:
                # The schema check already reports a plain value in a sensitive field (FLC202);
                # the same finding from the lint would only repeat it.
                reported = {(d.code, d.span) for d in checked.diagnostics}
                lint = tuple(d for d in _lint(source, checked) if (d.code, d.span) not in reported)
        state = FileState(absolute, checked.kind or kind, key, checked, lint)
        self._states[absolute] = state
        return state

    # -- dependencies ----------------------------------------------------------------------------

    def environments_of(self, path: str) -> tuple[str, ...]:
        """The platform.yaml files a floe.yaml is bound against (absolute paths)."""
        absolute = os.path.abspath(path)
        if self.pinned:  # a member of no kind by name is a platform if its content says so
            return tuple(
                p
                for p, kind in self._members.items()
                if (kind or self.state(p).checked.kind) == "platform"
            )
        from floec.ast.nodes import FloeSpec

        state = self.state(absolute)
        spec = state.checked.spec
        pipeline = spec if isinstance(spec, FloeSpec) else None
        where = pipeline.platform if pipeline is not None else None
        marker = repr(where) if where is not None else ""
        found = self._discovered.get((absolute, marker))
        if found is None:
            from pathlib import Path

            from floec.environments import environments

            directory = Path(absolute).parent
            found = tuple(os.path.abspath(p) for p in environments(directory, pipeline).values())
            self._discovered[(absolute, marker)] = found
        return found

    def dependents(self, path: str, candidates: Iterable[str] = ()) -> tuple[str, ...]:
        """The floe.yaml files (among the members and `candidates`) bound against `path`."""
        absolute = os.path.abspath(path)
        out = []
        for other in dict.fromkeys([*self._members, *map(os.path.abspath, candidates)]):
            if (
                other != absolute
                and self.kind_of(other) == "floe"
                and absolute in self.environments_of(other)
            ):
                out.append(other)
        return tuple(out)

    def affected_by(self, path: str, candidates: Iterable[str] = ()) -> tuple[str, ...]:
        """What to re-diagnose when `path` changes: itself and, for a platform, its dependents."""
        absolute = os.path.abspath(path)
        if self.kind_of(absolute) == "platform":
            return (absolute, *self.dependents(absolute, candidates))
        return (absolute,)

    # -- diagnostics -----------------------------------------------------------------------------

    def diagnostics(self, path: str) -> tuple[Diagnostic, ...]:
        """Everything reported about one file: its front end, its lint, its credential checks
        (a platform.yaml) or its binding against each of its environments (a floe.yaml).

        The whole answer is cached under the key of the file's text and those of the files it
        depends on, looked up before any stage runs: with a cache that outlives the process, an
        unchanged project is never read past hashing its files."""
        with _collector_paused():
            return self._diagnostics_of(os.path.abspath(path))

    def _diagnostics_of(self, absolute: str) -> tuple[Diagnostic, ...]:
        key = self.key_of(absolute)
        if not key:
            return self._diagnostics(absolute)
        kind = self._members.get(absolute) or kind_of_name(absolute)
        dependencies = () if kind == "platform" else self.environments_of(absolute)
        scope = "diagnostics+lint" if self.lint else "diagnostics"
        extra = () if kind == "platform" else self._files_read(absolute, key)
        whole = combined_key(
            scope, key, *(self.key_of(p) for p in dependencies), *map(_file_key, extra)
        )
        return self._cached(whole, partial(self._diagnostics, absolute))

    def _files_read(self, absolute: str, key: str) -> tuple[str, ...]:
        """The dbt projects a floe.yaml's result reads (`check` warns about them as `build`
        does), known from its text: recorded once, then found without parsing it again."""
        found = self.cache.get_files(key)
        if found is not None:
            return found
        from floec.ast.nodes import FloeSpec

        spec = self.state(absolute).checked.spec
        files: tuple[str, ...] = ()
        if isinstance(spec, FloeSpec):
            directory = os.path.dirname(absolute)
            files = tuple(
                os.path.normpath(os.path.join(directory, t.path, "dbt_project.yml"))
                for t in spec.transforms
                if t.type == "dbt"
            )
        self.cache.put_files(key, files)
        return files

    def _diagnostics(self, path: str) -> tuple[Diagnostic, ...]:
        from floec.ast.nodes import PlatformSpec
        from floec.diagnostics.model import normalise

        state = self.state(path)
        own = state.checked.diagnostics + state.lint
        if state.checked.spec is None or state.checked.source is None:
            return own
        if isinstance(state.checked.spec, PlatformSpec):
            found = self._cached(
                self._checks_key(state.key), partial(self._checks, [state.checked])
            )
            return tuple(normalise([*own, *found]))
        platforms = [self.state(p) for p in self.environments_of(state.path)]
        platforms = [p for p in platforms if isinstance(p.checked.spec, PlatformSpec)]
        extra = self._files_read(state.path, state.key)
        key = combined_key(state.key, *(p.key for p in platforms), *map(_file_key, extra))

        def bind() -> tuple[Diagnostic, ...]:
            found = dict.fromkeys(self._checks([state.checked]))
            for platform in platforms:
                # the platform's own findings (the same entry as its own diagnostics)
                alone = set(
                    self._cached(
                        self._checks_key(platform.key), partial(self._checks, [platform.checked])
                    )
                )
                pair = [state.checked, platform.checked]
                for diagnostic in self._checks(pair):
                    if diagnostic not in alone:
                        found.setdefault(diagnostic)
            return tuple(found)

        return tuple(normalise([*own, *self._cached(key, bind)]))

    def _checks(self, checked: list[Checked]) -> tuple[Diagnostic, ...]:
        """The binding and credential checks of `checked`; their credential lint only when the
        workspace does not lint each file itself (a second lint would find only the same)."""
        from floec.driver import check_environments

        return tuple(check_environments(checked, self.path_of_name, lint=not self.lint))

    def _checks_key(self, key: str) -> str:
        """The key of a platform.yaml's own checks (with or without the lint, see `_checks`)."""
        return combined_key("checks" if self.lint else "checks+lint", key)

    def _cached(
        self, key: str, compute: Callable[[], tuple[Diagnostic, ...]]
    ) -> tuple[Diagnostic, ...]:
        found = self.cache.get(key)
        if found is None:
            found = compute()
            self.cache.put(key, found)
        return found

    def sources(self) -> dict[str, SourceFile]:
        """Every source read so far, by name (renderers show snippets from them)."""
        from floec.source import SourceFile

        for name, text in self._texts.items():
            known = self._sources.get(name)
            if known is None or known.text != text:
                self._sources[name] = SourceFile(name, text)
        return dict(self._sources)
