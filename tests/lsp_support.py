"""Helpers for end-to-end tests of the language server (the client fixture lives in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities


async def start(client: LanguageClient, *roots: Path, options: object = None,
                encodings: list[str] | None = None, pull: bool = False, inlay_hints: bool = False) -> None:
    """Initializes the session on `roots` (workspace folders) with the fixture's capability set,
    optionally narrowed to some position encodings or extended with pull diagnostics."""
    capabilities = client_capabilities(client.capability_set)  # type: ignore[attr-defined]
    if encodings is not None:
        capabilities.general = types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings])
    if inlay_hints and capabilities.text_document is not None:
        capabilities.text_document.inlay_hint = types.InlayHintClientCapabilities()
    if pull and capabilities.text_document is not None:
        capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(related_document_support=True)
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=from_fs_path(str(roots[0])), initialization_options=options,
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(r)), name=r.name) for r in roots]))




def pulls(client: LanguageClient) -> bool:
    """Whether the capability set lets the server rely on pull diagnostics (Neovim 0.11 does)."""
    capabilities = client_capabilities(client.capability_set)  # type: ignore[attr-defined]
    return capabilities.text_document is not None and capabilities.text_document.diagnostic is not None


async def wait_for(client: LanguageClient, uri: str, condition: Callable[[list[types.Diagnostic]], bool],
                   timeout: float = 10.0) -> list[types.Diagnostic]:
    """Waits until the diagnostics of `uri` satisfy `condition`: published ones, or pulled ones when the
    client pulls."""
    async def poll() -> list[types.Diagnostic]:
        if pulls(client):
            while True:
                report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
                    text_document=types.TextDocumentIdentifier(uri=uri)))
                client.diagnostics[uri] = list(report.items)
                if condition(client.diagnostics[uri]):
                    return client.diagnostics[uri]
                await asyncio.sleep(0.05)
        while not (uri in client.diagnostics and condition(client.diagnostics[uri])):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]

    try:
        return await asyncio.wait_for(poll(), timeout)
    except TimeoutError:
        pytest.fail(f"diagnostics for {uri} never matched; last published: {client.diagnostics.get(uri)!r}; "
                    f"server log: {client.log_messages!r}; messages: {client.messages!r}")


def open_document(client: LanguageClient, path: Path, language: str) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id=language, version=1,
                               text=path.read_text(encoding="utf-8"))))
    return uri


def apply_edits(client: LanguageClient, uri: str, edits: list[types.TextEdit], version: int) -> None:
    """Sends the edits as incremental changes, last position first, as editors do."""
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered]))


def code_actions(client: LanguageClient, uri: str, diagnostics: list[types.Diagnostic], only=None):
    return client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=diagnostics[0].range if diagnostics else types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))


async def replace_and_expect_clear(client: LanguageClient, uri: str, line: int, start: int, end: int, text: str,
                                   *also: str) -> None:
    """Replaces characters `start`-`end` of a line of the document (version 2), then waits until it and
    every document of `also` publish no diagnostics."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [types.TextDocumentContentChangePartial(range=types.Range(types.Position(line, start),
                                                                  types.Position(line, end)), text=text)]))
    for cleared in (uri, *also):
        assert not await wait_for(client, cleared, lambda d: not d)


async def index_ended(client: LanguageClient, timeout: float = 5.0) -> types.WorkDoneProgressEnd:
    """The end of the indexing progress (waits for it)."""
    for _ in range(int(timeout / 0.05)):
        ends = [r for reports in client.progress_reports.values() for r in reports
                if isinstance(r, types.WorkDoneProgressEnd)]
        if ends:
            return ends[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("the indexing progress never ended")
