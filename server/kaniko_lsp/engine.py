"""Incremental analysis of a workspace: inputs -> per-pipeline results, recomputed only when an input changes.

The inputs are the workspace files (editor buffers first, else the disk) and the list of pipeline
files. Each pipeline's result records every path it read; a change to a path marks the pipelines that
read it as stale, and only those are analysed again. A stale pipeline whose inputs turn out to hold the
same texts as before keeps its result. Parse results are shared between pipelines and kept per file
while its text is unchanged. The editor and `kaniko-lsp check` use the same engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import collector
from .config import Config
from .linked import PipelineAnalysis
from .model import Finding, Location
from .parsed import ParseCache
from .result_cache import PipelinePart, ResultCache, input_digest
from .rules import RULES
from .unit import PipelineResult, analyze_pipeline, discover_inputs, input_fingerprint
from .workspace import GLOB, Workspace, glob_matches


@dataclass
class Result:
    """What the analysis of (part of) a workspace found, in a stable order."""

    findings: list[Finding]
    analyses: list[PipelineAnalysis]
    unreadable: dict[str, str]
    config_problems: dict[str, list[str]] = field(default_factory=dict)
    syntax_problems: list[tuple[Location, str]] = field(default_factory=list)
    """Places the Groovy reader skipped: reported so users know what was not analyzed."""
    pipelines: list[str] = field(default_factory=list)
    """The pipelines analysed, readable or not."""


def finding_order(finding: Finding) -> tuple[object, ...]:
    """A total order of findings: by place, then rule and message, then what they point at."""
    location = finding.location
    return (location.path, location.range, finding.rule, finding.message,
            tuple((r.location.path, r.location.range, r.message) for r in finding.related),
            tuple(fix.title for fix in finding.fixes))


class Engine:
    """The dependency graph of one workspace root and the cached results of its pipelines."""

    def __init__(self, workspace: Workspace, config: Config | None = None) -> None:
        self.workspace = workspace
        self.config = config
        self.parsed = ParseCache(set(RULES))
        self.pipelines: set[str] = set()
        """The pipeline files of the workspace (set by `scan` or `add_pipelines`, kept current by `changed`)."""
        self.results: dict[str, PipelineResult] = {}
        self.stale: set[str] = set()
        """Pipelines whose result may be out of date (all of them before their first analysis)."""
        self.readers: dict[str, set[str]] = {}
        """For each path, the pipelines that read it (or will: see `discover`)."""
        self.discovered: dict[str, set[str]] = {}
        """The inputs of pipelines found by `discover` and not analysed yet."""
        self.reporting: dict[str, set[str]] = {}
        """For each file, the pipelines whose results say something about it."""
        self.analysed = 0
        """How many pipeline analyses ran (reused results do not count)."""
        self.affected: set[str] = set()
        """Files whose findings changed since `refresh` last returned them (a removed pipeline's files)."""
        self.cache: ResultCache | None = None
        """Findings kept on disk by an earlier run (`kaniko-lsp check` or the server), reused for a pipeline
        whose inputs are unchanged until an analysis of it is needed (hover, links, a change)."""
        self.from_cache: set[str] = set()
        """Pipelines whose result came from the cache: findings without an analysis."""
        self.unsaved: set[str] = set()
        """Pipelines analysed since the cache was last written."""

    # --- inputs --------------------------------------------------------------------------
    def scan(self) -> None:
        """Finds every pipeline of the workspace on disk."""
        self.add_pipelines(self.workspace.pipelines())

    def add_pipelines(self, paths: Iterable[str]) -> None:
        for path in paths:
            if path not in self.pipelines:
                self.pipelines.add(path)
                self.stale.add(path)

    def set_buffer(self, path: str, text: str) -> bool:
        """An editor holds `text` for `path`; returns whether that changes what the analysis reads."""
        before = self.workspace.read(path)
        self.workspace.buffers[path] = text
        if before is not None and (before is text or before == text):
            self._classify(path)
            return False
        self.changed([path], on_disk=False)
        return True

    def assume_written(self, path: str, text: str) -> None:
        """The file now holds `text` (an edit applied by an editor that does not report it): read it so until
        the disk says otherwise."""
        self.workspace.disk[path] = text
        self.changed([path], on_disk=False)

    def drop_buffer(self, path: str) -> bool:
        """The editor closed `path`: the disk holds it again. Returns whether that changes anything."""
        if path not in self.workspace.buffers:
            return False
        text = self.workspace.buffers.pop(path)
        self.workspace.forget(path)
        after = self.workspace.read(path)
        if after is not None and after == text:
            return False
        self.changed([path], on_disk=False)
        return True

    def changed(self, paths: Iterable[str], on_disk: bool = True) -> set[str]:
        """Files changed, appeared or disappeared; returns the pipelines that must be analysed again."""
        marked: set[str] = set()
        for path in paths:
            if on_disk:
                self.workspace.forget(path)
            marked |= self.readers.get(path, set())
            for listing in [r for r in self.readers if r.startswith(GLOB) and glob_matches(r[len(GLOB):], path)]:
                marked |= self.readers[listing]
            if self._classify(path):
                marked.add(path)
            if not self.workspace.exists(path):
                self.parsed.forget(path)
        marked &= self.pipelines
        self.stale |= marked
        for pipeline in marked & self.discovered.keys():  # what it reads may have changed: look again
            self._forget_discovered(pipeline)
            self.discover(pipeline)
        return marked

    def _classify(self, path: str) -> bool:
        """Adds `path` to the pipelines or drops it from them, by what it is now; True for a pipeline."""
        if self.workspace.exists(path) and self.workspace.is_pipeline(path):
            if path not in self.pipelines:
                self.pipelines.add(path)
                self.stale.add(path)
            return True
        if path in self.pipelines:
            self.pipelines.discard(path)
            self.affected |= self._drop(path)
            self.stale.discard(path)
        return False

    # --- derived results -----------------------------------------------------------------
    def readers_of(self, path: str) -> set[str]:
        """The pipelines whose findings can involve `path`: those that read it (and `path` itself)."""
        found = set(self.readers.get(path, set()))
        if path in self.pipelines:
            found.add(path)
        return found

    @property
    def complete(self) -> bool:
        """Whether every pipeline's inputs are known (then `readers_of` knows every reader of every file)."""
        return all(p in self.results or p in self.discovered for p in self.pipelines)

    def discover(self, pipeline: str) -> None:
        """Learns which files a pipeline reads without analysing it (a cheap first pass over a workspace:
        the full analysis follows when a document needs it or when there is time). A pipeline the cache
        holds unchanged gets its findings from there."""
        if pipeline in self.results or pipeline in self.discovered or self.reuse(pipeline):
            return
        inputs = discover_inputs(self.workspace, pipeline, self.parsed)
        self.discovered[pipeline] = inputs
        for path in inputs:
            self.readers.setdefault(path, set()).add(pipeline)
        collector.keep()

    def refresh(self, only: Iterable[str] | None = None, limit: int | None = None) -> set[str]:
        """Brings stale pipelines up to date (those in `only` when given, at most `limit` of them);
        returns the files whose findings may have changed."""
        chosen = sorted(self.stale if only is None else self.stale.intersection(only))
        if limit is not None:
            chosen = chosen[:limit]
        affected, self.affected = self.affected, set()
        for path in chosen:
            self.stale.discard(path)
            old = self.results.get(path)
            if old is not None and self._unchanged(old):
                continue
            cached = self._cached(path) if old is None else None
            affected |= self._store(cached if cached is not None else self._analyze(path))
        return affected

    def _analyze(self, pipeline: str) -> PipelineResult:
        self.analysed += 1
        self.from_cache.discard(pipeline)
        self.unsaved.add(pipeline)
        result = analyze_pipeline(self.workspace, pipeline, self.parsed, self.config)
        collector.keep()
        return result

    def reuse(self, pipeline: str) -> bool:
        """Takes a pipeline's result from the cache when it holds one whose inputs are unchanged."""
        cached = self._cached(pipeline) if pipeline not in self.results else None
        if cached is not None:
            self.affected |= self._store(cached)
        return cached is not None

    def adopt(self, result: PipelineResult) -> None:
        """Keeps a result analysed in a forked process, as current (its input fingerprints hash alike)."""
        self.stale.discard(result.path)
        self.unsaved.add(result.path)
        self._store(result)

    def _cached(self, pipeline: str) -> PipelineResult | None:
        """The cache's result of a pipeline whose inputs read as when it was stored (no analysis)."""
        part = self.cache.reuse(self.workspace, pipeline) if self.cache is not None else None
        if part is None:
            return None
        self.from_cache.add(pipeline)
        inputs = {p: input_fingerprint(self.workspace, p) for p in part.inputs}
        return PipelineResult(pipeline, inputs, None, part.findings, part.problems, part.unreadable,
                              part.config_problems)

    def save_cache(self) -> None:
        """Writes the results analysed since the last write to the cache."""
        if self.cache is not None:
            self.store_unsaved()
            self.cache.save()

    def store_unsaved(self, limit: int | None = None) -> bool:
        """Puts up to `limit` results analysed since the last write into the cache (those still current:
        never a result of text that changed since); returns whether some are left."""
        if self.cache is None:
            self.unsaved.clear()
            return False
        for pipeline in sorted(self.unsaved)[:limit]:
            self.unsaved.discard(pipeline)
            result = self.results.get(pipeline)
            if result is not None and pipeline not in self.stale and self._unchanged(result):
                self.cache.store(pipeline, PipelinePart(
                    result.findings, result.unreadable, result.config_problems, result.problems,
                    {p: input_digest(self.workspace, p) for p in sorted(result.inputs)}))
        return bool(self.unsaved)

    def _unchanged(self, result: PipelineResult) -> bool:
        """Whether every input of `result` still reads the same (then the result still holds)."""
        for path, before in result.inputs.items():
            if input_fingerprint(self.workspace, path) != before:
                return False
            if (path in self.workspace.unreadable) != (path in result.unreadable):
                return False
        return True

    def _store(self, result: PipelineResult) -> set[str]:
        affected = self._drop(result.path)
        self.results[result.path] = result
        for path in result.inputs:
            self.readers.setdefault(path, set()).add(result.path)
        for path in result.files:
            self.reporting.setdefault(path, set()).add(result.path)
            affected.add(path)
        return affected

    def _unread(self, pipeline: str, paths: Iterable[str]) -> None:
        for path in paths:
            readers = self.readers.get(path)
            if readers is not None:
                readers.discard(pipeline)
                if not readers:
                    del self.readers[path]

    def _forget_discovered(self, pipeline: str) -> None:
        self._unread(pipeline, self.discovered.pop(pipeline, ()))

    def _drop(self, pipeline: str) -> set[str]:
        """Forgets a pipeline's result; returns the files it said something about."""
        self._forget_discovered(pipeline)
        old = self.results.pop(pipeline, None)
        if old is None:
            return set()
        self._unread(pipeline, old.inputs)
        files = old.files
        for path in files:
            reporting = self.reporting.get(path)
            if reporting is not None:
                reporting.discard(pipeline)
                if not reporting:
                    del self.reporting[path]
        return files

    # --- queries -------------------------------------------------------------------------
    def results_about(self, path: str) -> list[PipelineResult]:
        return [self.results[p] for p in sorted(self.reporting.get(path, ()))]

    def findings_in(self, path: str) -> list[Finding]:
        """Every finding located in `path`, each once, in a stable order."""
        found = {f: None for r in self.results_about(path) for f in r.findings if f.location.path == path}
        return sorted(found, key=finding_order)

    def problems_in(self, path: str) -> list[tuple[Location, str]]:
        found = {p: None for r in self.results_about(path) for p in r.problems if p[0].path == path}
        return sorted(found, key=lambda p: (p[0].range, p[1]))

    def unreadable_reason(self, path: str) -> str | None:
        return next((r.unreadable[path] for r in self.results_about(path) if path in r.unreadable), None)

    def analyses_reading(self, path: str) -> list[PipelineAnalysis]:
        """The analyses of the pipelines that read `path` (for hover, links and hints on it); a result taken
        from the cache is analysed now."""
        for pipeline in sorted(self.readers_of(path) & self.from_cache):
            self.affected |= self._store(self._analyze(pipeline))
        results = [self.results.get(p) for p in sorted(self.readers_of(path))]
        return [r.analysis for r in results if r is not None and r.analysis is not None]

    def result(self, pipelines: Iterable[str] | None = None) -> Result:
        """Analyses every stale pipeline (or the given ones) and gathers their findings."""
        chosen = sorted(self.pipelines if pipelines is None else set(pipelines))
        self.add_pipelines(chosen)
        self.refresh(chosen)
        results = [self.results[p] for p in chosen]
        findings = sorted({f: None for r in results for f in r.findings}, key=finding_order)
        unreadable = {p: reason for r in results for p, reason in r.unreadable.items()}
        problems = sorted({p: None for r in results for p in r.problems},
                          key=lambda p: (p[0].path, p[0].range, p[1]))
        config_problems = dict(sorted({p: c for r in results for p, c in r.config_problems.items()}.items()))
        return Result(findings, [r.analysis for r in results if r.analysis is not None],
                      dict(sorted(unreadable.items())), config_problems, problems, chosen)
