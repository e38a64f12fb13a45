"""The language server: state shared by the features, and the analysis runs they all read.

Handlers live in feature modules (`diagnostics`, `actions`, `navigation`, `workspace_index`,
`configuration`) and only translate: analysis runs in `kaniko_lsp.analysis` over open buffers (and the
disk for every other file), and each finding already carries its fixes.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..analysis import Result, analyze
from ..report.positions import PositionEncoder
from ..text import LineIndex, decode_character
from ..workspace import Workspace, relative_to
from .convert import Converter
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class RootAnalysis:
    """The latest analysis of one workspace root, with what is needed to translate it."""

    result: Result
    converter: Converter
    workspace: Workspace


class KanikoLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("kaniko-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.initial_settings = Settings()
        """Defaults with `initializationOptions` applied: what editor settings are layered on."""
        self.pending: asyncio.Task[None] | None = None
        self.published: set[str] = set()
        self.shown_messages: dict[str, str] = {}
        self.indexes: dict[Path, set[str]] = {}
        """Pipeline files of each workspace folder, kept current from file-watch events."""
        self.pull_diagnostics = False
        self.pull_refresh = False
        self.generation = 0
        """Bumped by every change the server hears of (edits, files, settings); analyses are reused
        until it moves, so hover, links and code actions on an unchanged workspace cost nothing."""
        self.analyses: dict[Path, tuple[int, RootAnalysis]] = {}

    # --- workspace roots -------------------------------------------------------------------
    def roots(self) -> list[Path]:
        roots = [Path(p) for f in self.workspace.folders.values() if (p := to_fs_path(f.uri))]
        if not roots and self.workspace.root_path:
            roots = [Path(self.workspace.root_path)]
        return roots

    def root_of(self, path: Path) -> Path:
        """The workspace folder holding `path` (the innermost), else the file's repository root."""
        holding = [r for r in self.roots() if path == r or r in path.parents]
        if holding:
            return max(holding, key=lambda r: len(r.parts))
        for parent in path.parents:
            if (parent / ".git").exists():
                return parent
        return path.parent

    def open_documents(self) -> dict[str, Path]:
        documents = {}
        for uri in list(self.workspace.text_documents):
            path = to_fs_path(uri)
            if path:
                documents[uri] = Path(path)
        return documents

    # --- analysis --------------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or "utf-16")

    def analyze_root(self, root: Path) -> RootAnalysis:
        cached = self.analyses.get(root)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        buffers = {}
        for uri, path in self.open_documents().items():
            relative = relative_to(root, path)
            if relative is not None:
                buffers[relative] = self.workspace.get_text_document(uri).source
        workspace = Workspace(root, buffers, index=self.indexes.get(root))
        result = analyze(workspace)
        converter = Converter(workspace.root, PositionEncoder(workspace.read, self.encoding),
                              self.settings.docs_base_url)
        for path, problems in result.config_problems.items():
            self.show_once(path, f"kaniko-lsp: {path}: {'; '.join(problems)} (defaults used)")
        analysis = RootAnalysis(result, converter, workspace)
        self.analyses[root] = (self.generation, analysis)
        return analysis

    def analysis_for(self, uri: str) -> tuple[RootAnalysis, str] | None:
        """A fresh analysis of the root holding `uri`, and the document's workspace-relative path."""
        path = to_fs_path(uri)
        if not path:
            return None
        root = self.root_of(Path(path))
        analysis = self.analyze_root(root)
        relative = analysis.workspace.relative(Path(path))
        return (analysis, relative) if relative is not None else None

    def show_once(self, key: str, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """One `window/showMessage` per distinct problem, not one per keystroke."""
        if self.shown_messages.get(key) != message:
            self.shown_messages[key] = message
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))
            self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def client_position(self, analysis: RootAnalysis, path: str, position: types.Position) -> types.Position:
        """A client position (in the negotiated encoding) as code points."""
        text = analysis.workspace.read(path) or ""
        line = LineIndex(text).line_text(position.line)
        return types.Position(position.line, decode_character(line, position.character, self.encoding))

    def schedule(self, delay: float | None = None) -> None:
        """Notes a change and re-analyses after a quiet period, cancelling a pending run (the last edit
        of a burst wins)."""
        from .diagnostics import publish_all

        self.generation += 1
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
        wait = self.settings.debounce_ms / 1000 if delay is None else delay

        async def run() -> None:
            await asyncio.sleep(wait)
            publish_all(self)

        self.pending = asyncio.ensure_future(run())


server = KanikoLanguageServer()


def start(tcp: str | None = None, ws: str | None = None) -> None:
    """Runs the server on stdio, or on TCP / WebSocket when `HOST:PORT` is given."""
    from . import actions, configuration, diagnostics, navigation, workspace_index  # noqa: F401 (features)

    if tcp or ws:
        host, _, port = (tcp or ws or "").rpartition(":")
        (server.start_tcp if tcp else server.start_ws)(host or "127.0.0.1", int(port))
    else:
        server.start_io()
