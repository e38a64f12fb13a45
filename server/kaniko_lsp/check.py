"""`kaniko-lsp check`: analyse files or directories, print the findings, optionally fix them."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from .analysis import Result, analyze
from .config import Config, parse_config
from .edits import apply, preferred_edits, write_atomically
from .model import Finding, Severity
from .report import json_report, sarif_report, text_report
from .report.positions import PositionEncoder
from .rules import RULES
from .status import EXIT_CLEAN, EXIT_FINDINGS
from .workspace import Workspace, looks_like_pipeline


@dataclass
class Target:
    """One PATH argument: the workspace it belongs to and, for a file, which findings to keep."""

    workspace: Workspace
    file: str | None = None
    config: Config | None = None
    jobs: int = 1

    def run(self) -> Result:
        if self.file is None:
            return analyze(self.workspace, config=self.config, jobs=self.jobs)
        text = self.workspace.read(self.file) or ""
        if looks_like_pipeline(self.file.rsplit("/", 1)[-1], text):
            return analyze(self.workspace, [self.file], self.config)
        result = analyze(self.workspace, config=self.config, jobs=self.jobs)
        result.findings = [f for f in result.findings if self._touches(f)]
        return result

    def _touches(self, finding: Finding) -> bool:
        paths = {finding.location.path, *(r.location.path for r in finding.related)}
        return self.file in paths


def _repository_root(path: Path) -> Path:
    for parent in [path.parent, *path.parent.parents]:
        if (parent / ".git").exists():
            return parent
    return path.parent


def _target(argument: str) -> Target:
    path = Path(argument)
    if path.is_dir():
        return Target(Workspace(path))
    if path.is_file():
        workspace = Workspace(_repository_root(path.resolve()))
        return Target(workspace, workspace.relative(path))
    raise FileNotFoundError(f"{argument}: no such file or directory")


def _fix(target: Target) -> int:
    """Applies every finding's preferred fix; returns how many files changed."""
    changed = 0
    for path, edits in preferred_edits(target.run().findings).items():
        original = target.workspace.read(path)
        if original is None:
            continue
        updated = apply(original, edits)
        if updated != original:
            write_atomically(target.workspace.absolute(path), updated)
            target.workspace.forget(path)
            changed += 1
    return changed


def _explicit_config(path: str | None) -> Config | None:
    if path is None:
        return None
    config, problems = parse_config(Path(path).read_text(encoding="utf-8"), set(RULES))
    for problem in problems:
        print(f"kaniko-lsp: {path}: {problem} (default used)", file=sys.stderr)
    return config


def run(arguments: argparse.Namespace) -> int:
    config = _explicit_config(arguments.config)
    targets = [_target(p) for p in arguments.paths or ["."]]
    for target in targets:
        target.config = config
        target.jobs = arguments.jobs
    if arguments.fix:
        fixed = sum(_fix(t) for t in targets)
        print(f"kaniko-lsp: fixed {fixed} file{'s' if fixed != 1 else ''}", file=sys.stderr)
    status = EXIT_CLEAN
    documents = []
    sarif_parts: list[tuple[list[Finding], PositionEncoder]] = []
    for target in targets:
        result = target.run()
        for path, problems in result.config_problems.items():
            for problem in problems:
                print(f"kaniko-lsp: {path}: {problem} (default used)", file=sys.stderr)
        if any(f.severity in (Severity.ERROR, Severity.WARNING) for f in result.findings):
            status = EXIT_FINDINGS
        encoder = PositionEncoder(target.workspace.read)
        if arguments.format == "json":
            documents.append(json_report.render(result.findings, encoder, result.unreadable,
                                                result.syntax_problems))
        elif arguments.format == "sarif":
            sarif_parts.append((result.findings, encoder))
        else:
            prefix = "" if len(targets) == 1 or target.file else f"{target.workspace.root}/"
            rendered = text_report.render(result.findings, encoder, result.unreadable, prefix,
                                          result.syntax_problems)
            if rendered:
                documents.append(rendered)
    if arguments.format == "json" and len(documents) > 1:
        documents = [json_report.merge(documents)]
    if arguments.format == "sarif":
        documents = [sarif_report.render(sarif_parts)]
    if documents:
        print("\n".join(documents))
    return status
