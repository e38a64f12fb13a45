"""Knowing the workspace: on `initialized` each folder is scanned for pipelines and the files each one
reads are found (in slices, with cancellable `$/progress`); that is enough to know which pipelines any file
affects. The full analysis of every pipeline follows in the background (the scheduler), and the index is
kept current from `workspace/didChangeWatchedFiles`."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from .. import collector
from .configuration import refresh_settings

if TYPE_CHECKING:
    from .server import KanikoLanguageServer, Root

WATCHED = ["**/Jenkinsfile", "**/Jenkinsfile.*", "**/*.jenkinsfile", "**/*.Jenkinsfile", "**/*.groovy",
           "**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile", "**/*.dockerfile", "**/Containerfile*",
           "**/*.yaml", "**/*.yml", "**/.kaniko-lsp.yaml"]
SLICE_SECONDS = 0.004
"""How long indexing runs before the event loop may serve requests."""
SCAN_BATCH = 500
"""Files looked at between two checks of the clock while scanning."""


class _Progress:
    """Work-done progress for one indexing run, when the client can show it."""

    def __init__(self, ls: KanikoLanguageServer) -> None:
        self.ls = ls
        self.token: str | None = None
        self.last = 0.0

    async def begin(self, message: str) -> None:
        if not get_capability(self.ls.client_capabilities, "window.work_done_progress", False):
            return
        token = f"kaniko-lsp-index-{uuid.uuid4()}"
        try:
            await self.ls.work_done_progress.create_async(token)
        except Exception:  # the client refused: index without progress
            return
        self.token = token
        self.ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(
            title="kaniko-lsp: indexing", cancellable=True, message=message, percentage=0))

    @property
    def cancelled(self) -> bool:
        future = self.ls.work_done_progress.tokens.get(self.token) if self.token else None
        return bool(future and future.cancelled())

    def report(self, message: str, percentage: int, force: bool = False) -> None:
        now = time.perf_counter()
        if self.token and (force or now - self.last > 0.1):
            self.last = now
            self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(
                message=message, percentage=max(0, min(100, percentage))))

    def end(self, message: str) -> None:
        if self.token:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))


async def index_folders(ls: KanikoLanguageServer, folders: list[Path]) -> None:
    """Scans the folders for pipelines and analyses each one, yielding to requests between slices."""
    roots = [ls.root(folder, folder=True) for folder in folders]
    for root in roots:
        root.indexing = True
    progress = _Progress(ls)
    await progress.begin(f"{len(roots)} folder(s)")
    try:
        with collector.bulk():
            for root in roots:
                if not progress.cancelled:
                    await _scan(root, progress)
            total = sum(len(r.engine.pipelines) for r in roots)
            for root in roots:
                await _discover(root, progress, total, roots)
    finally:
        for root in roots:
            if progress.cancelled:
                engine = root.engine
                root.skipped = engine.pipelines - engine.results.keys() - engine.discovered.keys()
            root.finish_indexing()
            ls.scheduler.root_ready(root)
        cached = sum(len(r.engine.from_cache) for r in roots)
        progress.end(f"{sum(len(r.engine.pipelines) for r in roots)} pipeline(s) indexed"
                     + (f", {cached} with findings from the cache" if cached else ""))


async def _scan(root: Root, progress: _Progress) -> None:
    workspace = root.engine.workspace
    found: list[str] = []
    started = time.perf_counter()
    for n, path in enumerate(workspace.files()):
        if workspace.is_pipeline(path):
            found.append(path)
        if n % SCAN_BATCH == 0 and time.perf_counter() - started > SLICE_SECONDS:
            progress.report(f"{root.path.name}: looking for pipelines", 0)
            await asyncio.sleep(0)
            if progress.cancelled:
                return
            started = time.perf_counter()
    root.engine.add_pipelines(found)


async def _discover(root: Root, progress: _Progress, total: int, roots: list[Root]) -> None:
    engine = root.engine
    started = time.perf_counter()
    for pipeline in sorted(engine.pipelines):
        if progress.cancelled:
            return
        engine.discover(pipeline)
        if time.perf_counter() - started > SLICE_SECONDS:
            done = sum(len(r.engine.discovered) + len(r.engine.results) for r in roots)
            progress.report(f"{done}/{total} pipelines", int(100 * done / max(total, 1)))
            await asyncio.sleep(0)
            started = time.perf_counter()


async def watch_files(ls: KanikoLanguageServer) -> None:
    if not get_capability(ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED])
    await ls.client_register_capability_async(types.RegistrationParams(registrations=[
        types.Registration(id="kaniko-lsp-watched-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                           register_options=options)]))


async def initialized(ls: KanikoLanguageServer, params: types.InitializedParams) -> None:
    await refresh_settings(ls)
    try:
        await watch_files(ls)
    except Exception as error:  # watching is a convenience; say why it is off
        ls.window_log_message(types.LogMessageParams(type=types.MessageType.Warning,
                                                     message=f"kaniko-lsp: file watching is off: {error!r}"))
    await index_folders(ls, ls.folders())


def did_change_watched_files(ls: KanikoLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    from ..workspace import is_watched_name

    for change in params.changes:
        path = to_fs_path(change.uri)
        if not path or not is_watched_name(Path(path).name):
            continue
        located = ls.locate(change.uri)
        if located is not None:
            root, relative = located
            root.engine.changed([relative])
            ls.scheduler.note(root, [relative])
    ls.scheduler.request()


async def did_change_folders(ls: KanikoLanguageServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
    for removed in params.event.removed:
        path = to_fs_path(removed.uri)
        if path:
            ls.roots.pop(Path(path), None)
    added = [Path(p) for f in params.event.added if (p := to_fs_path(f.uri))]
    await index_folders(ls, added)


def register(ls: KanikoLanguageServer) -> None:
    ls.feature(types.INITIALIZED)(initialized)
    ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    ls.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_folders)
