"""Analysing a workspace in one go (the command line, tests and scripts): every pipeline, every rule,
optionally spread over several processes.

The same engine serves the language server, which keeps it and updates it as files change.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .config import Config
from .engine import Engine, Result
from .result_cache import ResultCache
from .unit import PipelineResult
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
    engine.cache = cache
    scanned = pipelines is None
    if pipelines is None:
        engine.scan()
        pipelines = sorted(engine.pipelines)
    engine.add_pipelines(pipelines)
    stale = [p for p in pipelines if not engine.reuse(p)]
    jobs = min(jobs, len(stale) // PIPELINES_PER_PROCESS)
    if jobs > 1:
        import multiprocessing  # here: loading process pools costs 17 ms a run with one job does not need
        from concurrent.futures import ProcessPoolExecutor

        chunks = [stale[n::jobs] for n in range(jobs)]
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else None)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                 initargs=(workspace.root, dict(workspace.buffers), config)) as pool:
            for chunk in pool.map(_analyze_chunk, chunks):
                for analysed in chunk:
                    engine.adopt(analysed)
    result = engine.result(pipelines)
    if cache is not None:
        if scanned:
            cache.keep_only(set(pipelines))
        engine.save_cache()
    return result


_worker: Engine | None = None


def _start_worker(root: Path, buffers: dict[str, str], config: Config | None) -> None:
    global _worker
    _worker = Engine(Workspace(root, dict(buffers)), config)


def _analyze_chunk(pipelines: list[str]) -> list[PipelineResult]:
    """The results of some pipelines, without their analyses (which stay in the worker)."""
    assert _worker is not None
    _worker.result(pipelines)
    return [dataclasses.replace(_worker.results[p], analysis=None) for p in pipelines]
