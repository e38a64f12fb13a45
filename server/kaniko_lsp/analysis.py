"""Analysing a workspace in one go (the command line, tests and scripts): every pipeline, every rule.

The same engine serves the language server, which keeps it and updates it as files change.
"""

from __future__ import annotations

from .config import Config
from .engine import Engine, Result
from .workspace import Workspace

__all__ = ["Result", "analyze"]


def analyze(workspace: Workspace, pipelines: list[str] | None = None, config: Config | None = None) -> Result:
    """Runs every enabled rule over the given pipelines (default: all pipelines of the workspace).

    `config` replaces the `.kaniko-lsp.yaml` files of the workspace when given.
    """
    engine = Engine(workspace, config)
    if pipelines is None:
        engine.scan()
    return engine.result(pipelines)
