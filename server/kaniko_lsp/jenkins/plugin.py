"""How the Jenkins Kubernetes plugin assembles an agent pod, and what the `container` step does.

Mirrors PodTemplateBuilder: the agent container is added when the template lacks it, containers
without a workingDir inherit the agent's, and the workspace volume is mounted into every container at
its effective workingDir unless a mount already sits at exactly that path.
"""

from __future__ import annotations

import dataclasses

from ..model import (
    DEFAULT_WORKING_DIR,
    Container,
    Location,
    Mount,
    MountSource,
    Pod,
    PodTemplate,
    Position,
    Range,
    ScalarRef,
)

KUBERNETES_FILE_MOUNTS = ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/termination-log")
SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


def kubernetes_mounts(automount_service_account_token: bool = True) -> list[Mount]:
    """What Kubernetes mounts into every container: the service account token (unless turned off) and
    single files such as `/etc/hosts`."""
    token = [Mount(SERVICE_ACCOUNT_MOUNT, MountSource.KUBERNETES, True)] if automount_service_account_token else []
    return [*token, *(Mount(p, MountSource.KUBERNETES) for p in KUBERNETES_FILE_MOUNTS)]


def assemble(template: PodTemplate, working_dirs: dict[str, str] | None = None) -> Pod:
    """The pod the plugin builds from `template`; `working_dirs` overrides containers' workingDir
    values (by container name), which is how a proposed fix is tried before it is offered."""
    containers = [dataclasses.replace(c, mounts=list(c.mounts)) for c in template.containers]
    if not any(c.name == template.agent_name for c in containers):
        containers.append(Container(name=template.agent_name, declared=False, mounts=list(template.volumes)))
    for name, value in (working_dirs or {}).items():
        for container in containers:
            if container.name == name:
                location = container.working_dir.location if container.working_dir else None
                container.working_dir = ScalarRef(value, location or _fallback(container, template) or _UNPLACED)
    pod = Pod(template, containers)
    agent = pod.agent
    for container in containers:
        if container.working_dir is None:
            container.inherited_working_dir = agent.working_dir
    if template.agent_injection:
        agent.working_dir = agent.inherited_working_dir = None
        agent.mounts.append(Mount("/jenkins-agent", MountSource.TEMPLATE, True))
    for container in containers:
        effective = pod.effective_working_dir(container)
        if not any(m.path == effective for m in container.mounts):
            ref = pod.working_dir(container)
            origin = ref.location if ref else _fallback(container, template)
            container.mounts.append(Mount(effective, MountSource.WORKSPACE, False, origin))
        container.mounts.extend(kubernetes_mounts(template.automount_service_account_token))
    return pod


_UNPLACED = Location("", Range(Position(0, 0), Position(0, 0)))
"""Where a tried workingDir value sits when neither its container nor its template has a place (fixes
try values only on declared containers, which have one)."""


def _fallback(container: Container, template: PodTemplate) -> Location | None:
    return container.name_ref.location if container.name_ref else template.origin


def working_dir_conflicts(pod: Pod) -> list[tuple[Container, str]]:
    """Containers whose working directory the `container` step cannot reach, with the reason.

    The step `cd`s to the agent's directory, replacing the literal prefix `/home/jenkins/agent` with
    the container's workingDir only when the agent's path does not already start with it. With
    `agentInjection` the agent is forced to `/home/jenkins/agent` while the other containers keep
    the workingDir they inherited from it.
    """
    agent_dir = pod.effective_working_dir(pod.agent)
    workspace = agent_dir.rstrip("/") + "/workspace/"
    problems: list[tuple[Container, str]] = []
    for container in pod.containers:
        ref = pod.working_dir(container)
        if container.name == pod.agent_name or ref is None:
            continue
        own = ref.value
        if own == agent_dir:
            continue
        if agent_dir != DEFAULT_WORKING_DIR:
            problems.append((container, f"the agent container '{pod.agent_name}' works in {agent_dir}, not the "
                                        f"plugin default {DEFAULT_WORKING_DIR}, so the container step cannot map "
                                        f"its directory to {own}"))
        elif workspace.startswith(own):
            problems.append((container, f"{own} is a prefix of the agent's workspace path {workspace}..., so the "
                                        "container step does not remap the directory and cd fails"))
    return problems
