"""`kaniko-lsp check`: analyse files or directories, print the findings, optionally fix them."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .analysis import Result, analyze
from .config import CONFIG_FILE, Config, parse_config
from .edits import NotWritten, apply, preferred_edits, rewrite
from .model import Finding, Severity, TextEdit
from .report import checkstyle_report, github_report, gitlab_report, json_report, sarif_report, text_report
from .report.output import RANK, Report, visible
from .result_cache import ResultCache, default_directory
from .rules import RULES
from .status import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError
from .workspace import PIPELINE_KINDS, Workspace, is_dockerfile_name, looks_like_pipeline

FAIL_LEVELS = {"error": RANK[Severity.ERROR], "warning": RANK[Severity.WARNING], "info": RANK[Severity.INFO],
               "never": 99}


@dataclass
class Target:
    """One PATH argument: the workspace it belongs to and, for a file, which findings to keep."""

    workspace: Workspace
    file: str | None = None
    config: Config | None = None
    jobs: int = 1
    kind: str = "directory"
    cache_dir: Path | None = None
    """Where findings are kept between runs (None: analyse everything every time)."""

    def run(self) -> Result:
        cache = ResultCache(self.cache_dir, self.workspace, self.config) if self.cache_dir is not None else None
        if self.file is None:
            return analyze(self.workspace, config=self.config, jobs=self.jobs, cache=cache)
        if self.kind == "pipeline":
            return analyze(self.workspace, [self.file], self.config, cache=cache)
        result = analyze(self.workspace, config=self.config, jobs=self.jobs, cache=cache)
        result.findings = [f for f in result.findings if self._touches(f)]
        result.syntax_problems = [p for p in result.syntax_problems if p[0].path == self.file]
        result.unreadable = {p: r for p, r in result.unreadable.items() if p == self.file}
        return result

    def _touches(self, finding: Finding) -> bool:
        paths = {finding.location.path, *(r.location.path for r in finding.related)}
        return self.file in paths


@dataclass
class Options:
    select: set[str] | None = None
    ignore: set[str] = field(default_factory=set)


def _repository_root(path: Path) -> Path:
    for parent in [path.parent, *path.parent.parents]:
        if (parent / ".git").exists():
            return parent
    return path.parent


def _kind(name: str, text: str | None) -> str | None:
    """What a file named on the command line is for kaniko-lsp (None: nothing it reads)."""
    if text is not None and looks_like_pipeline(name, text):
        return "pipeline"
    if is_dockerfile_name(name):
        return "dockerfile"
    if name.endswith((".yaml", ".yml")) or name == CONFIG_FILE:
        return "yaml"
    return None


def _target(argument: str, stdin_name: str | None) -> Target:
    if argument == "-":
        if not stdin_name:
            raise UsageError("reading standard input (`-`) needs --stdin-filename NAME")
        path = Path(stdin_name).resolve()
        workspace = Workspace(_repository_root(path))
        relative = workspace.relative(path)
        if relative is None:
            raise UsageError(f"{stdin_name}: not inside a repository")
        workspace.buffers[relative] = sys.stdin.read()
        kind = _kind(path.name, workspace.buffers[relative])
        if kind is None:
            raise UsageError(f"{stdin_name}: not a pipeline, Dockerfile or pod YAML")
        return Target(workspace, relative, kind=kind)
    path = Path(argument)
    if path.is_dir():
        return Target(Workspace(path))
    if path.is_file():
        workspace = Workspace(_repository_root(path.resolve()))
        relative = workspace.relative(path.resolve())
        assert relative is not None
        kind = _kind(path.name, workspace.read(relative))
        if kind is None:
            raise UsageError(f"{argument}: not a pipeline, Dockerfile or pod YAML (kaniko-lsp reads Jenkinsfiles, "
                             "*.jenkinsfile and pipeline *.groovy files, Dockerfiles and YAML)")
        return Target(workspace, relative, kind=kind)
    raise UsageError(f"{argument}: no such file or directory")


def _explicit_config(path: str | None) -> Config | None:
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--config {path}: {error.strerror or error}") from None
    config, problems = parse_config(text, set(RULES))
    for problem in problems:
        print(f"kaniko-lsp: {path}: {problem} (default used)", file=sys.stderr)
    return config


def _rules(value: str | None, flag: str) -> set[str] | None:
    if value is None:
        return None
    codes = {c.strip().upper() for c in value.split(",") if c.strip()}
    unknown = sorted(codes - set(RULES))
    if unknown:
        raise UsageError(f"{flag}: unknown rule {', '.join(unknown)} (see `kaniko-lsp rules`)")
    return codes


def _filtered(result: Result, options: Options) -> list[Finding]:
    return [f for f in result.findings if (options.select is None or f.rule in options.select)
            and f.rule not in options.ignore]


def _fixes(target: Target, options: Options) -> dict[str, tuple[str, str, list[TextEdit]]]:
    """The text before and after the preferred fixes, and their edits, for each file they change."""
    changes = {}
    for path, edits in preferred_edits(_filtered(target.run(), options)).items():
        original = target.workspace.read(path)
        if original is None:
            continue
        updated = apply(original, edits)
        if updated != original:
            changes[path] = (original, updated, edits)
    return changes


def _shown(target: Target, relative: str) -> str:
    absolute = target.workspace.absolute(relative)
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _diff(targets: list[Target], options: Options) -> int:
    found = False
    for target in targets:
        for path, (before, after, _) in sorted(_fixes(target, options).items()):
            found = True
            name = _shown(target, path)
            sys.stdout.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                                       f"a/{name}", f"b/{name}"))
    return EXIT_FINDINGS if found else EXIT_CLEAN


def _fix(targets: list[Target], options: Options) -> bool:
    """Writes the preferred fixes; False when a file had to be left as it was (each one said on stderr)."""
    fixed, complete = [], True
    for target in targets:
        for path, (original, _, edits) in sorted(_fixes(target, options).items()):
            if target.file is not None and target.workspace.buffers.get(target.file) is not None \
                    and path == target.file:
                continue  # standard input is not a file to write
            try:
                rewrite(target.workspace.absolute(path), original, edits)
            except NotWritten as reason:
                print(f"kaniko-lsp: {visible(_shown(target, path))}: not fixed: {reason}", file=sys.stderr)
                complete = False
                continue
            target.workspace.forget(path)
            fixed.append(_shown(target, path))
    for name in fixed:
        print(f"kaniko-lsp: fixed {visible(name)}", file=sys.stderr)
    print(f"kaniko-lsp: fixed {len(fixed)} file{'s' if len(fixed) != 1 else ''}", file=sys.stderr)
    return complete


def _colour(setting: str) -> bool:
    if setting == "always":
        return True
    if setting == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def run(arguments: argparse.Namespace) -> int:
    config = _explicit_config(arguments.config)
    options = Options(_rules(arguments.select, "--select"), _rules(arguments.ignore, "--ignore") or set())
    if arguments.stdin_filename and arguments.paths and arguments.paths != ["-"]:
        raise UsageError("--stdin-filename goes with `-` as the only PATH")
    targets = [_target(p, arguments.stdin_filename) for p in arguments.paths or ["-" if arguments.stdin_filename
                                                                              else "."]]
    cache_dir = None if arguments.no_cache else Path(arguments.cache_dir or default_directory())
    for target in targets:
        target.config = config
        target.jobs = arguments.jobs
        target.cache_dir = cache_dir
    if arguments.diff:
        return _diff(targets, options)
    complete = _fix(targets, options) if arguments.fix else True
    report = Report(Path.cwd())
    pipelines = 0
    for target in targets:
        result = target.run()
        pipelines += len(result.pipelines) or (1 if target.kind == "pipeline" else 0)
        for path, problems in result.config_problems.items():
            for problem in problems:
                print(f"kaniko-lsp: {path}: {problem} (default used)", file=sys.stderr)
        unreadable = {**result.unreadable, **target.workspace.unlisted}
        report.add(target.workspace.root, target.workspace.read, _filtered(result, options), unreadable,
                   result.syntax_problems, lambda code: RULES[code].url(arguments.docs_url or ""))
    report.sort()
    _print(_render(report, arguments))
    if pipelines and arguments.format == "text" and not arguments.statistics and not report.findings \
            and not report.unreadable and not report.not_read:
        print(f"All clear: {pipelines} pipeline{'s' if pipelines != 1 else ''} checked, no findings.")
    if not pipelines and all(t.file is None for t in targets) and arguments.format == "text":
        print(f"kaniko-lsp: no pipeline found ({PIPELINE_KINDS})", file=sys.stderr)
    status = _status(report, arguments.fail_level)
    return status if complete else EXIT_ERROR


def _render(report: Report, arguments: argparse.Namespace) -> str:
    form = arguments.format
    if arguments.statistics:
        return text_report.statistics(report)
    if form == "json":
        return json_report.render(report)
    if form == "sarif":
        docs = {code: rule.url(arguments.docs_url or "") for code, rule in RULES.items()}
        return sarif_report.render(report, docs)
    if form == "github":
        return github_report.render(report)
    if form == "gitlab":
        return gitlab_report.render(report)
    if form == "checkstyle":
        return checkstyle_report.render(report)
    return text_report.render(report, _colour(arguments.color))


def _status(report: Report, fail_level: str) -> int:
    threshold = FAIL_LEVELS[fail_level]
    if fail_level != "never" and (report.unreadable or report.not_read):
        return EXIT_FINDINGS  # what was not read counts as an error
    return EXIT_FINDINGS if report.worst() >= threshold else EXIT_CLEAN


def _print(text: str) -> None:
    if text:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

