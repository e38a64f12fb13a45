"""The language server: keeps diagnostics of open documents current and offers the fixes.

The handlers only translate: analysis runs in `kaniko_lsp.analysis` over the open buffers (and the
disk for every other file), and each finding already carries its fixes.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..analysis import Result, analyze
from ..report.positions import PositionEncoder
from ..workspace import Workspace, relative_to
from .convert import SOURCE, SOURCE_FIX_ALL, Converter, edit_from_json, merge_edits

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.15


class KanikoLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("kaniko-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.pending: asyncio.Task[None] | None = None
        self.published: set[str] = set()
        self.shown_config_problems: dict[str, str] = {}

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
    def analyze_root(self, root: Path) -> tuple[Result, Converter, Workspace]:
        buffers = {}
        for uri, path in self.open_documents().items():
            relative = relative_to(root, path)
            if relative is not None:
                buffers[relative] = self.workspace.get_text_document(uri).source
        workspace = Workspace(root, buffers)
        result = analyze(workspace)
        encoding = str(self.workspace.position_encoding or "utf-16")
        converter = Converter(workspace.root, PositionEncoder(workspace.read, encoding))
        for path, problems in result.config_problems.items():
            message = f"kaniko-lsp: {path}: {'; '.join(problems)} (defaults used)"
            if self.shown_config_problems.get(path) != message:
                self.shown_config_problems[path] = message
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
        return result, converter, workspace

    def publish_all(self) -> None:
        documents = self.open_documents()
        by_uri: dict[str, list[types.Diagnostic]] = {uri: [] for uri in documents}
        for root in sorted({self.root_of(p) for p in documents.values()}):
            try:
                result, converter, _ = self.analyze_root(root)
            except Exception as error:  # keep serving; say what failed
                log.exception("analysis failed")
                self.window_log_message(types.LogMessageParams(
                    type=types.MessageType.Error, message=f"kaniko-lsp: analysis of {root} failed: {error!r}"))
                continue
            for finding in result.findings:
                uri = converter.uri(finding.location.path)
                if uri in by_uri:
                    by_uri[uri].append(converter.diagnostic(finding))
            for location, message in result.syntax_problems:
                uri = converter.uri(location.path)
                if uri in by_uri:
                    by_uri[uri].append(converter.not_read(location, message))
        for uri, diagnostics in by_uri.items():
            version = self.workspace.get_text_document(uri).version
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
        for uri in self.published - set(by_uri):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.published = set(by_uri)

    def schedule(self, delay: float = DEBOUNCE_SECONDS) -> None:
        """Re-analyses after `delay`, cancelling a pending run (the last edit of a burst wins)."""
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()

        async def run() -> None:
            await asyncio.sleep(delay)
            self.publish_all()

        self.pending = asyncio.ensure_future(run())

    def fix_all(self, uri: str) -> types.WorkspaceEdit | None:
        path = to_fs_path(uri)
        if not path:
            return None
        root = self.root_of(Path(path))
        result, converter, workspace = self.analyze_root(root)
        relative = workspace.relative(Path(path))
        edits = [converter.edit(f.fixes[0]) for f in result.findings if f.fixes and f.location.path == relative]
        return merge_edits(edits) if edits else None


server = KanikoLanguageServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: KanikoLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: KanikoLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule()


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: KanikoLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.schedule(0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: KanikoLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.schedule(0)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll,
                                               SOURCE_FIX_ALL]),
)
def code_action(ls: KanikoLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE or not isinstance(diagnostic.data, dict):
                continue
            for n, fix in enumerate(diagnostic.data.get("fixes") or []):
                edit = edit_from_json(fix.get("edit")) if isinstance(fix, dict) else None
                if edit is not None:
                    actions.append(types.CodeAction(title=fix.get("title", "Fix"), kind=types.CodeActionKind.QuickFix,
                                                    diagnostics=[diagnostic], is_preferred=n == 0, edit=edit))
    if _wanted(SOURCE_FIX_ALL, only):
        edit = ls.fix_all(params.text_document.uri)
        if edit is not None:
            actions.append(types.CodeAction(title="Fix all kaniko-lsp findings", kind=SOURCE_FIX_ALL, edit=edit))
    return actions


def _wanted(kind: str, only: list[str] | None) -> bool:
    """Whether an action of `kind` answers a request limited to `only` (kinds are dot hierarchies)."""
    if only is None:
        return True
    kind = getattr(kind, "value", kind)
    return any(kind == (k := getattr(o, "value", o)) or kind.startswith(f"{k}.") for o in only)


def start(tcp: str | None = None, ws: str | None = None) -> None:
    """Runs the server on stdio, or on TCP / WebSocket when `HOST:PORT` is given."""
    if tcp or ws:
        host, _, port = (tcp or ws or "").rpartition(":")
        (server.start_tcp if tcp else server.start_ws)(host or "127.0.0.1", int(port))
    else:
        server.start_io()
