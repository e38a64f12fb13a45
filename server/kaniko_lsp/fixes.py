"""The working-directory fix: move the pod's working directory where no built Dockerfile writes.

A candidate path is tried by assembling the pod again with the new workingDir values and checking that
no kaniko build of the pod loses a write and that every `container` step can still reach its
directory. Only then is it offered, as text edits that touch nothing but workingDir values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .conflicts import workspace_conflicts
from .jenkins.plugin import assemble, working_dir_conflicts
from .kaniko import is_within
from .linked import LinkedBuild, PipelineAnalysis
from .model import DEFAULT_WORKING_DIR, Fix, MountSource, Pod, TextEdit

FALLBACK_WORKING_DIRS = (DEFAULT_WORKING_DIR, "/tmp/jenkins")


def _builds_in(analysis: PipelineAnalysis, pod: Pod) -> list[LinkedBuild]:
    return [b for b in analysis.builds if b.pod is pod]


def _healthy(pod: Pod, builds: Sequence[LinkedBuild], moved: Iterable[str]) -> bool:
    """No unreachable directory, no write lost to the workspace volume, and each moved workspace
    mount clear of the container's other mounts."""
    if working_dir_conflicts(pod):
        return False
    if workspace_conflicts(pod, list(builds)):
        return False
    for name in moved:
        container = pod.container(name)
        target = pod.effective_working_dir(container) if container else ""
        for mount in container.mounts if container else []:
            if mount.source in (MountSource.YAML, MountSource.TEMPLATE) and (
                    is_within(mount.path, target) or is_within(target, mount.path)):
                return False
    return True


def _needs_move(pod: Pod, builds: Sequence[LinkedBuild]) -> set[str]:
    names = {c.name for c, _ in working_dir_conflicts(pod)}
    names.update(c.container.name for c in workspace_conflicts(pod, list(builds)))
    return names


def _assignment(pod: Pod, target: str, movers: set[str]) -> dict[str, str] | None:
    """New workingDir values (by container) that put `movers` at `target` consistently."""
    agent = pod.agent
    agent_dir = pod.effective_working_dir(agent)
    if target == agent_dir or (agent_dir == DEFAULT_WORKING_DIR and agent.name not in movers):
        return {name: target for name in movers if name != agent.name}
    if not agent.declared:
        return None
    explicit = {c.name for c in pod.containers if c.working_dir is not None}
    return {name: target for name in explicit | movers | {agent.name}}


def plan(pod: Pod, builds: Sequence[LinkedBuild], preferred: Sequence[str] = ()) -> dict[str, str] | None:
    """The workingDir values to set so that the pod has no lost write and no unreachable directory."""
    movers = _needs_move(pod, builds)
    if not movers:
        return None
    candidates = [pod.effective_working_dir(pod.agent), *FALLBACK_WORKING_DIRS, *preferred]
    for target in dict.fromkeys(candidates):
        assignment = _assignment(pod, target, movers)
        if not assignment:
            continue
        changes = {name: value for name, value in assignment.items()
                   if (c := pod.container(name)) is None or pod.effective_working_dir(c) != value}
        if not changes or not all((c := pod.container(n)) is not None and c.declared for n in changes):
            continue
        trial = assemble(pod.template, changes)
        if _healthy(trial, builds, changes):
            return changes
    return None


def working_dir_fix(analysis: PipelineAnalysis, pod: Pod, preferred: Sequence[str] = ()) -> Fix | None:
    """The fix for every workspace-mount finding of `pod`, as edits of its workingDir values."""
    if pod.template.launcher != "jenkins":
        return None
    assignment = plan(pod, _builds_in(analysis, pod), [*preferred, *analysis.preferred_working_dirs])
    if assignment is None:
        return None
    edits: list[TextEdit] = []
    for name, value in sorted(assignment.items()):
        container = pod.container(name)
        if container is None:
            return None
        if container.working_dir is not None:
            location = container.working_dir.location
            edits.append(TextEdit(location.path, location.range, value))
        elif container.key_insertion is not None:
            location, template = container.key_insertion
            edits.append(TextEdit(location.path, location.range, template.format(value)))
        else:
            return None
    names = ", ".join(f"'{n}'" for n in sorted(assignment))
    target = next(iter(assignment.values()))
    return Fix(f"Move the working directory of {names} to {target}", tuple(edits))
