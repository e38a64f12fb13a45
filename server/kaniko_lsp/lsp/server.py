"""The language server: the workspace roots it serves, each with its analysis engine, and the features.

Handlers live in feature modules (`documents`, `diagnostics`, `actions`, `navigation`, `workspace_index`,
`configuration`), each registering itself on the server it is given. They only translate: the analysis
runs in `kaniko_lsp.engine`, which keeps every pipeline's result and recomputes only what a change
touches; each finding already carries its fixes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from .settings import Settings

if TYPE_CHECKING:
    from ..engine import Engine
    from ..linked import PipelineAnalysis
    from ..model import Finding
    from ..workspace import Workspace
    from .convert import Converter
    from .scheduler import Scheduler

log = logging.getLogger(__name__)


@dataclass
class Root:
    """A workspace root and its engine: a workspace folder, or the repository of a file opened outside them
    (which is never scanned: its pipelines are the open ones)."""

    path: Path
    engine: Engine
    folder: bool
    indexing: bool = False
    """The initial index of a folder is still running: files that are not pipelines wait for it."""
    indexed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the initial index has run (or was cancelled)."""
    skipped: set[str] = field(default_factory=set)
    """Pipelines a cancelled index left unanalysed: analysed only when a document needs them."""

    @property
    def ready(self) -> bool:
        """Whether diagnostics of any file of the root can be published (the index has run)."""
        return not self.indexing

    def finish_indexing(self) -> None:
        self.indexing = False
        self.indexed.set()

    async def settled(self, scheduler: Scheduler) -> None:
        """Waits for the index and for every pending analysis."""
        await self.indexed.wait()
        await scheduler.settled()


@dataclass
class View:
    """What the features need to answer about one document: its root, path, and the analyses that read it."""

    root: Root
    path: str
    converter: Converter

    @property
    def workspace(self) -> Workspace:
        return self.root.engine.workspace

    @property
    def analyses(self) -> list[PipelineAnalysis]:
        return self.root.engine.analyses_reading(self.path)

    @property
    def findings(self) -> list[Finding]:
        return self.root.engine.findings_in(self.path)


class KanikoLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("kaniko-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.initial_settings = Settings()
        """Defaults with `initializationOptions` applied: what editor settings are layered on."""
        self.roots: dict[Path, Root] = {}
        self.converters: dict[Path, Converter] = {}
        self.shown_messages: dict[str, str] = {}
        self.pull_diagnostics = False
        self.pull_refresh = False
        self._scheduler: Scheduler | None = None

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            from .scheduler import Scheduler

            self._scheduler = Scheduler(self)
        return self._scheduler

    # --- workspace roots -------------------------------------------------------------------
    def folders(self) -> list[Path]:
        folders = [Path(p) for f in self.workspace.folders.values() if (p := to_fs_path(f.uri))]
        if not folders and self.workspace.root_path:
            folders = [Path(self.workspace.root_path)]
        return folders

    def root_of(self, path: Path) -> Root:
        """The innermost workspace folder holding `path`, else the file's repository (never scanned)."""
        holding = [f for f in self.folders() if path == f or f in path.parents]
        if holding:
            return self.root(max(holding, key=lambda f: len(f.parts)), folder=True)
        for parent in path.parents:
            if (parent / ".git").exists():
                return self.root(parent, folder=False)
        return self.root(path.parent, folder=False)

    def root(self, path: Path, folder: bool) -> Root:
        if path not in self.roots:
            from ..engine import Engine
            from ..workspace import Workspace

            root = Root(path, Engine(Workspace(path)), folder, indexing=folder)
            if not folder:
                root.finish_indexing()
            self.roots[path] = root
        return self.roots[path]

    def locate(self, uri: str) -> tuple[Root, str] | None:
        """The root of a document and its path there, None for a URI that is not a file."""
        path = to_fs_path(uri)
        if not path:
            return None
        root = self.root_of(Path(path))
        relative = root.engine.workspace.relative(Path(path))
        return (root, relative) if relative is not None else None

    def converter(self, root: Root) -> Converter:
        from ..report.positions import PositionEncoder
        from .convert import Converter

        converter = self.converters.get(root.path)
        if converter is None or converter.encoder.encoding != self.encoding or \
                converter.docs_base_url != self.settings.docs_base_url:
            encoder = PositionEncoder(root.engine.workspace.read, self.encoding)
            converter = Converter(root.path, encoder, self.settings.docs_base_url)
            self.converters[root.path] = converter
        return converter

    def view(self, uri: str) -> View | None:
        """The document's root with every pipeline that reads the document up to date."""
        located = self.locate(uri)
        if located is None:
            return None
        root, path = located
        self.scheduler.note(root, root.engine.refresh(root.engine.readers_of(path)))
        return View(root, path, self.converter(root))

    def open_documents(self) -> dict[str, Path]:
        documents = {}
        for uri in list(self.workspace.text_documents):
            path = to_fs_path(uri)
            if path:
                documents[uri] = Path(path)
        return documents

    # --- messages and positions -----------------------------------------------------------
    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or "utf-16")

    def show_once(self, key: str, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """One `window/showMessage` per distinct problem, not one per keystroke."""
        if self.shown_messages.get(key) != message:
            self.shown_messages[key] = message
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))
            self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def client_position(self, view: View, position: types.Position) -> types.Position:
        """A client position (in the negotiated encoding) as code points."""
        from ..text import LineIndex, decode_character

        text = view.workspace.read(view.path) or ""
        line = LineIndex(text).line_text(position.line)
        return types.Position(position.line, decode_character(line, position.character, self.encoding))


def create_server() -> KanikoLanguageServer:
    """A server with every feature registered."""
    from . import actions, configuration, diagnostics, documents, navigation, workspace_index

    server = KanikoLanguageServer()
    for feature in (configuration, documents, diagnostics, workspace_index, actions, navigation):
        feature.register(server)
    return server


def start(tcp: str | None = None, ws: str | None = None) -> None:
    """Runs the server on stdio, or on TCP / WebSocket when `HOST:PORT` is given."""
    server = create_server()
    if tcp or ws:
        host, _, port = (tcp or ws or "").rpartition(":")
        (server.start_tcp if tcp else server.start_ws)(host or "127.0.0.1", int(port))
    else:
        server.start_io()
