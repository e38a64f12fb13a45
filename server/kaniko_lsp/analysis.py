"""Analysing a workspace in one go (the command line, tests and scripts): every pipeline, every rule,
optionally spread over several processes.

The same engine serves the language server, which keeps it and updates it as files change.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .config import Config
from .engine import Engine, Result, finding_order
from .linked import PipelineAnalysis
from .result_cache import PipelinePart, ResultCache, input_digest
from .workspace import Workspace

__all__ = ["Result", "analyze"]

PIPELINES_PER_PROCESS = 16
"""Fewer pipelines than this per extra process are analysed in this process (starting one costs more)."""


def analyze(workspace: Workspace, pipelines: list[str] | None = None, config: Config | None = None,
            jobs: int = 1, cache: ResultCache | None = None) -> Result:
    """Runs every enabled rule over the given pipelines (default: all pipelines of the workspace).

    `config` replaces the `.kaniko-lsp.yaml` files of the workspace when given. With `jobs` > 1 the
    pipelines are shared among that many processes; the result is the same as with one. With a `cache`,
    a pipeline whose inputs are unchanged since it was stored there is not analysed again (it then has no
    entry in `Result.analyses`), and what is analysed is stored.
    """
    engine = Engine(workspace, config)
    scanned = pipelines is None
    if pipelines is None:
        engine.scan()
        pipelines = sorted(engine.pipelines)
    parts: dict[str, PipelinePart] = {}
    if cache is not None:
        parts = {p: part for p in pipelines if (part := cache.reuse(workspace, p)) is not None}
    stale = [p for p in pipelines if p not in parts]
    jobs = min(jobs, len(stale) // PIPELINES_PER_PROCESS)
    analyses: list[PipelineAnalysis] = []
    if jobs <= 1:
        if cache is None:
            return engine.result(pipelines)
        analyses = engine.result(stale).analyses
        parts.update((p, _part(engine, p, digests=True)) for p in stale)
    else:
        chunks = [stale[n::jobs] for n in range(jobs)]
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else None)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                 initargs=(workspace.root, dict(workspace.buffers), config)) as pool:
            for chunk in pool.map(_analyze_chunk, chunks, [cache is not None] * jobs):
                parts.update(chunk)
    if cache is not None:
        for pipeline in stale:
            cache.store(pipeline, parts[pipeline])
        if scanned:
            cache.keep_only(set(pipelines))
        cache.save()
    return _merge(parts, pipelines, analyses)


_worker: Engine | None = None


def _start_worker(root: Path, buffers: dict[str, str], config: Config | None) -> None:
    global _worker
    _worker = Engine(Workspace(root, dict(buffers)), config)


def _analyze_chunk(pipelines: list[str], digests: bool) -> list[tuple[str, PipelinePart]]:
    assert _worker is not None
    _worker.result(pipelines)
    return [(p, _part(_worker, p, digests)) for p in pipelines]


def _part(engine: Engine, pipeline: str, digests: bool) -> PipelinePart:
    result = engine.results[pipeline]
    inputs = {p: input_digest(engine.workspace, p) for p in sorted(result.inputs)} if digests else {}
    return PipelinePart(result.findings, result.unreadable, result.config_problems, result.problems, inputs)


def _merge(parts: dict[str, PipelinePart], pipelines: list[str], analyses: list[PipelineAnalysis]) -> Result:
    chosen = [parts[p] for p in pipelines]
    findings = sorted({f: None for part in chosen for f in part.findings}, key=finding_order)
    unreadable = dict(sorted({p: r for part in chosen for p, r in part.unreadable.items()}.items()))
    config_problems = dict(sorted({p: c for part in chosen for p, c in part.config_problems.items()}.items()))
    problems = sorted({p: None for part in chosen for p in part.problems}, key=lambda p: (p[0].path, p[0].range, p[1]))
    return Result(findings, analyses, unreadable, config_problems, problems, sorted(pipelines))
