"""End to end over stdio, the editor experience: workspace indexing, file watching, bursts of edits,
hover, links, suppressions, fix on save, pull diagnostics, settings and position encodings."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities

from conftest import SERVER
from helpers import declarative, kaniko_container, kaniko_step
from lsp_support import code_actions, index_ended, open_document, pulls, start, wait_for

PIPELINE = declarative(kaniko_container("/tmp/b"), kaniko_step("--context $(pwd) --dockerfile $(pwd)/Dockerfile"))
LOSING = "FROM alpine\nRUN apk add git\nRUN mkdir -p /tmp/b/cache\n"


def pair(make_workspace, dockerfile: str = LOSING, **extra: str) -> Path:
    return make_workspace({"Jenkinsfile": PIPELINE, "Dockerfile": dockerfile, **extra})


def uri_of(path: Path) -> str:
    return from_fs_path(str(path))


async def test_indexing_reports_progress_on_a_multi_root_workspace(client: LanguageClient, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        (root / "ci").mkdir(parents=True)
        (root / "ci" / "build.Jenkinsfile").write_text(PIPELINE)
        (root / "Dockerfile").write_text(LOSING)
    await start(client, first, second)
    await index_ended(client)
    (report,) = client.progress_reports.values()
    assert isinstance(report[0], types.WorkDoneProgressBegin) and report[0].cancellable
    assert report[-1].message == "2 pipeline(s) indexed"
    uri = open_document(client, second / "Dockerfile", "dockerfile")
    (diagnostic,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert diagnostic.related_information[0].location.uri == uri_of(second / "ci" / "build.Jenkinsfile")


async def test_dockerfile_changed_on_disk_updates_the_open_jenkinsfile(client: LanguageClient,
                                                                       make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, uri, lambda d: [x.code for x in d] == ["KL001"])
    capabilities = client_capabilities(client.capability_set)  # type: ignore[attr-defined]
    if capabilities.workspace and capabilities.workspace.did_change_watched_files \
            and capabilities.workspace.did_change_watched_files.dynamic_registration:
        for _ in range(100):
            if client.registrations:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.05)
        methods = [r.method for r in client.registrations]  # type: ignore[attr-defined]
        assert methods == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    (root / "Dockerfile").write_text("FROM alpine\nRUN apk add git\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri_of(root / "Dockerfile"), type=types.FileChangeType.Changed)]))
    assert not await wait_for(client, uri, lambda d: not d)


async def test_two_hundred_rapid_edits_end_with_the_last_text(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace, "FROM alpine\nRUN mkdir -p /tmp/b/cache /srv/x\n")
    await start(client, root)
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    await wait_for(client, uri, lambda d: len(d) == 1)
    line = types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=200))
    for version in range(2, 202):
        text = f"RUN mkdir -p /tmp/b/v{version}" if version % 2 else "RUN mkdir -p /srv/x"
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=line, text=text)]))
    final = await wait_for(client, uri, lambda d: len(d) == 1 and "/tmp/b/v201" in d[0].message)
    assert (final[0].range.start.line, final[0].range.start.character) == (1, 13)
    if not pulls(client):
        await asyncio.sleep(0.4)
        assert "/tmp/b/v201" in client.diagnostics[uri][0].message, "no stale diagnostics after the burst"


async def test_hover_shows_the_ignore_list_and_the_builds(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    jenkinsfile = open_document(client, root / "Jenkinsfile", "groovy")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=jenkinsfile), position=types.Position(line=10, character=28)))
    assert hover is not None
    text = hover.contents.value
    assert "container `kaniko`" in text and "Working directory: `/tmp/b`" in text
    assert "| `/tmp/b` | Jenkins workspace volume at the container's working directory |" in text
    assert "| `/kaniko` | kaniko's own directory |" in text and "`/etc/hosts`" in text
    dockerfile = open_document(client, root / "Dockerfile", "dockerfile")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=dockerfile), position=types.Position(line=2, character=2)))
    assert hover is not None
    assert "Built by `Jenkinsfile` line 19 in container `kaniko`" in hover.contents.value
    assert "RUN mkdir writes `/tmp/b/cache`: missing from the image (under a mount)" in hover.contents.value


async def test_document_links_lead_to_the_dockerfile_and_the_pod_yaml(client: LanguageClient,
                                                                      make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes { yamlFile 'ci/pod.yaml' } }\n"
                   " stages { stage('b') { steps { container('kaniko') {\n"
                   "  sh '/kaniko/executor --context `pwd` --dockerfile docker/app.Dockerfile'\n} } } } }\n")
    root = make_workspace({"Jenkinsfile": jenkinsfile, "ci/pod.yaml": "spec:\n  containers:\n  - name: kaniko\n",
                           "docker/app.Dockerfile": "FROM alpine\n"})
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    links = await client.text_document_document_link_async(types.DocumentLinkParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert sorted((link.range.start.line, link.range.start.character, link.target) for link in links) == [
        (0, 42, uri_of(root / "ci" / "pod.yaml")), (2, 52, uri_of(root / "docker" / "app.Dockerfile"))]


async def test_suppression_comment_and_config_file(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace, "FROM alpine\n# kaniko-lsp ignore=KL001\nRUN mkdir -p /tmp/b/a\nRUN touch /tmp/b/c\n")
    await start(client, root)
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    (remaining,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert remaining.range.start.line == 3
    (root / ".kaniko-lsp.yaml").write_text("ignore: [KL001]\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri_of(root / ".kaniko-lsp.yaml"), type=types.FileChangeType.Created)]))
    assert not await wait_for(client, uri, lambda d: not d)


async def test_project_suppression_action_edits_the_config_file(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace, **{".kaniko-lsp.yaml": "# team settings\nseverity: {KL003: error}\n"})
    await start(client, root)
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 1)
    actions = await code_actions(client, uri, diagnostics, only=[types.CodeActionKind.QuickFix])
    project = next(a for a in actions if "this project" in a.title)
    (edit,) = project.edit.changes[uri_of(root / ".kaniko-lsp.yaml")]
    assert edit.new_text == "# team settings\nseverity: {KL003: error}\nignore: [KL001]\n"
    line = next(a for a in actions if "this line" in a.title)
    (edit,) = line.edit.changes[uri]
    assert (edit.range.start.line, edit.new_text) == (2, "# kaniko-lsp ignore=KL001\n")


async def test_fix_all_on_save_when_enabled(client: LanguageClient, make_workspace) -> None:
    root = make_workspace({"Jenkinsfile": declarative(kaniko_container("/home/jenkins"), kaniko_step()),
                           "Dockerfile": "FROM alpine\nRUN mkdir /home/jenkins/.m2\n"})
    await start(client, root, options={"kanikoLsp": {"fixOnSave": True}})
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, uri, lambda d: len(d) >= 1)
    edits = await client.text_document_will_save_wait_until_async(types.WillSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri), reason=types.TextDocumentSaveReason.Manual))
    assert [(e.range.start.line, e.new_text) for e in edits] == [(10, "/home/jenkins/agent")]


async def test_fix_on_save_is_off_by_default(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, uri, lambda d: len(d) >= 1)
    assert await client.text_document_will_save_wait_until_async(types.WillSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri), reason=types.TextDocumentSaveReason.Manual)) is None


async def test_pull_diagnostics(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root, pull=True)
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [(d.code, d.range.start.line) for d in report.items] == [("KL001", 2)]
    workspace = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    assert sorted(item.uri for item in workspace.items) == [uri_of(root / "Dockerfile"), uri_of(root / "Jenkinsfile")]


async def test_workspace_reports_say_unchanged_and_clear_fixed_files(client: LanguageClient, make_workspace) -> None:
    """A client keeps a file's last workspace report until another replaces it (VS Code does): a fixed file
    gets an empty report, and a report the client already holds is answered "unchanged"."""
    root = pair(make_workspace)
    await start(client, root, pull=True)

    async def pull(held: list[types.WorkspaceDocumentDiagnosticReport]) -> dict[str, tuple[str, int]]:
        previous = [types.PreviousResultId(uri=r.uri, value=r.result_id) for r in held if r.result_id]
        answer = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=previous))
        held[:] = answer.items
        return {Path(r.uri).name: (r.kind, len(getattr(r, "items", []))) for r in answer.items}

    held: list[types.WorkspaceDocumentDiagnosticReport] = []
    assert await pull(held) == {"Dockerfile": ("full", 1), "Jenkinsfile": ("full", 1)}
    assert await pull(list(held)) == {"Dockerfile": ("unchanged", 0), "Jenkinsfile": ("unchanged", 0)}
    (root / "Dockerfile").write_text("FROM alpine\nRUN echo fine\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri_of(root / "Dockerfile"), type=types.FileChangeType.Changed)]))
    assert await pull(held) == {"Dockerfile": ("full", 0), "Jenkinsfile": ("full", 0)}
    assert await pull([]) == {}


@pytest.mark.parametrize(("encoding", "character"), [("utf-8", 16), ("utf-16", 14), ("utf-32", 13)])
async def test_position_encoding_on_a_line_with_emoji(client: LanguageClient, make_workspace, encoding: str,
                                                      character: int) -> None:
    root = pair(make_workspace, "FROM alpine\nRUN echo 😀 > /tmp/b/x\n")
    await start(client, root, encodings=[encoding])
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    (diagnostic,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (1, character)


async def test_invalid_settings_are_reported_once_and_defaults_apply(client: LanguageClient,
                                                                      make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root, options={"fixOnSave": "yes", "colour": 1,
                                           "serverPath": "/opt/kaniko-lsp", "pythonPath": ""})
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    await wait_for(client, uri, lambda d: len(d) == 1)
    messages = [m.message for m in client.messages]
    assert messages == ["kaniko-lsp: invalid settings (initializationOptions): kanikoLsp.fixOnSave must be a bool, "
                        "not 'yes'; unknown setting kanikoLsp.colour; defaults used for those"]


async def test_workspace_configuration_is_read(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace)
    client.set_configuration({"fixOnSave": True}, section="kanikoLsp")
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, uri, lambda d: len(d) >= 1)
    capabilities = client_capabilities(client.capability_set)  # type: ignore[attr-defined]
    edits = await client.text_document_will_save_wait_until_async(types.WillSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri), reason=types.TextDocumentSaveReason.Manual))
    expected = bool(capabilities.workspace and capabilities.workspace.configuration)
    assert (edits is not None) is expected


async def test_inlay_hints_name_the_dockerfile_of_each_build(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root, inlay_hints=True)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=40, character=0))))
    assert [(h.position.line, h.position.character, h.label) for h in hints] == [(18, 30, " builds Dockerfile")]


async def test_closing_keeps_findings_of_the_saved_file_and_clears_the_rest(client: LanguageClient,
                                                                            make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    if pulls(client):
        pytest.skip("a pulling client asks for diagnostics itself")
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    await wait_for(client, uri, lambda d: len(d) == 1)
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="FROM alpine\n")]))
    await wait_for(client, uri, lambda d: not d)
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    (kept,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert kept.range.start.line == 2, "the unsaved edit is gone; the file on disk still loses /tmp/b/cache"
    (root / "Dockerfile").write_text("FROM alpine\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri, type=types.FileChangeType.Changed)]))
    assert not await wait_for(client, uri, lambda d: not d)


async def test_a_huge_buffer_is_named_as_not_read_and_the_server_keeps_serving(client: LanguageClient,
                                                                             make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    huge = root / "big.Jenkinsfile"
    huge.write_text("// " + "x" * (3 * 1024 * 1024) + "\n")
    uri = open_document(client, huge, "groovy")
    (note,) = await wait_for(client, uri, lambda d: len(d) == 1)
    assert note.severity == types.DiagnosticSeverity.Information and "over the" in note.message
    binary = open_document(client, root / "Dockerfile", "dockerfile")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=binary, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(
            text="\x00\x01\ufffd😀\tRUN mkdir /tmp/b/x\r\n")]))
    jenkinsfile = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, jenkinsfile, lambda d: all(x.code == "KL001" for x in d))


async def test_a_fix_applied_to_a_file_the_client_does_not_report_clears_the_other_side(
        client: LanguageClient, make_workspace) -> None:
    """A client without file watching applies the Dockerfile's quick fix, which edits the Jenkinsfile it has
    not opened, then runs the action's command: the server learns what the Jenkinsfile now holds."""
    root = pair(make_workspace)
    capabilities = client_capabilities(client.capability_set)  # type: ignore[attr-defined]
    if capabilities.workspace is not None:
        capabilities.workspace.did_change_watched_files = None
    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities, root_uri=uri_of(root),
        workspace_folders=[types.WorkspaceFolder(uri=uri_of(root), name=root.name)]))
    if pulls(client):
        pytest.skip("a pulling client asks for diagnostics itself")
    uri = open_document(client, root / "Dockerfile", "dockerfile")
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 1)
    actions = await code_actions(client, uri, diagnostics, only=[types.CodeActionKind.QuickFix])
    (fix,) = [a for a in actions if a.is_preferred]
    (edit,) = fix.edit.changes[uri_of(root / "Jenkinsfile")]
    path = root / "Jenkinsfile"
    lines = path.read_text().splitlines(keepends=True)
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[:edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    path.write_text("".join(lines))
    assert fix.command is not None and fix.command.command == "kaniko-lsp.fixApplied"
    await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=fix.command.command, arguments=fix.command.arguments))
    assert not await wait_for(client, uri, lambda d: not d)


async def test_a_save_is_read_again_by_clients_without_file_watching(client: LanguageClient,
                                                                       make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    if pulls(client):
        pytest.skip("a pulling client asks for diagnostics itself")
    jenkinsfile = open_document(client, root / "Jenkinsfile", "groovy")
    await wait_for(client, jenkinsfile, lambda d: len(d) == 1)
    dockerfile = open_document(client, root / "Dockerfile", "dockerfile")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=dockerfile, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text="FROM alpine\n")]))
    (root / "Dockerfile").write_text("FROM alpine\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=dockerfile)))
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=dockerfile)))
    assert not await wait_for(client, jenkinsfile, lambda d: not d)


async def test_hover_on_keys_and_on_the_executor(client: LanguageClient, make_workspace) -> None:
    root = pair(make_workspace)
    await start(client, root)
    uri = open_document(client, root / "Jenkinsfile", "groovy")
    text = (root / "Jenkinsfile").read_text().splitlines()
    key_line = next(n for n, line in enumerate(text) if "workingDir: /tmp/b" in line)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=key_line, character=text[key_line].index("workingDir") + 2)))
    assert hover is not None and "Working directory: `/tmp/b`" in hover.contents.value
    executor_line = next(n for n, line in enumerate(text) if "/kaniko/executor" in line)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=executor_line, character=text[executor_line].index("/kaniko/executor") + 3)))
    assert hover is not None
    value = hover.contents.value
    assert "kaniko build in container `kaniko`" in value and "- Dockerfile: `Dockerfile`" in value
    assert "| `/tmp/b` | Jenkins workspace volume at the container's working directory |" in value
    assert "| `/var/run` | kaniko default (--ignore-var-run) |" in value


async def test_a_workspace_pull_cancelled_while_it_waits_ends_cancelled_and_the_next_is_whole(
        client: LanguageClient, tmp_path: Path) -> None:
    """`$/cancelRequest` for a `workspace/diagnostic` that waits for the analysis of the workspace ends it
    with RequestCancelled; the analysis goes on, and the next pull reports what `check` finds."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from monorepo import generate

    generate(tmp_path, pipelines=200, sources=20, seed=5)
    found = json.loads(subprocess.run([SERVER, "check", "--no-cache", "--format", "json", "."], cwd=tmp_path,
                                      capture_output=True, text=True, check=False).stdout)["findings"]
    await start(client, tmp_path, pull=True)
    everything = types.WorkspaceDiagnosticParams(previous_result_ids=[])
    waiting = client.protocol.send_request(types.WORKSPACE_DIAGNOSTIC, everything, msg_id="everything")
    await index_ended(client, timeout=30)  # the pull has been read long ago, and waits for 200 analyses
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="everything"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wrap_future(waiting)
    report = await client.workspace_diagnostic_async(everything)
    reported = {(item.uri, d.code, d.range.start.line) for item in report.items for d in item.items}
    assert found and reported == {(uri_of(tmp_path / f["path"]), f["rule"], f["range"]["start"]["line"])
                                  for f in found}
