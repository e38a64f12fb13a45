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
from .model import Finding, Location
from .workspace import Workspace

__all__ = ["Result", "analyze"]

PIPELINES_PER_PROCESS = 16
"""Fewer pipelines than this per extra process are analysed in this process (starting one costs more)."""


def analyze(workspace: Workspace, pipelines: list[str] | None = None, config: Config | None = None,
            jobs: int = 1) -> Result:
    """Runs every enabled rule over the given pipelines (default: all pipelines of the workspace).

    `config` replaces the `.kaniko-lsp.yaml` files of the workspace when given. With `jobs` > 1 the
    pipelines are shared among that many processes; the result is the same as with one.
    """
    engine = Engine(workspace, config)
    if pipelines is None:
        engine.scan()
        pipelines = sorted(engine.pipelines)
    jobs = min(jobs, len(pipelines) // PIPELINES_PER_PROCESS)
    if jobs <= 1:
        return engine.result(pipelines)
    chunks = [pipelines[n::jobs] for n in range(jobs)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(workspace.root, dict(workspace.buffers), config)) as pool:
        parts = list(pool.map(_analyze_chunk, chunks))
    return _merge(parts, pipelines)


_worker: Engine | None = None

_Part = tuple[list[Finding], dict[str, str], dict[str, list[str]], list[tuple[Location, str]]]


def _start_worker(root: Path, buffers: dict[str, str], config: Config | None) -> None:
    global _worker
    _worker = Engine(Workspace(root, dict(buffers)), config)


def _analyze_chunk(pipelines: list[str]) -> _Part:
    assert _worker is not None
    result = _worker.result(pipelines)
    return result.findings, result.unreadable, result.config_problems, result.syntax_problems


def _merge(parts: list[_Part], pipelines: list[str]) -> Result:
    findings = sorted({f: None for part in parts for f in part[0]}, key=finding_order)
    unreadable = dict(sorted({p: r for part in parts for p, r in part[1].items()}.items()))
    config_problems = dict(sorted({p: c for part in parts for p, c in part[2].items()}.items()))
    problems = sorted({p: None for part in parts for p in part[3]}, key=lambda p: (p[0].path, p[0].range, p[1]))
    return Result(findings, [], unreadable, config_problems, problems, sorted(pipelines))
