"""When analysis runs and diagnostics are published.

A change is analysed as soon as the event loop is free: there is no fixed delay. Changes that arrive
while analysis runs are coalesced (only the latest text is ever read). The document that changed is
analysed and published first; the other pipelines the change touched follow, one per slice of the
event loop, so that hover and code actions are answered between slices. Diagnostics are published with
the version of the text they were computed from, which is always the newest one, and only for documents
whose diagnostics changed or whose version moved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lsprotocol import types

from .. import collector
from .state import Root, document_diagnostics

if TYPE_CHECKING:
    from .convert import Converter
    from .text_sync import Documents


class Host(Protocol):
    """What the scheduler needs of the server."""

    roots: dict[Path, Root]
    pull_diagnostics: bool
    pull_refresh: bool

    documents: Documents

    def locate(self, uri: str) -> tuple[Root, str] | None: ...

    def converter(self, root: Root) -> Converter: ...

    def show_once(self, key: str, message: str, kind: types.MessageType = ...) -> None: ...

    def publish(self, params: types.PublishDiagnosticsParams) -> None: ...

    def refresh_pulled(self) -> None: ...

SLICE_SECONDS = 0.004
"""How long analysis runs before the event loop may serve requests."""
SAVE_SECONDS = 60.0
"""The least time between two writes of a root's cache (also written when the server exits)."""
SAVE_SLICE = 25
"""Results put into the cache between two turns of the event loop."""
BULK_PIPELINES = 16
"""Stale pipelines from which the rest of a run collects cyclic garbage less often (`collector.bulk`)."""
IDLE_SECONDS = 2.0
"""Quiet time after which the server collects its cyclic garbage fully (`collector.collect_everything`)."""
IDLE_COLLECT_AFTER = 50
"""Analyses since the last full collection that make one worth running when the server is idle."""


def save_caches(roots: Iterable[Root]) -> None:
    """Writes each root's cache (one that cannot be written only costs time at the next start)."""
    for root in roots:
        root.engine.save_cache()


class Scheduler:
    def __init__(self, server: Host) -> None:
        self.server = server
        self.urgent: dict[str, None] = {}
        """Documents to analyse and publish before anything else, oldest first."""
        self.affected: set[tuple[Path, str]] = set()
        """(root, path) of files whose diagnostics may have changed since they were last published."""
        self.published: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        """What each document was last published with: its version and diagnostics."""
        self.tracked: dict[tuple[Path, str], str] = {}
        """The URI of each open document, and of each closed one still showing diagnostics, by (root, path)."""
        self.task: asyncio.Task[None] | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self.saved_at: float | None = None
        self.saving: asyncio.Future[None] | None = None
        """The cache write in progress (held so that the event loop does not drop the task)."""
        self.runs = 0
        self.analysed = 0
        """Analyses since the last full collection."""

    # --- requests ------------------------------------------------------------------------
    def note(self, root: Root, files: Iterable[str]) -> None:
        """Files of `root` whose findings may have changed (to be published when work settles)."""
        self.affected.update((root.path, f) for f in files)

    def request(self, uri: str | None = None) -> None:
        """Starts analysis (if it is not running) with `uri` first."""
        if uri is not None:
            self.urgent[uri] = None
        self.idle.clear()
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    def track(self, uri: str, root: Root, path: str) -> None:
        """An opened document: its diagnostics are published from now on."""
        self.tracked[(root.path, path)] = uri
        self.affected.add((root.path, path))

    def republish_all(self) -> None:
        """Settings that change how diagnostics read (links, encodings) moved: send everything again."""
        self.published = {uri: (None, []) for uri in self.published}
        self.affected.update(self.tracked)
        self.request()

    def root_ready(self, root: Root) -> None:
        """A root finished indexing: the documents that waited for it are published."""
        self.affected.update(key for key in self.tracked if key[0] == root.path)
        self.request()

    async def settled(self) -> None:
        """Waits until no analysis is pending."""
        await self.idle.wait()

    # --- the work ------------------------------------------------------------------------
    async def _run(self) -> None:
        await asyncio.sleep(0)  # messages already received go first: their changes are coalesced
        self.runs += 1
        bulk, in_bulk = ExitStack(), False
        try:
            while True:
                started = time.perf_counter()
                while self.urgent and time.perf_counter() - started < SLICE_SECONDS:
                    uri = next(iter(self.urgent))
                    del self.urgent[uri]
                    self._urgent(uri)
                waiting = 0 if self.urgent else self._background_step()  # one pipeline, then requests
                if waiting >= BULK_PIPELINES and not in_bulk:  # that arrived meanwhile
                    bulk.enter_context(collector.bulk())
                    in_bulk = True
                if not self.urgent and not self._has_background_work():
                    self.publish_affected()
                    if not self.urgent and not self._has_background_work():
                        self._save_caches()
                        break
                await asyncio.sleep(0)
        except Exception as error:  # keep serving; say what failed
            self.server.show_once("analysis", f"kaniko-lsp: analysis failed: {error!r}", types.MessageType.Error)
        finally:
            bulk.close()
            if not self.urgent:
                self.idle.set()
                if self.analysed >= IDLE_COLLECT_AFTER:
                    asyncio.get_running_loop().call_later(IDLE_SECONDS, self._collect_if_idle, self.runs)

    def _collect_if_idle(self, runs: int) -> None:
        """Collects fully when no analysis ran since the run numbered `runs` ended."""
        if self.runs == runs and self.idle.is_set() and self.analysed >= IDLE_COLLECT_AFTER:
            self.analysed = 0
            collector.collect_everything()

    def _save_caches(self) -> None:
        """Writes what was analysed to each root's cache once the work settles (at most once a minute): in
        slices, and the file in another thread."""
        now = time.monotonic()
        if self.saved_at is not None and now - self.saved_at < SAVE_SECONDS:
            return
        if all(root.ready for root in self.server.roots.values()) and \
                any(root.engine.unsaved for root in self.server.roots.values()):
            self.saved_at = now
            self.saving = asyncio.ensure_future(self._save_in_slices())

    async def _save_in_slices(self) -> None:
        try:
            for root in list(self.server.roots.values()):
                cache = root.engine.cache
                while root.engine.store_unsaved(limit=SAVE_SLICE):
                    await asyncio.sleep(0)
                entries = cache.snapshot() if cache is not None else None
                if cache is not None and entries is not None:
                    await asyncio.to_thread(cache.write, entries)
        except Exception as error:  # the cache only saves time; say why it is not written
            self.server.show_once("cache", f"kaniko-lsp: the cache was not written: {error!r}",
                                  types.MessageType.Warning)

    def _urgent(self, uri: str) -> None:
        """Analyses what a document's diagnostics depend on and publishes them."""
        located = self.server.locate(uri)
        if located is None:
            return
        root, path = located
        engine = root.engine
        self._refresh(root, engine.readers_of(path))
        root.skipped -= engine.results.keys()
        if root.ready or path in engine.pipelines:
            self.publish(uri, root, path)

    def _background(self, root: Root) -> Iterator[str]:
        """Stale pipelines the scheduler brings up to date itself (the index analyses new ones)."""
        engine = root.engine
        if root.indexing:
            return (p for p in engine.stale if p in engine.results)
        return (p for p in engine.stale if p not in root.skipped)

    def _has_background_work(self) -> bool:
        """Whether some root has background work (stops at the first pipeline it finds)."""
        return any(next(self._background(root), None) is not None for root in self.server.roots.values())

    def _background_step(self) -> int:
        """Analyses one stale pipeline; how many were waiting (0: none)."""
        for root in self.server.roots.values():
            pending = set(self._background(root))
            if pending:
                self._refresh(root, [min(pending)])
                return len(pending)
        return 0

    def _refresh(self, root: Root, pipelines: Iterable[str]) -> None:
        """Brings those of `pipelines` that are stale up to date, counting the analyses it took."""
        before = root.engine.analysed
        self.note(root, root.engine.refresh(pipelines))
        self.analysed += root.engine.analysed - before

    # --- publishing ----------------------------------------------------------------------
    def publish_affected(self) -> None:
        """Publishes every open (or still shown) document whose diagnostics may have changed."""
        server = self.server
        if server.pull_diagnostics:
            if self.affected and server.pull_refresh:
                server.refresh_pulled()
            self.affected.clear()
            return
        affected, self.affected = self.affected, set()
        for key in sorted(affected):
            uri = self.tracked.get(key)
            root = server.roots.get(key[0])
            if uri is None or root is None:
                continue
            if root.ready or key[1] in root.engine.pipelines:
                self.publish(uri, root, key[1])
            else:
                self.affected.add(key)
        self._report_config_problems()

    def publish(self, uri: str, root: Root, path: str) -> None:
        """Sends the document's diagnostics unless the client already has exactly these for this version."""
        server = self.server
        if server.pull_diagnostics:
            return
        version = self._version(uri)
        document = server.documents.get(uri)
        analysed = root.engine.workspace.buffers.get(path)
        if document is not None and analysed is not document.text and analysed != document.text:
            self.affected.add((root.path, path))  # a change not analysed yet: published once it is
            return
        diagnostics = document_diagnostics(root, path, server.converter(root))
        if self.published.get(uri) == (version, diagnostics):
            return
        is_open = uri in server.documents
        if not is_open and not diagnostics:
            self.tracked.pop((root.path, path), None)  # closed and clean: no longer shown
            if not self.published.pop(uri, (None, []))[1]:
                return
        else:
            self.published[uri] = (version, diagnostics)
        server.publish(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    def _version(self, uri: str) -> int | None:
        document = self.server.documents.get(uri)
        return document.version if document is not None else None

    def _report_config_problems(self) -> None:
        for root in self.server.roots.values():
            for result in root.engine.results.values():
                for path, problems in result.config_problems.items():
                    self.server.show_once(path, f"kaniko-lsp: {path}: {'; '.join(problems)} (defaults used)")

