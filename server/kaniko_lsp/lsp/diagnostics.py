"""Pull diagnostics: `textDocument/diagnostic` and `workspace/diagnostic` (pushing is the scheduler's job)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import TYPE_CHECKING

from lsprotocol import types

from .scheduler import SLICE_SECONDS
from .state import document_diagnostics

if TYPE_CHECKING:
    from .server import KanikoLanguageServer

PARTIAL_BATCH = 50
"""Files per partial result of a streamed workspace diagnostic report."""


async def document_diagnostic(ls: KanikoLanguageServer, params: types.DocumentDiagnosticParams) \
        -> types.RelatedFullDocumentDiagnosticReport:
    located = ls.locate(params.text_document.uri)
    if located is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    root, path = located
    if not root.ready and path not in root.engine.pipelines:
        await root.indexed_wait()
        await ls.scheduler.settled()
    view = ls.view(params.text_document.uri)
    items = document_diagnostics(root, path, view.converter) if view else []
    return types.RelatedFullDocumentDiagnosticReport(items=items)


def result_id(items: list[types.Diagnostic]) -> str:
    """A report's identity: equal diagnostics, equal id (the client sends it back to ask "changed?")."""
    return hashlib.blake2b(repr(items).encode(), digest_size=12).hexdigest()


async def workspace_diagnostic(ls: KanikoLanguageServer, params: types.WorkspaceDiagnosticParams) \
        -> types.WorkspaceDiagnosticReport:
    """Every file with diagnostics in every folder, once analysis has settled; streamed in batches as
    partial results when the client gave a token (the final answer is then empty, as the protocol says).

    A file whose report the client already holds is answered "unchanged"; a file that had diagnostics and
    has none now gets an empty report, since a client keeps a file's last report until it is replaced."""
    for folder in ls.folders():  # before `initialized` is handled, the folders have no root yet
        await ls.root(folder, folder=True).indexed_wait()
    await ls.scheduler.settled()
    token = params.partial_result_token
    held = {previous.uri: previous.value for previous in params.previous_result_ids}
    stale = set(held) | set(ls.workspace_reports)
    reports: list[types.WorkspaceDocumentDiagnosticReport] = []

    def report(uri: str, items: list[types.Diagnostic]) -> None:
        stale.discard(uri)
        identity = result_id(items)
        if held.get(uri) == identity:
            reports.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=uri, result_id=identity,
                                                                            version=None))
        elif items or uri in held or uri in ls.workspace_reports:
            reports.append(types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=items, version=None,
                                                                       result_id=identity))
        if items:
            ls.workspace_reports[uri] = identity
        else:
            ls.workspace_reports.pop(uri, None)

    started = time.perf_counter()
    for root in list(ls.roots.values()):
        converter = ls.converter(root)
        for path in sorted(root.engine.reporting):
            report(converter.uri(path), document_diagnostics(root, path, converter))
            if token is not None and len(reports) >= PARTIAL_BATCH:
                ls.progress(types.ProgressParams(token=token, value=types.WorkspaceDiagnosticReportPartialResult(
                    items=reports)))
                reports = []
            if time.perf_counter() - started > SLICE_SECONDS:  # let requests that wait be answered
                await asyncio.sleep(0)
                started = time.perf_counter()
    for uri in sorted(stale):  # files no longer analysed at all (deleted, or out of every pipeline)
        report(uri, [])
    if token is not None:
        if reports:
            ls.progress(types.ProgressParams(token=token, value=types.WorkspaceDiagnosticReportPartialResult(
                items=reports)))
        return types.WorkspaceDiagnosticReport(items=[])
    return types.WorkspaceDiagnosticReport(items=reports)


def register_pull(ls: KanikoLanguageServer) -> None:
    """Serves pull diagnostics (called at initialize when the client supports them)."""
    options = types.DiagnosticOptions(identifier="kaniko-lsp", inter_file_dependencies=True,
                                      workspace_diagnostics=True)
    ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)(document_diagnostic)
    ls.feature(types.WORKSPACE_DIAGNOSTIC)(workspace_diagnostic)

