"""What the server knows of each workspace root, and what a feature sees of one document."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from ..engine import Engine
    from ..linked import PipelineAnalysis
    from ..model import Finding
    from ..workspace import Workspace
    from .convert import Converter


@dataclass
class Root:
    """A workspace root and its engine: a workspace folder, or the repository of a file opened outside them
    (which is never scanned: its pipelines are the open ones)."""

    path: Path
    engine: Engine
    folder: bool
    indexing: bool = False
    """The initial index of a folder is still running: files that are not pipelines wait for it."""
    indexed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the initial index has run (or was cancelled)."""
    skipped: set[str] = field(default_factory=set)
    """Pipelines a cancelled index left unanalysed: analysed only when a document needs them."""

    @property
    def ready(self) -> bool:
        """Whether diagnostics of any file of the root can be published (the index has run)."""
        return not self.indexing

    def finish_indexing(self) -> None:
        self.indexing = False
        self.indexed.set()

    async def indexed_wait(self) -> None:
        """Waits for the initial index."""
        await self.indexed.wait()


@dataclass
class View:
    """What the features need to answer about one document: its root, path, and the analyses that read it."""

    root: Root
    path: str
    converter: Converter

    @property
    def workspace(self) -> Workspace:
        return self.root.engine.workspace

    @property
    def analyses(self) -> list[PipelineAnalysis]:
        return self.root.engine.analyses_reading(self.path)

    @property
    def findings(self) -> list[Finding]:
        return self.root.engine.findings_in(self.path)


def document_diagnostics(root: Root, path: str, converter: Converter) -> list[types.Diagnostic]:
    """Every finding of one file, plus what the reader had to skip there."""
    from ..model import Location, Position, Range

    engine = root.engine
    found = [converter.diagnostic(f) for f in engine.findings_in(path)]
    found += [converter.not_read(location, message) for location, message in engine.problems_in(path)]
    reason = engine.unreadable_reason(path)
    if reason is not None:
        found.append(converter.not_read(Location(path, Range(Position(0, 0), Position(0, 0))), reason))
    return found
