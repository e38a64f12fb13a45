"""Pod templates as a pipeline declares them, and how the plugin merges them into one pod.

A `TemplateSpec` is what the Jenkinsfile says (yaml fragments, containerTemplates, volumes...), with
nesting already applied. `resolve` reads the yaml fragments and merges everything the way
PodTemplateBuilder does: the yaml pod is the parent, containerTemplates are the child (the child wins
on scalars, mounts are merged by mountPath), and yaml fragments are either overridden (only the last
one counts) or merged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from ..kube import PodYaml, read_pod
from ..model import Container, Location, Mount, Pod, PodTemplate, ScalarRef
from ..text import Embedded


@dataclass
class YamlFragment:
    """One `yaml` of a template: inline text, a repository file, or something unknowable."""

    inline: Embedded | None = None
    file: str | None = None
    reference: Location | None = None
    unknown: str | None = None


@dataclass
class TemplateSpec:
    origin: Location
    yamls: list[YamlFragment] = field(default_factory=list)
    merge_yaml: bool = False
    containers: list[Container] = field(default_factory=list)
    volumes: list[Mount] = field(default_factory=list)
    agent_name: str = "jnlp"
    default_container: str | None = None
    agent_injection: bool = False
    incomplete: list[tuple[Location, str]] = field(default_factory=list)
    ignored_working_dir: ScalarRef | None = None
    pod: Pod | None = None
    """The pod as another launcher already built it (Tekton), used as is instead of being assembled."""

    def child(self, origin: Location) -> TemplateSpec:
        """A nested scripted podTemplate inheriting from this one (before its own settings apply)."""
        return TemplateSpec(origin, list(self.yamls), self.merge_yaml,
                            [dataclasses.replace(c, mounts=list(c.mounts)) for c in self.containers],
                            list(self.volumes), self.agent_name, None, self.agent_injection,
                            list(self.incomplete))


@dataclass
class Resolved:
    template: PodTemplate
    yaml_errors: list[tuple[Location, str]]


LoadYaml = Callable[[str], "PodYaml | None"]
"""Reads the pod YAML file at a repository path (None when it is missing)."""


def merge_containers(parent: list[Container], child: list[Container]) -> list[Container]:
    """Containers by name; the child's non-empty scalars win, mounts are merged by path (child wins)."""
    merged = {c.name: dataclasses.replace(c, mounts=list(c.mounts)) for c in parent}
    for container in child:
        base = merged.get(container.name)
        if base is None:
            merged[container.name] = dataclasses.replace(container, mounts=list(container.mounts))
            continue
        mounts = {m.path: m for m in base.mounts}
        mounts.update({m.path: m for m in container.mounts})
        merged[container.name] = dataclasses.replace(
            base,
            image=container.image or base.image,
            working_dir=container.working_dir or base.working_dir,
            mounts=list(mounts.values()),
            name_ref=container.name_ref or base.name_ref,
            key_insertion=container.key_insertion or base.key_insertion,
            from_template=base.from_template or container.from_template,
        )
    return list(merged.values())


def merge_volumes(parent: list[Mount], child: list[Mount]) -> list[Mount]:
    by_path = {m.path: m for m in parent}
    by_path.update({m.path: m for m in child})
    return list(by_path.values())


def resolve(spec: TemplateSpec, load: LoadYaml) -> Resolved:
    """The merged pod template of `spec`; `load` reads a repository file (None when missing)."""
    errors: list[tuple[Location, str]] = []
    incomplete = list(spec.incomplete)
    pods: list[PodYaml | None] = []
    for fragment in spec.yamls:
        pod = read_pod(fragment.inline) if fragment.inline is not None else None
        if fragment.file is not None:
            pod = load(fragment.file)
            if pod is None and fragment.reference is not None:
                incomplete.append((fragment.reference, f"the pod YAML file {fragment.file} is not in the workspace"))
        elif fragment.unknown is not None and fragment.reference is not None:
            incomplete.append((fragment.reference, fragment.unknown))
        if pod is None:
            pods.append(None)
            continue
        if pod.error is not None:
            errors.append(pod.error)
        pods.append(pod)
    chosen = pods if spec.merge_yaml else pods[-1:]
    containers: list[Container] = []
    automount = True
    for pod in chosen:
        if pod is not None:
            containers = merge_containers(containers, pod.containers)
            automount = automount and pod.automount_service_account_token
    built = [dataclasses.replace(c, mounts=merge_volumes(spec.volumes, c.mounts), from_template=True)
             for c in spec.containers]
    containers = merge_containers(containers, built)
    template = PodTemplate(containers, spec.agent_name, spec.default_container, spec.origin, automount,
                           list(spec.volumes), spec.agent_injection, incomplete, bool(errors))
    return Resolved(template, errors)
