"""End to end over stdio: the installed `kaniko-lsp serve` driven by pytest-lsp with real client
capability sets (VS Code and Neovim)."""

from __future__ import annotations

import shutil
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import EXAMPLES
from helpers import declarative, kaniko_container, kaniko_step
from lsp_support import apply_edits, code_actions, open_document, start, wait_for


async def open_seed(client: LanguageClient, tmp_path: Path) -> tuple[str, list[types.Diagnostic]]:
    """A copy of examples/seed as the workspace, its Jenkinsfile open, and its two diagnostics."""
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    return uri, await wait_for(client, uri, lambda d: len(d) == 2)


async def test_seed_quick_fix_clears_the_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    uri, diagnostics = await open_seed(client, tmp_path)
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
    uri, diagnostics = await open_seed(client, tmp_path)

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
