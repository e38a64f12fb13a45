"""The language server's state: settings, the workspace roots it serves (each with its analysis engine)
and the scheduler that analyses changes and publishes diagnostics.

Handlers live in feature modules (`documents`, `diagnostics`, `actions`, `navigation`, `workspace_index`,
`configuration`), each registering itself on the server it is given (`app.create_server`). They only
translate: the analysis runs in `kaniko_lsp.engine`, which keeps every pipeline's result and recomputes
only what a change touches; each finding already carries its fixes.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from .messages import load_json
from .protocol import KanikoProtocol
from .scheduler import Scheduler
from .settings import Settings
from .state import Root, View
from .text_sync import Documents

if TYPE_CHECKING:
    from .convert import Converter

log = logging.getLogger(__name__)


class KanikoLanguageServer(LanguageServer):
    protocol: KanikoProtocol

    def __init__(self) -> None:
        super().__init__("kaniko-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=KanikoProtocol)
        self.documents = Documents()
        """The open documents, by the URI the client sent."""
        self.settings = Settings()
        self.initial_settings = Settings()
        """Defaults with `initializationOptions` applied: what editor settings are layered on."""
        self.roots: dict[Path, Root] = {}
        self.converters: dict[Path, Converter] = {}
        self.shown_messages: dict[str, str] = {}
        self.pull_diagnostics = False
        self.pull_refresh = False
        self.workspace_reports: dict[str, str] = {}
        """Files whose last workspace diagnostic report had diagnostics, with that report's id."""
        self.scheduler = Scheduler(self)

    def run_stdio(self, first: bytes | None, bodies: queue.Queue[bytes | None]) -> None:
        """Serves the message bodies of `bodies` (after `first`) until it yields None or `exit` arrives."""

        async def serve() -> None:
            loop = asyncio.get_running_loop()
            finished = asyncio.Event()

            def deliver(body: bytes | None) -> None:
                if body is None:
                    finished.set()
                    return
                try:
                    message = load_json(body, self.protocol.structure_message)
                except (ValueError, RecursionError) as error:
                    self.protocol.reject_unparsable(error)
                    return
                try:
                    self.protocol.handle_message(message)
                except Exception as error:
                    log.exception("Unable to handle message")
                    self.report_server_error(error, JsonRpcException)

            def forward() -> None:
                while True:
                    body = bodies.get()
                    loop.call_soon_threadsafe(deliver, body)
                    if body is None:
                        return

            deliver(first)
            threading.Thread(target=forward, name="kaniko-lsp-dispatch", daemon=True).start()
            await finished.wait()

        self._stop_event = threading.Event()
        asyncio.run(serve())

    def publish(self, params: types.PublishDiagnosticsParams) -> None:
        self.text_document_publish_diagnostics(params)

    def refresh_pulled(self) -> None:
        self.workspace_diagnostic_refresh(None)

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
            if folder:
                from ..result_cache import ResultCache, default_directory

                root.engine.cache = ResultCache(default_directory(), root.engine.workspace, None)
            else:
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
        for uri in self.documents:
            path = to_fs_path(uri)
            if path:
                documents[uri] = Path(path)
        return documents

    # --- messages and positions -----------------------------------------------------------
    @property
    def encoding(self) -> str:
        try:
            encoding = self.workspace.position_encoding
        except RuntimeError:  # before `initialize`
            return "utf-16"
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
