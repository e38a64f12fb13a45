"""The command line: `kaniko-lsp check` for CI and terminals, `kaniko-lsp serve` for editors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .analysis import Result, analyze, default_jobs
from .config import Config, parse_config
from .edits import apply, preferred_edits, write_atomically
from .model import Finding, Severity
from .report import json_report, sarif_report, text_report
from .report.positions import PositionEncoder
from .rules import RULES
from .workspace import Workspace, looks_like_pipeline

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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


def check(arguments: argparse.Namespace) -> int:
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


def serve(arguments: argparse.Namespace) -> int:
    from .lsp.app import start

    start(tcp=arguments.tcp, ws=arguments.ws)
    return EXIT_CLEAN


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="kaniko-lsp", description="Finds Dockerfile changes that kaniko "
                                   "will leave out of the image in Jenkins Kubernetes pipelines.")
    root.add_argument("--version", action="version", version=f"kaniko-lsp {__version__}")
    commands = root.add_subparsers(dest="command")
    check_parser = commands.add_parser("check", help="analyze files or directories and print findings")
    check_parser.add_argument("paths", nargs="*", metavar="PATH",
                              help="a directory (a workspace root) or a file (default: .)")
    check_parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check_parser.add_argument("--fix", action="store_true", help="apply each finding's preferred fix in place")
    check_parser.add_argument("--config", metavar="FILE",
                              help="use this configuration instead of .kaniko-lsp.yaml files")
    check_parser.add_argument("--jobs", "-j", type=_positive, default=default_jobs(), metavar="N",
                              help="analyse pipelines in N processes (default: the number of cores, "
                                   f"{default_jobs()} here); the output does not depend on it")
    check_parser.set_defaults(handler=check)
    serve_parser = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve_parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve_parser.add_argument("--ws", metavar="HOST:PORT", help="listen on a WebSocket instead of stdio")
    serve_parser.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    serve_parser.set_defaults(handler=serve)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.command is None:
        arguments = parser().parse_args(["serve"])
    try:
        return int(arguments.handler(arguments))
    except FileNotFoundError as error:
        print(f"kaniko-lsp: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as error:
        print(f"kaniko-lsp: internal error: {error!r}", file=sys.stderr)
        return EXIT_ERROR
