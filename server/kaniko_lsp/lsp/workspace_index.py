"""Knowing the workspace: an index of pipeline files per folder, built on `initialized` (with
cancellable `$/progress`) and kept current from `workspace/didChangeWatchedFiles`."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from ..workspace import Workspace, is_watched_name, looks_like_pipeline
from .configuration import refresh_settings
from .server import KanikoLanguageServer, server

WATCHED = ["**/Jenkinsfile", "**/Jenkinsfile.*", "**/*.jenkinsfile", "**/*.Jenkinsfile", "**/*.groovy",
           "**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/*.dockerfile", "**/Containerfile*",
           "**/*.yaml", "**/*.yml", "**/.kaniko-lsp.yaml"]


async def index_folders(ls: KanikoLanguageServer) -> None:
    """Scans every workspace folder for pipeline files, reporting progress when the client can show it."""
    roots = ls.roots()
    token: str | None = None
    if get_capability(ls.client_capabilities, "window.work_done_progress", False):
        token = f"kaniko-lsp-index-{uuid.uuid4()}"
        try:
            await ls.work_done_progress.create_async(token)
        except Exception:  # the client refused: index without progress
            token = None
    if token:
        ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title="kaniko-lsp: indexing", cancellable=True, message=f"{len(roots)} folder(s)", percentage=0))
    for n, root in enumerate(roots):
        if token and ls.work_done_progress.tokens.get(token) and ls.work_done_progress.tokens[token].cancelled():
            break
        ls.indexes[root] = set(Workspace(root).pipelines())
        if token:
            ls.work_done_progress.report(token, types.WorkDoneProgressReport(
                message=f"{root.name}: {len(ls.indexes[root])} pipeline(s)",
                percentage=int(100 * (n + 1) / max(len(roots), 1))))
        await asyncio.sleep(0)
    if token:
        total = sum(len(i) for i in ls.indexes.values())
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"{total} pipeline(s) indexed"))


async def watch_files(ls: KanikoLanguageServer) -> None:
    if not get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED])
    await ls.client_register_capability_async(types.RegistrationParams(registrations=[
        types.Registration(id="kaniko-lsp-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                           register_options=options)]))


@server.feature(types.INITIALIZED)
async def initialized(ls: KanikoLanguageServer, params: types.InitializedParams) -> None:
    await refresh_settings(ls)
    await index_folders(ls)
    try:
        await watch_files(ls)
    except Exception as error:  # watching is a convenience; say why it is off
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Warning,
                                                     message=f"kaniko-lsp: file watching is off: {error!r}"))
    ls.schedule(0)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: KanikoLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        path = to_fs_path(change.uri)
        if not path or not is_watched_name(Path(path).name):
            continue
        root = ls.root_of(Path(path))
        index = ls.indexes.get(root)
        if index is None:
            continue
        relative = Workspace(root).relative(Path(path))
        if relative is None:
            continue
        if change.type == types.FileChangeType.Deleted:
            index.discard(relative)
        else:
            text = Workspace(root).read(relative)
            if text is not None and looks_like_pipeline(Path(path).name, text):
                index.add(relative)
            else:
                index.discard(relative)
    ls.schedule(0)


@server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
async def did_change_folders(ls: KanikoLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for removed in params.event.removed:
        path = to_fs_path(removed.uri)
        if path:
            ls.indexes.pop(Path(path), None)
    await index_folders(ls)
    ls.schedule(0)
