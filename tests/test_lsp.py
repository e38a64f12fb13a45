"""End to end over stdio: the installed `kaniko-lsp serve` driven by pytest-lsp with real client
capability sets (VS Code and Neovim)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import EXAMPLES
from helpers import declarative, kaniko_container, kaniko_step

SERVER = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"
CLIENTS = ["visual-studio-code", "neovim"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[SERVER, "serve"]), params=CLIENTS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    lsp_client.capability_set = request.param  # type: ignore[attr-defined]
    lsp_client.registrations = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    yield
    await lsp_client.shutdown_session()


async def start(client: LanguageClient, root: Path) -> None:
    await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(client.capability_set),  # type: ignore[attr-defined]
        root_uri=from_fs_path(str(root)),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name=root.name)],
    ))


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


async def test_seed_quick_fix_clears_the_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")

    diagnostics = await wait_for(client, uri, lambda d: len(d) == 2)
    assert {(d.code, d.source, d.range.start.line, d.range.start.character, d.range.end.character)
            for d in diagnostics} == {("KL001", "kaniko-lsp", 14, 24, 37), ("KL001", "kaniko-lsp", 35, 22, 39)}
    mount_side = next(d for d in diagnostics if d.range.start.line == 14)
    assert mount_side.related_information[0].location.range.start.line == 35
    assert mount_side.code_description.href.endswith("KL001.md")

    actions = await code_actions(client, uri, [mount_side])
    quick_fixes = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert [a.title for a in quick_fixes] == [
        "Move the working directory of 'jnlp', 'kaniko' to /home/jenkins/agent", "Suppress KL001 on this line",
        "Suppress KL001 in this file", "Suppress KL001 in this project (.kaniko-lsp.yaml)"]
    assert [a.is_preferred for a in quick_fixes] == [True, None, None, None]
    edits = quick_fixes[0].edit.changes[uri]
    assert sorted((e.range.start.line, e.new_text) for e in edits) == [(12, "/home/jenkins/agent"),
                                                                      (14, "/home/jenkins/agent")]

    apply_edits(client, uri, edits, 2)
    assert not await wait_for(client, uri, lambda d: not d)


async def test_fix_all_answers_with_empty_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 2)

    quick = await code_actions(client, uri, diagnostics[:1], only=[types.CodeActionKind.QuickFix])
    fix_all = await code_actions(client, uri, [], only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in fix_all] == ["source.fixAll.kaniko"]
    assert sorted(fix_all[0].edit.changes[uri], key=lambda e: e.range.start.line) == \
        sorted(quick[0].edit.changes[uri], key=lambda e: e.range.start.line)


async def test_editing_the_dockerfile_updates_the_jenkinsfile(client: LanguageClient, make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container("/tmp/build"), kaniko_step("--context $(pwd) "
                                                                              "--dockerfile $(pwd)/Dockerfile")),
        "Dockerfile": "FROM alpine\nRUN apk add git\nRUN mkdir -p /tmp/build/cache\n",
    })
    await start(client, root)
    dockerfile_uri = open_document(client, root / "Dockerfile", "dockerfile")
    (diagnostic,) = await wait_for(client, dockerfile_uri, lambda d: len(d) == 1)
    assert (diagnostic.code, diagnostic.range.start.line, diagnostic.range.start.character) == ("KL001", 2, 13)

    jenkinsfile_uri = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, jenkinsfile_uri, lambda d: [x.code for x in d] == ["KL001"])

    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=dockerfile_uri, version=2),
        [types.TextDocumentContentChangePartial(range=types.Range(types.Position(2, 0), types.Position(3, 0)),
                                                text="")]))
    assert not await wait_for(client, jenkinsfile_uri, lambda d: not d)
    assert not await wait_for(client, dockerfile_uri, lambda d: not d)


async def test_opening_only_the_dockerfile_reads_the_jenkinsfile_from_disk(client: LanguageClient,
                                                                          make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container("/tmp/build"), kaniko_step()),
        "Dockerfile": "FROM alpine\nRUN mkdir -p /tmp/build/cache\n",
    })
    await start(client, root)
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    (diagnostic,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert diagnostic.related_information[0].location.uri.endswith("/Jenkinsfile")
