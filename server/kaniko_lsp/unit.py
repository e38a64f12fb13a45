"""One pipeline, the unit of analysis: read it, link it to its pods and Dockerfiles, run every rule,
apply the project's configuration and suppression comments, and record every path it read.

`analyze_pipeline` is a pure function of the workspace files it reads; those reads (including files
looked for and not found) are its inputs, so the result stays valid until one of them changes.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass, field

from .config import Config, ConfigResolver, GitlabRunner
from .jenkins.pipeline import JOB, KanikoBuild, Pipeline
from .jenkins.plugin import assemble
from .jenkins.templates import resolve
from .kaniko import workspace_path, workspace_pattern
from .kube import PodYaml
from .linked import DockerfileUse, LinkedBuild, PipelineAnalysis
from .model import DEFAULT_WORKING_DIR, Finding, Location, Mount, MountSource, Pod
from .parsed import ParseCache, Pragmas
from .rules import run_rules
from .workspace import Workspace, glob_matches

MISSING = -1
"""The fingerprint of an input that does not exist or could not be read."""


@dataclass
class PipelineResult:
    """Everything the analysis of one pipeline found, with the inputs it depends on."""

    path: str
    inputs: dict[str, int]
    """Each path read, with a fingerprint of the text read (`MISSING` when there was none)."""
    analysis: PipelineAnalysis | None
    findings: list[Finding] = field(default_factory=list)
    problems: list[tuple[Location, str]] = field(default_factory=list)
    """Places of the pipeline the Groovy reader had to skip."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """Inputs that exist but could not be read, with the reason."""
    config_problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def files(self) -> set[str]:
        """Files this result says something about."""
        return ({f.location.path for f in self.findings} | {location.path for location, _ in self.problems}
                | set(self.unreadable))


def fingerprint(text: str | None) -> int:
    return MISSING if text is None else hash(text) & 0x7FFFFFFFFFFFFFFF


def input_fingerprint(workspace: Workspace, path: str) -> int:
    """The fingerprint of an input as it is now: a file's text, or the paths a listing matches."""
    return fingerprint(workspace.read_input(path))


def dockerfile_candidates(build: KanikoBuild) -> tuple[list[str], str | None]:
    """Workspace paths kaniko would try for the Dockerfile, in order (a glob where parts of the path are
    unknown: `images/*/Dockerfile`), or the reason none is known."""
    context_flag = build.call.last("--context")
    dockerfile_flag = build.call.last("--dockerfile")
    context: str | None = None
    if context_flag is not None:
        value = context_flag.value
        if "://" in value and not value.startswith("dir://"):
            return [], f"the build context {value} is remote"
        sub_path = build.call.last("--context-sub-path")
        if sub_path is not None and value.startswith("dir://"):  # kaniko applies it to every scheme://
            value = posixpath.join(value, sub_path.value)
        context = workspace_path(value, build.cwd) or workspace_pattern(value, build.cwd)
    name = dockerfile_flag.value if dockerfile_flag is not None else "Dockerfile"
    direct = workspace_path(name, build.cwd) or workspace_pattern(name, build.cwd)
    candidates = [direct] if direct is not None else []
    if context is not None and not name.startswith("/") and "$" not in name and "`" not in name:
        candidates.append(posixpath.normpath(posixpath.join(context, name)))
    if not candidates:
        return [], f"the Dockerfile path {name} cannot be resolved statically"
    return list(dict.fromkeys(c for c in candidates if not c.startswith(".."))), None


def link(workspace: Workspace, pipeline: Pipeline, parsed: ParseCache) -> PipelineAnalysis:
    """The pipeline with the pod of each template and the Dockerfile of each build."""
    analysis = PipelineAnalysis(pipeline)

    def load(path: str) -> PodYaml | None:
        text = workspace.read(path)
        return parsed.pod(path, text) if text is not None else None

    for spec in pipeline.specs:
        if spec.pod is not None:
            analysis.pods[id(spec)] = spec.pod
            continue
        resolved = resolve(spec, load)
        analysis.pods[id(spec)] = assemble(resolved.template)
        analysis.yaml_errors.extend(resolved.yaml_errors)
    for build in pipeline.builds:
        analysis.builds.extend(_linked(workspace, pipeline, parsed, build, analysis.pod(build.spec)))
    return analysis


def _linked(workspace: Workspace, pipeline: Pipeline, parsed: ParseCache, build: KanikoBuild,
            pod: Pod | None) -> list[LinkedBuild]:
    """The build with the Dockerfile it uses (one copy per Dockerfile a pattern matches), or with the
    reason it cannot be followed."""
    if build.not_followed is not None:
        return [LinkedBuild(build, pod, None, build.not_followed)]
    candidates, reason = dockerfile_candidates(build)
    target = build.call.last("--target")
    build_args = dict(v.value.partition("=")[::2] for v in build.call.flags.get("--build-arg", []) if "=" in v.value)

    def use(path: str) -> DockerfileUse | None:
        written = pipeline.written.get(path)
        if written is not None:
            writer = written.container or (pod.agent_name if pod is not None else None)
            dockerfile = written.dockerfile_in(_workspace_dir(pod, writer))
        else:
            text = workspace.read(path)
            if text is None:
                return None
            dockerfile = parsed.dockerfile(path, text)
        return DockerfileUse(path, dockerfile,
                             parsed.build_effects(dockerfile, target.value if target else None, build_args))

    found: list[LinkedBuild] = []
    for candidate in candidates:
        if "*" in candidate:
            matches = sorted(set(workspace.glob(candidate)) | {p for p in pipeline.written
                                                               if glob_matches(candidate, p)})
            found = [LinkedBuild(build, pod, u, pattern=candidate) for p in matches if (u := use(p)) is not None]
        elif (single := use(candidate)) is not None:
            found = [LinkedBuild(build, pod, single)]
        if found:
            break
    if not found:
        wanted = " or ".join(c if "*" not in c else f"a path matching {c}" for c in candidates)
        return [LinkedBuild(build, pod, None, reason or f"no Dockerfile found at {wanted}")]
    not_checked = _not_checked(pipeline, build, pod)
    for linked in found:
        linked.unresolved = not_checked
    return found


def _not_checked(pipeline: Pipeline, build: KanikoBuild, pod: Pod | None) -> str | None:
    """Why a build whose Dockerfile is known is still not checked (a missing container named by a
    `container` step is reported there, by KL012)."""
    if pod is None:
        return "it does not run in a Kubernetes pod agent (no `agent { kubernetes }` or `podTemplate` encloses it)"
    if pod.template.unreadable:
        return "its pod YAML cannot be parsed (KL010), so its containers are not known"
    if pod.container(build.container) is None and not pod.template.incomplete and not any(
            step.name == build.container and step.spec is build.spec for step in pipeline.container_steps):
        return f"the pod has no container '{build.container}' to run it in"
    return None


def _workspace_dir(pod: Pod | None, container: str | None) -> str | None:
    """The job workspace as an absolute path in `container` (`<workingDir>/workspace/JOB`): the agent's,
    remapped by the container step when the agent works in the plugin default."""
    if pod is None:
        return None
    agent = pod.effective_working_dir(pod.agent)
    own = pod.container(container) if container else None
    base = pod.effective_working_dir(own) if own is not None and agent == DEFAULT_WORKING_DIR else agent
    return posixpath.join(base, "workspace", JOB)


def discover_inputs(workspace: Workspace, path: str, parsed: ParseCache) -> set[str]:
    """The files a pipeline's analysis will read, found without analysing it: the pipeline, its pod YAML
    files, the Dockerfile candidates of its builds and the configuration files above it."""
    with workspace.recording() as read:
        text = workspace.read(path)
        if text is not None:
            pipeline = parsed.pipeline(path, text, workspace)
            for spec in pipeline.specs:
                for fragment in spec.yamls:
                    if fragment.file is not None:
                        workspace.read(fragment.file)
            for build in pipeline.builds:
                for candidate in dockerfile_candidates(build)[0]:
                    if candidate in pipeline.written or workspace.read(candidate) is not None:
                        break
            ConfigResolver(lambda p: _config(workspace, parsed, p)).for_path(path)
    return read


def analyze_pipeline(workspace: Workspace, path: str, parsed: ParseCache,
                     config: Config | None = None) -> PipelineResult:
    """The findings of one pipeline (`config` replaces the `.kaniko-lsp.yaml` files when given)."""
    with workspace.recording() as read:
        text = workspace.read(path)
        result = PipelineResult(path, {}, None)
        if text is not None:
            try:
                _analyze(workspace, path, text, parsed, config, result)
            except Exception as error:  # a defect met on one pipeline must not hide the others, nor pass silently
                result.findings, result.analysis = [], None
                result.unreadable[path] = f"not analyzed: internal error {error!r}"
    result.inputs = {p: input_fingerprint(workspace, p) for p in sorted(read)}
    result.unreadable = {**{p: workspace.unreadable[p].reason for p in read if p in workspace.unreadable},
                         **result.unreadable}
    return result


MAX_NOTES_PER_FILE = 5
"""Places a reader skipped, shown one by one per file; the rest are counted in one more note."""


def capped_problems(problems: list[tuple[Location, str]]) -> list[tuple[Location, str]]:
    """The first `MAX_NOTES_PER_FILE` problems of each file, then one note that counts the others."""
    kept: list[tuple[Location, str]] = []
    extra: dict[str, list[Location]] = {}
    shown: dict[str, int] = {}
    for location, message in sorted(problems, key=lambda p: (p[0].path, p[0].range)):
        if shown.get(location.path, 0) < MAX_NOTES_PER_FILE:
            shown[location.path] = shown.get(location.path, 0) + 1
            kept.append((location, message))
        else:
            extra.setdefault(location.path, []).append(location)
    for locations in extra.values():
        kept.append((locations[0], f"{len(locations)} more places in this file (only the first "
                                   f"{MAX_NOTES_PER_FILE} are listed)"))
    return kept


def _analyze(workspace: Workspace, path: str, text: str, parsed: ParseCache, config: Config | None,
             result: PipelineResult) -> None:
    pipeline = parsed.pipeline(path, text, workspace)
    result.problems = capped_problems([(p.location, p.message) for p in pipeline.problems])
    analysis = link(workspace, pipeline, parsed)
    configs = ConfigResolver(lambda p: _config(workspace, parsed, p), config)
    settings = configs.for_path(path)[0]
    analysis.preferred_working_dirs = settings.preferred_working_dirs
    _with_runner_mounts(analysis, settings.runner)
    result.analysis = analysis
    result.findings = _configured(run_rules(analysis), analysis, workspace, parsed, configs)
    result.config_problems = configs.problems


def _with_runner_mounts(analysis: PipelineAnalysis, runner: GitlabRunner) -> None:
    """GitLab jobs get the mounts of the project's runner (its builds directory and volumes)."""
    replaced: dict[int, Pod] = {}
    for key, pod in list(analysis.pods.items()):
        if pod.template.launcher != "gitlab":
            continue
        runner_mounts = [Mount(p, MountSource.GITLAB_BUILDS if p == runner.builds_dir else MountSource.GITLAB_VOLUME)
                         for p in runner.mounts]
        containers = [dataclasses.replace(c, mounts=[
            *runner_mounts, *(m for m in c.mounts if m.source is not MountSource.GITLAB_BUILDS)])
            for c in pod.containers]
        replaced[id(pod)] = analysis.pods[key] = Pod(pod.template, containers)
    for build in analysis.builds:
        if build.pod is not None and id(build.pod) in replaced:
            build.pod = replaced[id(build.pod)]


def _config(workspace: Workspace, parsed: ParseCache, path: str) -> tuple[Config, list[str]] | None:
    text = workspace.read(path)
    return parsed.config(path, text) if text is not None else None


class _Suppressions:
    """The rules `kaniko-lsp ignore` comments suppress at a place: on its line, in its whole file, or (in a
    Dockerfile) on the instruction holding the line; read per file on first use."""

    def __init__(self, analysis: PipelineAnalysis, workspace: Workspace, parsed: ParseCache) -> None:
        self.analysis, self.workspace, self.parsed = analysis, workspace, parsed
        self.files: dict[str, tuple[Pragmas, list[tuple[int, int, set[str]]]] | None] = {}

    def at(self, location: Location) -> set[str]:
        if location.path not in self.files:
            self.files[location.path] = self._read(location.path)
        found = self.files[location.path]
        if found is None:
            return set()
        pragmas, instructions = found
        line = location.range.start.line
        rules = set(pragmas.whole_file) | pragmas.lines.get(line, set())
        for first, last, suppressed in instructions:
            if first < line <= last:
                rules |= suppressed
        return rules

    def _read(self, path: str) -> tuple[Pragmas, list[tuple[int, int, set[str]]]] | None:
        text = self.workspace.read(path)
        if text is None:
            return None
        pragmas = self.parsed.pragmas.get(path, text)
        instructions = []
        for build in self.analysis.builds if pragmas.lines else ():
            dockerfile = build.use.dockerfile if build.use else None
            if dockerfile is None or dockerfile.source.path != path:
                continue
            for instruction in [*dockerfile.preamble, *(i for s in dockerfile.stages for i in s.instructions)]:
                span = dockerfile.source.location(instruction.start, instruction.end).range
                if span.start.line in pragmas.lines:
                    instructions.append((span.start.line, span.end.line, pragmas.lines[span.start.line]))
        return pragmas, instructions


def _configured(findings: list[Finding], analysis: PipelineAnalysis, workspace: Workspace, parsed: ParseCache,
                configs: ConfigResolver) -> list[Finding]:
    """Findings left after config `ignore`/`ignorePaths` and suppression comments, with severities set."""
    kept = []
    suppressions = _Suppressions(analysis, workspace, parsed)
    dropped: set[tuple[str, Location]] = set()
    for finding in findings:
        path = finding.location.path
        config, base = configs.for_path(path)
        if finding.rule in config.ignore or config.ignores_path(path, base):
            continue
        if finding.rule in suppressions.at(finding.location):
            dropped.add((finding.rule, finding.location))
            continue
        severity = config.severity.get(finding.rule)
        kept.append(dataclasses.replace(finding, severity=severity) if severity else finding)
    # a finding that sums up others goes with them when a comment suppresses all of them
    return [f for f in kept if not f.parts or not all((f.rule, part) in dropped for part in f.parts)]

