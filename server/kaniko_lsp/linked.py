"""A pipeline linked to what it uses: the pods of its templates and the Dockerfile of each kaniko build.

These are the facts every rule reads; `analysis.link` produces them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .dockerfile.effects import BuildEffects, PathEffect
from .dockerfile.parse import Dockerfile
from .jenkins.pipeline import KanikoBuild, Pipeline
from .jenkins.templates import TemplateSpec
from .model import Container, Fix, Location, Mount, Pod


@dataclass
class DockerfileUse:
    """The Dockerfile a build uses: `path` is where kaniko reads it, `dockerfile.source.path` is the
    file that holds its text (the Jenkinsfile itself when a `writeFile` step produced it)."""

    path: str
    dockerfile: Dockerfile
    effects: BuildEffects


@dataclass(frozen=True)
class Conflict:
    """One effect of a build that meets a mount or an ignore-list entry of its container (`conflicts.py`)."""

    rule: str
    effect: PathEffect
    container: Container
    mount: Mount | None = None
    ignored: str | None = None
    """For KL003: the ignore-list entry and why it is there."""


@dataclass
class LinkedBuild:
    build: KanikoBuild
    pod: Pod | None
    use: DockerfileUse | None
    unresolved: str | None = None
    """Why the build is not checked (None when it is)."""
    pattern: str | None = None
    """The glob the Dockerfile's path matched, when parts of the path the pipeline gives are unknown."""
    conflicts: list[Conflict] | None = field(default=None, repr=False)
    """The build's conflicts with its own pod, computed once (see `conflicts.conflicts`)."""


@dataclass
class PipelineAnalysis:
    pipeline: Pipeline
    pods: dict[int, Pod] = field(default_factory=dict)
    """The assembled pod of each template spec, by `id(spec)`."""
    builds: list[LinkedBuild] = field(default_factory=list)
    yaml_errors: list[tuple[Location, str]] = field(default_factory=list)
    fixes: dict[int, Fix | None] = field(default_factory=dict)
    """The working-directory fix of each pod (by `id(pod)`), computed on first use."""
    preferred_working_dirs: tuple[str, ...] = ()

    def pod(self, spec: TemplateSpec | None) -> Pod | None:
        return self.pods.get(id(spec)) if spec is not None else None
