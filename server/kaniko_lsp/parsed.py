"""Parse results by file, reused for as long as the file's text is unchanged.

One entry per path: a new text replaces the entry of the old one, so the cache holds the current
version of each file and never its history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from .argo import read_argo
from .config import Config, file_pragmas, parse_config, pragma_lines
from .dockerfile.effects import BuildEffects
from .dockerfile.effects import analyze as analyze_effects
from .dockerfile.parse import Dockerfile
from .dockerfile.parse import parse as parse_dockerfile
from .gitlab import included_files, local_includes, read_gitlab
from .jenkins.pipeline import Pipeline, read_pipeline
from .kube import PodYaml, read_pod
from .launched import YamlSource, compose
from .tekton import Definitions, definitions, read_tekton, references
from .text import Embedded
from .workloads import read_workloads
from .workspace import Workspace, looks_like_gitlab_ci, looks_like_tekton

T = TypeVar("T")


@dataclass
class _ByText(Generic[T]):
    """Values computed from a file's text, one per path."""

    compute: Callable[[str, str], T]
    entries: dict[str, tuple[str, T]] = field(default_factory=dict)
    replaced: Callable[[str], None] = lambda _path: None
    """Called when a path's text changed, before its new value is computed."""

    def get(self, path: str, text: str) -> T:
        entry = self.entries.get(path)
        if entry is None or (entry[0] is not text and entry[0] != text):
            if entry is not None:
                self.replaced(path)
            entry = (text, self.compute(path, text))
            self.entries[path] = entry
        return entry[1]


ROOT_CI = ".gitlab-ci.yml"
"""The project's GitLab CI file (GitLab's default place)."""


def _is_gitlab_ci(path: str, text: str) -> bool:
    return path.endswith((".yaml", ".yml")) and not looks_like_tekton(text) and "argoproj.io/" not in text \
        and looks_like_gitlab_ci(path.rsplit("/", 1)[-1], text)


class TektonNames(NamedTuple):
    defined: Definitions
    """The Tasks, ClusterTasks and Pipelines a Tekton file defines."""
    referred: set[tuple[str, str]]
    """What it refers to by name and does not define itself."""


def _tekton_names(path: str, text: str) -> TektonNames:
    source = YamlSource(path, text)
    documents = compose(source, Pipeline(path))
    defined = definitions(source, documents)
    return TektonNames(defined, references(source, documents, defined))


def _read_any_pipeline(path: str, text: str) -> Pipeline:
    """A Jenkins pipeline, or the kaniko containers of Tekton resources, Argo workflows, GitLab CI jobs or
    Kubernetes workloads in a YAML file."""
    if not path.endswith((".yaml", ".yml")):
        return read_pipeline(path, text)
    if looks_like_tekton(text):
        return read_tekton(path, text)
    if "argoproj.io/" in text:
        return read_argo(path, text)
    if looks_like_gitlab_ci(path.rsplit("/", 1)[-1], text):
        return read_gitlab(path, text)
    return read_workloads(path, text)


@dataclass(frozen=True)
class Pragmas:
    """The suppression comments of a file: rules by the line they apply to, and file-wide rules."""

    lines: dict[int, set[str]]
    whole_file: frozenset[str]


class ParseCache:
    """Every parse and per-file derivation the analysis needs, keyed by path and checked against the text."""

    def __init__(self, known_rules: set[str]) -> None:
        self.pipelines = _ByText(_read_any_pipeline, replaced=self._drop_effects)
        self.includes = _ByText(lambda _path, text: local_includes(text))
        self.tekton_names = _ByText(_tekton_names)
        self.merged: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], Pipeline]] = {}
        """Files read with other files (GitLab includes, Tekton references), by path: (the texts, the
        pipeline)."""
        self.dockerfiles = _ByText(lambda path, text: parse_dockerfile(Embedded.whole(path, text)),
                                   replaced=self._drop_effects)
        self.pods = _ByText(lambda path, text: read_pod(Embedded.whole(path, text)))
        self.pragmas = _ByText(lambda _path, text: Pragmas(pragma_lines(text), frozenset(file_pragmas(text))))
        self.configs = _ByText(lambda _path, text: parse_config(text, known_rules))
        self.effects: dict[tuple[str, int, str | None, tuple[tuple[str, str], ...]],
                           tuple[Dockerfile, BuildEffects]] = {}

    def pipeline(self, path: str, text: str, workspace: Workspace | None = None) -> Pipeline:
        """The pipeline of a file. With the `workspace` (read on every call, so that a recording notes what
        was read as inputs), what a file refers to in other files is followed: a GitLab CI file is merged
        with the local files it includes, and a file the project's `.gitlab-ci.yml` includes has no jobs of
        its own (they run, and are read, in that pipeline); a Tekton `taskRef` or `pipelineRef` is looked
        up in the repository's YAML files."""
        if workspace is None or not path.endswith((".yaml", ".yml")):
            return self.pipelines.get(path, text)
        if looks_like_tekton(text):
            return self._tekton(path, text, workspace)
        if not _is_gitlab_ci(path, text):
            return self.pipelines.get(path, text)
        read = workspace.read
        if path != ROOT_CI and (root := read(ROOT_CI)) is not None and \
                any(name == path for name, _ in included_files(ROOT_CI, root, read, self.includes.get, workspace.glob)):
            return Pipeline(path)
        if "include" in text:
            included = tuple(included_files(path, text, read, self.includes.get, workspace.glob))
            if included:
                return self._with_inputs(path, text, included, lambda: read_gitlab(path, text, included))
        return self.pipelines.get(path, text)

    def _tekton(self, path: str, text: str, workspace: Workspace) -> Pipeline:
        """A Tekton file with the Tasks and Pipelines it names, directly or through a Pipeline it names,
        from other files of the repository; a Task it defines that another file names is read there."""
        own = self.tekton_names.get(path, text)
        tasks = {key for key in own.defined if key[0] != "Pipeline"}
        if not own.referred and not tasks:
            return self.pipelines.get(path, text)
        others = []  # every other Tekton file: a Pipeline found there may name more, a run may name a Task here
        for other in workspace.glob("**/*.yaml") + workspace.glob("**/*.yml"):
            content = workspace.read(other) if other != path else None
            if content is not None and "tekton.dev/" in content:
                others.append((other, content))
        found: Definitions = {}
        if own.referred:
            for other, content in others:
                for key, specs in self.tekton_names.get(other, content).defined.items():
                    found.setdefault(key, []).extend(specs)
        used = frozenset(key for other, content in others for key in self.tekton_names.get(other, content).referred
                         if key in tasks)
        return self._with_inputs(path, text, tuple(others),
                                 lambda: read_tekton(path, text, lambda kind, name: found.get((kind, name), []), used))

    def _with_inputs(self, path: str, text: str, others: tuple[tuple[str, str], ...],
                     read: Callable[[], Pipeline]) -> Pipeline:
        """The pipeline of a file read with other files, kept while its text and theirs are unchanged."""
        entry = self.merged.get(path)
        if entry is None or entry[0] != (text, others):
            entry = ((text, others), read())
            self.merged[path] = entry
        return entry[1]

    def dockerfile(self, path: str, text: str) -> Dockerfile:
        return self.dockerfiles.get(path, text)

    def pod(self, path: str, text: str) -> PodYaml:
        return self.pods.get(path, text)

    def config(self, path: str, text: str) -> tuple[Config, list[str]]:
        return self.configs.get(path, text)

    def build_effects(self, dockerfile: Dockerfile, target: str | None, build_args: dict[str, str]) -> BuildEffects:
        """The effects of a Dockerfile built with a target and build arguments, shared by every build of the
        same parsed Dockerfile with the same settings."""
        source = dockerfile.source
        key = (source.path, source.host_offset(0), target, tuple(sorted(build_args.items())))
        entry = self.effects.get(key)
        if entry is None or entry[0] is not dockerfile:
            entry = (dockerfile, analyze_effects(dockerfile, target, build_args))
            self.effects[key] = entry
        return entry[1]

    def _drop_effects(self, path: str) -> None:
        """Forgets the effects of the Dockerfiles of a file whose text changed (keyed by where each one
        starts in it, they would otherwise pile up, each holding a whole old text)."""
        self.effects = {k: v for k, v in self.effects.items() if k[0] != path}

    def forget(self, path: str) -> None:
        """Drops what was derived from a file that no longer exists."""
        for cache in (self.pipelines, self.dockerfiles, self.pods, self.pragmas, self.configs):
            cache.entries.pop(path, None)
        self._drop_effects(path)
