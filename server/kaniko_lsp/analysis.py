"""Linking pipelines to the Dockerfiles their kaniko builds use, then running every rule.

Parsing is cached by content, so re-analysing a workspace after one edit only re-reads that file.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .config import Config, ConfigResolver, file_pragmas, pragma_lines
from .dockerfile.effects import analyze as analyze_effects
from .dockerfile.parse import Dockerfile
from .dockerfile.parse import parse as parse_dockerfile
from .jenkins.pipeline import KanikoBuild, Pipeline, read_pipeline
from .jenkins.plugin import assemble
from .jenkins.templates import LoadYaml, resolve
from .kaniko import workspace_path
from .linked import DockerfileUse, LinkedBuild, PipelineAnalysis
from .model import Finding, Location
from .rules import RULES, run_rules
from .text import Embedded
from .workspace import Unreadable, Workspace


@lru_cache(maxsize=256)
def _pipeline(path: str, text: str) -> Pipeline:
    return read_pipeline(path, text)


@lru_cache(maxsize=256)
def _dockerfile_from_disk(path: str, text: str) -> Dockerfile:
    return parse_dockerfile(Embedded.whole(path, text))


def _dockerfile_candidates(build: KanikoBuild) -> tuple[list[str], str | None]:
    """Workspace paths kaniko would try for the Dockerfile, in order, or the reason none is known."""
    context_flag = build.call.last("--context")
    dockerfile_flag = build.call.last("--dockerfile")
    context: str | None = None
    if context_flag is not None:
        if "://" in context_flag.value and not context_flag.value.startswith("dir://"):
            return [], f"the build context {context_flag.value} is remote"
        context = workspace_path(context_flag.value, build.cwd)
    name = dockerfile_flag.value if dockerfile_flag is not None else "Dockerfile"
    direct = workspace_path(name, build.cwd)
    candidates = [direct] if direct is not None else []
    if context is not None and not name.startswith("/") and "$" not in name and "`" not in name:
        candidates.append(posixpath.normpath(posixpath.join(context, name)))
    if not candidates:
        return [], f"the Dockerfile path {name} cannot be resolved statically"
    return list(dict.fromkeys(c for c in candidates if not c.startswith(".."))), None


def _yaml_loader(workspace: Workspace) -> LoadYaml:
    def load(path: str) -> Embedded | None:
        text = workspace.read(path)
        return Embedded.whole(path, text) if text is not None else None

    return load


def link(workspace: Workspace, pipeline: Pipeline) -> PipelineAnalysis:
    analysis = PipelineAnalysis(pipeline)
    load = _yaml_loader(workspace)
    for spec in pipeline.specs:
        resolved = resolve(spec, load)
        analysis.pods[id(spec)] = assemble(resolved.template)
        analysis.yaml_errors.extend(resolved.yaml_errors)
    for build in pipeline.builds:
        candidates, reason = _dockerfile_candidates(build)
        use = None
        for candidate in candidates:
            written = pipeline.written.get(candidate)
            if written is not None:
                dockerfile = parse_dockerfile(written.content)
            else:
                text = workspace.read(candidate)
                if text is None:
                    continue
                dockerfile = _dockerfile_from_disk(candidate, text)
            target = build.call.last("--target")
            build_args = dict(v.value.partition("=")[::2] for v in build.call.flags.get("--build-arg", [])
                              if "=" in v.value)
            effects = analyze_effects(dockerfile, target.value if target else None, build_args)
            use = DockerfileUse(candidate, dockerfile, effects)
            break
        if use is None and reason is None:
            reason = f"no Dockerfile found at {' or '.join(candidates)}"
        analysis.builds.append(LinkedBuild(build, analysis.pod(build.spec), use, None if use else reason))
    return analysis


@dataclass
class Result:
    findings: list[Finding]
    analyses: list[PipelineAnalysis]
    unreadable: dict[str, str]
    config_problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def syntax_problems(self) -> list[tuple[Location, str]]:
        """Places the Groovy reader skipped: reported so users know what was not analyzed."""
        return [(p.location, p.message) for a in self.analyses for p in a.pipeline.problems]


def analyze(workspace: Workspace, pipelines: list[str] | None = None, config: Config | None = None) -> Result:
    """Runs every enabled rule over the given pipelines (default: all pipelines of the workspace).

    `config` replaces the `.kaniko-lsp.yaml` files of the workspace when given.
    """
    configs = ConfigResolver(workspace.read, set(RULES), config)
    analyses: list[PipelineAnalysis] = []
    for path in workspace.pipelines() if pipelines is None else pipelines:
        text = workspace.read(path)
        if text is None:
            continue
        try:
            analysis = link(workspace, _pipeline(path, text))
        except Exception as error:  # one unreadable pipeline must not hide the others
            workspace.unreadable[path] = Unreadable(path, f"not analyzed: internal error {error!r}")
            continue
        analysis.preferred_working_dirs = configs.for_path(path)[0].preferred_working_dirs
        analyses.append(analysis)
    findings = _configured([f for a in analyses for f in run_rules(a)], analyses, workspace, configs)
    findings.sort(key=lambda f: (f.location.path, f.location.range, f.rule))
    unreadable = {u.path: u.reason for u in workspace.unreadable.values()}
    return Result(findings, analyses, unreadable, configs.problems)


def _suppressed_lines(workspace: Workspace,
                      analyses: list[PipelineAnalysis]) -> Callable[[str], dict[int, set[str]]]:
    """Per file (asked by path) and line, the rules a `kaniko-lsp ignore=` comment suppresses there; a
    Dockerfile pragma covers every line of the instruction after it, line -1 holds file-wide rules."""
    lines: dict[str, dict[int, set[str]]] = {}

    def of(path: str) -> dict[int, set[str]]:
        if path not in lines:
            text = workspace.read(path)
            lines[path] = pragma_lines(text) if text is not None else {}
            whole_file = file_pragmas(text) if text is not None else set()
            if whole_file:
                lines[path][-1] = whole_file
        return lines[path]

    for analysis in analyses:
        of(analysis.pipeline.path)
        for build in analysis.builds:
            if build.use is None:
                continue
            dockerfile = build.use.dockerfile
            suppressed = of(dockerfile.source.path)
            instructions = [i for s in dockerfile.stages for i in s.instructions] + dockerfile.preamble
            for instruction in instructions:
                span = dockerfile.source.location(instruction.start, instruction.end).range
                rules = suppressed.get(span.start.line)
                for line in range(span.start.line + 1, span.end.line + 1) if rules else ():
                    suppressed.setdefault(line, set()).update(rules)
    return of


def _configured(findings: list[Finding], analyses: list[PipelineAnalysis], workspace: Workspace,
                configs: ConfigResolver) -> list[Finding]:
    """Findings left after config `ignore`/`ignorePaths` and suppression comments, with severities set."""
    suppressed = _suppressed_lines(workspace, analyses)
    kept = []
    for finding in findings:
        path = finding.location.path
        config, base = configs.for_path(path)
        if finding.rule in config.ignore or config.ignores_path(path, base):
            continue
        in_file = suppressed(path)
        if finding.rule in in_file.get(finding.location.range.start.line, set()) | in_file.get(-1, set()):
            continue
        severity = config.severity.get(finding.rule)
        kept.append(dataclasses.replace(finding, severity=severity) if severity else finding)
    return kept
