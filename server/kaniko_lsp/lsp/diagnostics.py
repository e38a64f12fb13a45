"""Diagnostics: pushed for open documents after each (debounced) change, or pulled by clients that
support `textDocument/diagnostic`; an edit in one file updates the others it affects."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from ..model import Location, Position, Range
from .server import KanikoLanguageServer, RootAnalysis, server


def document_diagnostics(analysis: RootAnalysis, path: str) -> list[types.Diagnostic]:
    """Every finding of one file, plus what the reader had to skip there."""
    converter = analysis.converter
    found = [converter.diagnostic(f) for f in analysis.result.findings if f.location.path == path]
    found += [converter.not_read(location, message) for location, message in analysis.result.syntax_problems
              if location.path == path]
    reason = analysis.result.unreadable.get(path)
    if reason is not None:
        found.append(converter.not_read(Location(path, Range(Position(0, 0), Position(0, 0))), reason))
    return found


def publish_all(ls: KanikoLanguageServer) -> None:
    """Publishes diagnostics of every open document (versioned), and clears those of closed ones."""
    if ls.pull_diagnostics:
        if ls.pull_refresh:
            ls.workspace_diagnostic_refresh(None)
        return
    documents = ls.open_documents()
    closed = {uri: Path(path) for uri in ls.published - set(documents) if (path := to_fs_path(uri))}
    by_uri: dict[str, list[types.Diagnostic]] = {uri: [] for uri in documents}
    for root in sorted({ls.root_of(p) for p in [*documents.values(), *closed.values()]}):
        try:
            analysis = ls.analyze_root(root)
        except Exception as error:  # keep serving; say what failed
            ls.show_once(f"analysis:{root}", f"kaniko-lsp: analysis of {root} failed: {error!r}",
                         types.MessageType.Error)
            continue
        for uri, path in [*documents.items(), *closed.items()]:
            relative = analysis.workspace.relative(path)
            if relative is not None and ls.root_of(path) == root:
                by_uri[uri] = document_diagnostics(analysis, relative)
    for uri, diagnostics in by_uri.items():
        version = ls.workspace.get_text_document(uri).version if uri in documents else None
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))
    # A closed file keeps the findings its saved content has; one without findings is cleared.
    ls.published = set(documents) | {uri for uri in closed if by_uri.get(uri)}


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


def document_diagnostic(ls: KanikoLanguageServer, params: types.DocumentDiagnosticParams) \
        -> types.RelatedFullDocumentDiagnosticReport:
    found = ls.analysis_for(params.text_document.uri)
    items = document_diagnostics(*found) if found else []
    return types.RelatedFullDocumentDiagnosticReport(items=items)


def workspace_diagnostic(ls: KanikoLanguageServer, params: types.WorkspaceDiagnosticParams) \
        -> types.WorkspaceDiagnosticReport:
    reports: list[types.WorkspaceDocumentDiagnosticReport] = []
    for root in ls.roots():
        analysis = ls.analyze_root(root)
        paths = sorted({f.location.path for f in analysis.result.findings})
        for path in paths:
            reports.append(types.WorkspaceFullDocumentDiagnosticReport(
                uri=analysis.converter.uri(path), items=document_diagnostics(analysis, path), version=None))
    return types.WorkspaceDiagnosticReport(items=reports)


def register_pull(ls: KanikoLanguageServer) -> None:
    """Serves pull diagnostics (called at initialize when the client supports them)."""
    options = types.DiagnosticOptions(identifier="kaniko-lsp", inter_file_dependencies=True,
                                      workspace_diagnostics=True)
    ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)(document_diagnostic)
    ls.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)
