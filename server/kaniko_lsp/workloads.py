"""Plain Kubernetes: Pods, Jobs, CronJobs and the other workloads whose containers run the kaniko executor
themselves (its command, or the executor image's entrypoint, with the build flags in `args`).

Such a container has only the mounts its manifest gives it (`volumeMounts`) and the ones Kubernetes adds
(the service account token, `/etc/hosts`...); it starts in its `workingDir`, else the executor image's
`/workspace`. The volume holding the build context (often an emptyDir an init container clones the
repository into, at `/workspace`) is taken to hold this repository's checkout; a ConfigMap or Secret
volume is not (see `launched`).
"""

from __future__ import annotations

from ruamel.yaml.nodes import Node

from .jenkins.pipeline import Pipeline
from .jenkins.plugin import kubernetes_mounts
from .jenkins.templates import TemplateSpec
from .launched import (
    Literal,
    YamlSource,
    add_builds,
    clone_targets,
    command_line,
    compose,
    items,
    literal_env,
    mapping,
    runs_executor,
    text_of,
    volume_mounts,
)
from .model import Container, Pod, PodTemplate, ScalarRef

LAUNCHER = "kubernetes"
_TEMPLATED = {"Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}


def read_workloads(path: str, text: str) -> Pipeline:
    """The kaniko builds of the workloads in a file, each with its pod (its spec's `pod`); never raises."""
    pipeline = Pipeline(path)
    source = YamlSource(path, text)
    for document in compose(source, pipeline):
        top = mapping(document)
        if (text_of(top.get("apiVersion")) or "").startswith(("tekton.dev/", "argoproj.io/")):
            continue
        pod_spec = _pod_spec(text_of(top.get("kind")) or "", top)
        if pod_spec is not None:
            _read_pod(source, pod_spec, pipeline)
    return pipeline


def _pod_spec(kind: str, top: dict[str, Node]) -> dict[str, Node] | None:
    spec = mapping(top.get("spec"))
    if kind == "Pod":
        return spec
    if kind in _TEMPLATED:
        return mapping(mapping(spec.get("template")).get("spec"))
    if kind == "CronJob":
        job = mapping(mapping(spec.get("jobTemplate")).get("spec"))
        return mapping(mapping(job.get("template")).get("spec"))
    return None


def _read_pod(source: YamlSource, spec: dict[str, Node], pipeline: Pipeline) -> None:
    volumes = {text_of(mapping(v).get("name")): mapping(v) for v in items(spec.get("volumes"))}
    automount = text_of(spec.get("automountServiceAccountToken")) != "false"
    clones = [target for node in items(spec.get("initContainers")) + items(spec.get("containers"))
              for target in _clones(mapping(node))]
    for node in items(spec.get("initContainers")) + items(spec.get("containers")):
        container = mapping(node)
        image = text_of(container.get("image")) or ""
        command = [t for n in items(container.get("command")) if (t := text_of(n)) is not None]
        flags = items(container.get("args")) or command[1:]
        if not flags or not runs_executor(command, image, False):
            continue
        name_node = container.get("name")
        name = text_of(name_node) or "kaniko"
        origin = source.location(name_node if name_node is not None else node)
        model = Container(name=name, image=image or None, working_dir=source.ref(container.get("workingDir")),
                          name_ref=ScalarRef(name, origin), command=tuple(command) or ("/kaniko/executor",),
                          env=literal_env(container, Literal()))
        declared = volume_mounts(source, items(container.get("volumeMounts")), volumes, Literal())
        checkouts = [mount for mount, _, from_object in declared if not from_object]
        model.mounts = [*(mount for mount, _, _ in declared), *kubernetes_mounts(automount)]
        pod = Pod(PodTemplate([model], agent_name=name, origin=origin, launcher=LAUNCHER,
                              automount_service_account_token=automount), [model])
        template = TemplateSpec(origin, pod=pod)
        pipeline.specs.append(template)
        line = command_line(source, container, command, Literal())
        if line is not None:
            add_builds(pipeline, template, name, line, model.working_dir.value if model.working_dir else None,
                       checkouts, "its build context is not in a volume the repository can be cloned into (it is "
                                  "in none, or in a ConfigMap or Secret), so which files it builds is not known",
                       clones)


def _clones(container: dict[str, Node]) -> list[str]:
    words = [t for n in items(container.get("command")) + items(container.get("args")) if (t := text_of(n))]
    return clone_targets(words, text_of(container.get("workingDir")), text_of(container.get("image")) or "")
