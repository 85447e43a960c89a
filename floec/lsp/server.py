"""`floec lsp`: the language server over stdio (pygls), a thin layer over `floec.lsp.features`.

Diagnostics are published on open and save at once, and on change at most once per debounce
window: the first change after a quiet moment is diagnosed straight away, and the changes that
follow within the window are folded into one run at its end (with the latest text). A change to
a platform.yaml re-publishes the open floe.yaml files bound against it.

Initialisation options: `{"debounceMs": 150}`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from floec import __version__
from floec.lsp import features
from floec.workspace import Workspace

DEFAULT_DEBOUNCE_MS = 150
# Folders that hold tools' state or third-party code, never a user's floe.yaml.
_SKIPPED = frozenset({".git", ".venv", "venv", "node_modules", "target", "__pycache__", ".tox"})

log = logging.getLogger("floec.lsp")
T = TypeVar("T")


class _Names:
    """Diagnostics name files relative to the workspace root (as `floec check` run there
    would), and by absolute path outside it; the workspace maps names back to paths."""

    def __init__(self) -> None:
        self.root: str | None = None

    def __call__(self, path: str) -> str:
        if self.root is not None:
            relative = os.path.relpath(path, self.root)
            if not relative.startswith(".."):
                return relative
        return path


class FloecServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("floec", __version__)
        self.names = _Names()
        self.floec = Workspace(name_of=self.names, lint=True)
        self.debounce = DEFAULT_DEBOUNCE_MS / 1000
        self.open: dict[str, str] = {}  # absolute path -> uri
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._last_run: dict[str, float] = {}
        self.tasks: set[asyncio.Future[None]] = set()  # kept until done, or asyncio may drop them

    # -- files -----------------------------------------------------------------------------------

    def path_of(self, uri: str) -> str | None:
        path = to_fs_path(uri)
        return os.path.abspath(path) if path else None

    def discover(self, root: str) -> None:
        """Every floe.yaml under the root, and every platform/*/platform.yaml: the files that
        may depend on an edited platform."""
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED and not d.startswith("."))
            for name in files:
                if name in ("floe.yaml", "floe.yml"):
                    self.floec.add(os.path.join(directory, name), "floe")
                elif name in ("platform.yaml", "platform.yml"):
                    self.floec.add(os.path.join(directory, name), "platform")

    def sync(self, uri: str) -> str | None:
        path = self.path_of(uri)
        if path is None:
            return None
        document = self.workspace.get_text_document(uri)
        self.floec.set_text(path, document.source)
        self.open[path] = uri
        return path

    # -- diagnostics -----------------------------------------------------------------------------

    def publish(self, path: str) -> None:
        """Diagnose `path` and whatever depends on it; publish for the open documents."""
        loop = asyncio.get_running_loop()
        self._last_run[path] = loop.time()
        for affected in self.floec.affected_by(path, self.open):
            uri = self.open.get(affected)
            if uri is None:
                continue
            version = self.workspace.get_text_document(uri).version
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=uri,
                    diagnostics=features.diagnostics_for(self.floec, affected),
                    version=version,
                )
            )

    def schedule(self, path: str) -> None:
        if path in self._pending:
            return  # a run is due; it will read the latest text
        loop = asyncio.get_running_loop()
        wait = max(0.0, self._last_run.get(path, float("-inf")) + self.debounce - loop.time())
        self._pending[path] = loop.call_later(wait, self._run, path)

    def _run(self, path: str) -> None:
        self._pending.pop(path, None)
        if path in self.open:
            guarded(lambda: self.publish(path), None)


def guarded(call: Callable[[], T], default: T) -> T:
    """A request never takes the server down: a bug is logged and answered with nothing."""
    try:
        return call()
    except Exception:
        log.exception("floec lsp: internal error")
        return default


server = FloecServer()


@server.feature(types.INITIALIZE)
def initialize(ls: FloecServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounceMs"), (int, float)):
        ls.debounce = max(0.0, float(options["debounceMs"]) / 1000)
    root = None
    if params.workspace_folders:
        root = ls.path_of(params.workspace_folders[0].uri)
    elif params.root_uri:
        root = ls.path_of(params.root_uri)
    if root and os.path.isdir(root):
        ls.names.root = root  # the files under it are found once initialised


@server.feature(types.INITIALIZED)
def initialized(ls: FloecServer, params: types.InitializedParams) -> None:
    """Find the files under the root (after the answer to `initialize`: the editor is not kept
    waiting), and ask to hear about floe.yaml and platform.yaml files created, changed or deleted
    on disk (a `git checkout`, a new environment) when the client can watch files for us."""
    root = ls.names.root
    if root is not None:
        guarded(lambda: ls.discover(root), None)
    asyncio.get_running_loop().call_soon(guarded, _warm_up, None)
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace is not None else None
    if watched is not None and watched.dynamic_registration:
        task = asyncio.ensure_future(_watch(ls))
        ls.tasks.add(task)
        task.add_done_callback(ls.tasks.discard)


def _warm_up() -> None:
    """Import the front end and compile the schema validators while the editor is still
    opening files: the first diagnostics then cost what every later one does."""
    from floec.frontend import check_source
    from floec.passes.lint_credentials import lint_credentials
    from floec.source import SourceFile

    for name, text in (
        ("floe.yaml", "name: x\nversion: 1.0.0\n"),
        ("platform.yaml", "version: 1\n"),
    ):
        source = SourceFile(name, text)
        check_source(source)
        lint_credentials(source)


async def _watch(ls: FloecServer) -> None:
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[
            types.FileSystemWatcher(glob_pattern=f"**/{name}.{ext}")
            for name in ("floe", "platform")
            for ext in ("yaml", "yml")
        ]
    )
    registration = types.Registration(
        id="floec-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams([registration]))
    except Exception:  # a client that refuses: edits in the editor still work
        log.warning("floec lsp: the client did not accept file watching")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: FloecServer, params: types.DidOpenTextDocumentParams) -> None:
    path = ls.sync(params.text_document.uri)
    if path is not None:
        guarded(lambda: ls.publish(path), None)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: FloecServer, params: types.DidChangeTextDocumentParams) -> None:
    path = ls.sync(params.text_document.uri)
    if path is not None:
        ls.schedule(path)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: FloecServer, params: types.DidSaveTextDocumentParams) -> None:
    path = ls.sync(params.text_document.uri)
    if path is not None:
        guarded(lambda: ls.publish(path), None)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: FloecServer, params: types.DidCloseTextDocumentParams) -> None:
    path = ls.path_of(params.text_document.uri)
    if path is None:
        return
    ls.floec.drop_text(path)
    ls.open.pop(path, None)
    pending = ls._pending.pop(path, None)
    if pending is not None:
        pending.cancel()
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )
    # The file on disk counts again for the files that depend on it.
    for other in ls.floec.affected_by(path, ls.open):
        if other != path and other in ls.open:
            guarded(lambda other=other: ls.publish(other), None)  # type: ignore[misc]


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched(ls: FloecServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.floec.forget_discovery()
    for change in params.changes:
        path = ls.path_of(change.uri)
        if path is not None and change.type == types.FileChangeType.Created:
            ls.floec.add(path)
    for path in list(ls.open):
        guarded(lambda path=path: ls.publish(path), None)  # type: ignore[misc]


def _at(ls: FloecServer, uri: str) -> str | None:
    path = ls.path_of(uri)
    if path is not None and path not in ls.open:
        ls.sync(uri)
    return path


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[":", " ", "-", "{", ","]),
)
def completion(ls: FloecServer, params: types.CompletionParams) -> types.CompletionList:
    path = _at(ls, params.text_document.uri)
    items: list[types.CompletionItem] = []
    if path is not None:
        items = guarded(lambda: features.completion(ls.floec, path, params.position, ls.open), [])
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: FloecServer, params: types.HoverParams) -> types.Hover | None:
    path = _at(ls, params.text_document.uri)
    if path is None:
        return None
    return guarded(lambda: features.hover(ls.floec, path, params.position), None)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: FloecServer, params: types.DefinitionParams) -> list[types.Location]:
    path = _at(ls, params.text_document.uri)
    if path is None:
        return []
    return guarded(lambda: features.definition(ls.floec, path, params.position), [])


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: FloecServer, params: types.ReferenceParams) -> list[types.Location]:
    path = _at(ls, params.text_document.uri)
    if path is None:
        return []
    include = params.context.include_declaration
    return guarded(
        lambda: features.references(ls.floec, path, params.position, include, ls.open), []
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: FloecServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    path = _at(ls, params.text_document.uri)
    if path is None:
        return []
    found = params.context.diagnostics
    return guarded(lambda: features.code_actions(ls.floec, path, found), [])


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(
    ls: FloecServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol]:
    path = _at(ls, params.text_document.uri)
    if path is None:
        return []
    return guarded(lambda: features.document_symbols(ls.floec, path), [])


@server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
def folding_range(ls: FloecServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    path = _at(ls, params.text_document.uri)
    if path is None:
        return []
    return guarded(lambda: features.folding_ranges(ls.floec, path), [])


def serve(**_: Any) -> None:
    server.start_io()
