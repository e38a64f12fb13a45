"""Plain data shared by every layer: positions, mounts, containers, pods, builds, findings, fixes.

Positions are 0-based lines and characters counted in Python code points (the adapters convert to
UTF-16 or another negotiated encoding at the edge).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

DEFAULT_WORKING_DIR = "/home/jenkins/agent"
"""The Jenkins Kubernetes plugin's default container working directory (plugin >= 1.18)."""


@dataclass(frozen=True, order=True)
class Position:
    line: int
    character: int


@dataclass(frozen=True, order=True)
class Range:
    start: Position
    end: Position


@dataclass(frozen=True)
class Location:
    """A range inside a file, the file named by its POSIX path relative to the workspace root."""

    path: str
    range: Range


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class TextEdit:
    path: str
    range: Range
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class Related:
    location: Location
    message: str


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    location: Location
    message: str
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = ()
    parts: tuple[Location, ...] = field(default=(), compare=False)
    """For a finding that sums up others (the mount side of KL001/KL002): where those are reported."""


class MountSource(str, enum.Enum):
    """Who puts a mount into the container; shown to users when explaining an ignore-list entry."""

    WORKSPACE = "Jenkins workspace volume at the container's working directory"
    YAML = "volumeMounts of the pod YAML"
    TEMPLATE = "podTemplate volumes"
    KUBERNETES = "added by Kubernetes to every container"
    TEKTON = "Tekton's own volumes in every step"
    TEKTON_WORKSPACE = "a workspace of the Tekton Task"
    GITLAB_BUILDS = "the GitLab Runner's builds volume"
    GITLAB_VOLUME = "a volume of the GitLab Runner (.kaniko-lsp.yaml gitlabRunner)"
    ARGO = "Argo's executor volume in every main container"
    ARGO_ARTIFACT = "an input artifact of the Argo template"


@dataclass(frozen=True)
class Mount:
    path: str
    source: MountSource
    read_only: bool = False
    origin: Location | None = None
    """Where the text that creates the mount is (a mountPath or workingDir value, a container name)."""
    sub_path: bool = False
    """A `subPath` mount: a single file (or directory) mounted from inside a volume."""


@dataclass
class ScalarRef:
    """A YAML or Groovy scalar value with where it sits in the source, for messages and edits."""

    value: str
    location: Location


@dataclass
class Container:
    name: str
    image: str | None = None
    working_dir: ScalarRef | None = None
    mounts: list[Mount] = field(default_factory=list)
    name_ref: ScalarRef | None = None
    declared: bool = True
    """False for the agent container the plugin adds when the pod does not declare it."""
    key_insertion: tuple[Location, str] | None = None
    """Where a `workingDir` setting can be added to this container, and the text to insert there with
    `{}` standing for the path (None when no safe insertion is known, e.g. flow-style YAML)."""
    command: tuple[str, ...] = ()
    """The container's command (its first word matters: `/busybox/cat` needs a debug kaniko image)."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment variables with literal values (KANIKO_DIR matters to kaniko)."""
    inherited_working_dir: ScalarRef | None = None
    """The agent container's workingDir, which the plugin gives a container that has none."""
    from_template: bool = False
    """Built from a `containerTemplate(...)`: it receives the podTemplate `volumes`."""


@dataclass
class PodTemplate:
    """What a pipeline declares for an agent pod (yaml and containerTemplates merged), before the plugin
    adds the agent container, inherits working directories and mounts the workspace."""

    containers: list[Container]
    agent_name: str = "jnlp"
    default_container: str | None = None
    origin: Location | None = None
    automount_service_account_token: bool = True
    volumes: list[Mount] = field(default_factory=list)
    """podTemplate `volumes:`, mounted into containerTemplate containers and an added agent container."""
    agent_injection: bool = False
    incomplete: list[tuple[Location, str]] = field(default_factory=list)
    """Why the pod cannot be known entirely from the workspace (inheritFrom, a controller template...)."""
    unreadable: bool = False
    """Pod YAML of the template cannot be parsed (KL010): the pod is unknown, not empty."""
    launcher: str = "jenkins"
    """What builds the pod: "jenkins" (the Kubernetes plugin: an agent container, the workspace volume at
    every working directory, the `container` step) or "tekton" (one step container, Tekton's volumes)."""


@dataclass
class Pod:
    """An agent pod as the Jenkins Kubernetes plugin would build it."""

    template: PodTemplate
    containers: list[Container]

    @property
    def agent_name(self) -> str:
        return self.template.agent_name

    def container(self, name: str) -> Container | None:
        return next((c for c in self.containers if c.name == name), None)

    @property
    def agent(self) -> Container:
        agent = self.container(self.agent_name)
        assert agent is not None, "assemble() always adds the agent container"
        return agent

    def working_dir(self, container: Container) -> ScalarRef | None:
        """The container's own workingDir, else the one it inherited from the agent container."""
        return container.working_dir or container.inherited_working_dir

    def effective_working_dir(self, container: Container) -> str:
        ref = self.working_dir(container)
        return ref.value if ref else DEFAULT_WORKING_DIR
