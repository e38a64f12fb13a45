"""Argo Workflows: the templates of a `Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate` or
`CronWorkflow` whose container runs the kaniko executor itself, or whose `script:` source runs it.

The `main` container of a template gets (argoproj/argo-workflows, workflow/controller/workflowpod.go;
docs/launchers.md) the executor's `/var/run/argo` volume, each input artifact at its `path`, the
`volumeMounts` it declares (of the workflow's `volumes` or `volumeClaimTemplates`) and what Kubernetes
mounts into every container. `{{inputs.parameters.x}}` takes the template's input value or default,
`{{workflow.parameters.x}}` the workflow's argument. The input artifact (usually a `git` one) or volume
the build context lies in is taken to hold this repository's checkout, or the folder a `git clone` of
another template put there (see `launched`).
"""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from .jenkins.pipeline import Pipeline
from .jenkins.plugin import kubernetes_mounts
from .jenkins.templates import TemplateSpec
from .launched import (
    YamlSource,
    add_builds,
    clone_targets,
    command_line,
    compose,
    items,
    mapping,
    runs_executor,
    text_of,
    volume_mounts,
)
from .model import Container, Mount, MountSource, Pod, PodTemplate, ScalarRef
from .text import Embedded

LAUNCHER = "argo"
VAR_RUN_ARGO = "/var/run/argo"
"""The emptyDir the emissary executor mounts into every main container (`common.VarRunArgoPath`)."""
_KINDS = {"Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"}
_PARAMETER = re.compile(r"\{\{\s*(inputs|workflow)\.parameters\.([A-Za-z0-9_.-]+)\s*\}\}")


class _Parameters:
    """What `{{inputs.parameters.x}}` and `{{workflow.parameters.x}}` stand for in one template."""

    def __init__(self, inputs: dict[str, str], workflow: dict[str, str]) -> None:
        self.inputs, self.workflow = inputs, workflow

    def substitute(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            values = self.inputs if match.group(1) == "inputs" else self.workflow
            return values.get(match.group(2), match.group(0))

        return _PARAMETER.sub(value, text)

    def array(self, text: str) -> list[str] | None:
        return None


def read_argo(path: str, text: str) -> Pipeline:
    """The kaniko builds of the Argo workflows in a file, each with its pod (its spec's `pod`); never raises."""
    pipeline = Pipeline(path)
    source = YamlSource(path, text)
    for document in compose(source, pipeline):
        top = mapping(document)
        if not (text_of(top.get("apiVersion")) or "").startswith("argoproj.io/") or \
                text_of(top.get("kind")) not in _KINDS:
            continue
        spec = mapping(top.get("spec"))
        if text_of(top.get("kind")) == "CronWorkflow":
            spec = mapping(spec.get("workflowSpec"))
        workflow = _values(mapping(spec.get("arguments")).get("parameters"))
        volumes = {text_of(mapping(v).get("name")): mapping(v) for v in items(spec.get("volumes"))}
        claims = {text_of(mapping(mapping(claim).get("metadata")).get("name"))
                  for claim in items(spec.get("volumeClaimTemplates"))}
        templates = [mapping(template) for template in items(spec.get("templates"))]
        clones = [target for template in templates for target in _clones(template)]
        for template in templates:
            _read_template(source, template, workflow, volumes, claims, clones, pipeline)
    return pipeline


def _values(node: Node | None) -> dict[str, str]:
    """Parameters by name: their `value`, else their `default`."""
    found = {}
    for item in items(node):
        entry = mapping(item)
        name = text_of(entry.get("name"))
        value = text_of(entry.get("value")) or text_of(entry.get("default"))
        if name is not None and value is not None:
            found[name] = value
    return found


def _body(template: dict[str, Node]) -> tuple[MappingNode | None, bool]:
    """A template's container (`container:`, or `script:` with its `source`), and whether it is a script."""
    for key in ("container", "script"):
        node = template.get(key)
        if isinstance(node, MappingNode):
            return node, key == "script"
    return None, False


def _clones(template: dict[str, Node]) -> list[str]:
    node, is_script = _body(template)
    container = mapping(node)
    working_dir = text_of(container.get("workingDir"))
    if is_script:
        return clone_targets(["sh", "-c", text_of(container.get("source")) or ""], working_dir)
    words = [t for n in items(container.get("command")) + items(container.get("args")) if (t := text_of(n))]
    return clone_targets(words, working_dir, text_of(container.get("image")) or "")


def _read_template(source: YamlSource, template: dict[str, Node], workflow: dict[str, str],
                   volumes: dict[str | None, dict[str, Node]], claims: set[str | None], clones: list[str],
                   pipeline: Pipeline) -> None:
    node, is_script = _body(template)
    if node is None:
        return
    container = mapping(node)
    inputs = mapping(template.get("inputs"))
    parameters = _Parameters(_values(inputs.get("parameters")), workflow)
    image = parameters.substitute(text_of(container.get("image")) or "")
    command = [parameters.substitute(t) for n in items(container.get("command")) if (t := text_of(n)) is not None]
    script = container.get("source")
    if is_script:
        if not isinstance(script, ScalarNode) or "executor" not in script.value:
            return
    elif not (items(container.get("args")) or command[1:]) or not runs_executor(command, image, False):
        return
    name_node = template.get("name")
    name = text_of(name_node) or "main"
    origin = source.location(name_node if name_node is not None else node)
    model = Container(name=name, image=image or None, working_dir=source.ref(container.get("workingDir"), parameters),
                      name_ref=ScalarRef(name, origin), command=tuple(command) or ("/kaniko/executor",))
    checkouts = []
    for item in items(inputs.get("artifacts")):
        where = mapping(item).get("path")
        if where is not None and text_of(where) is not None:
            mount = Mount(parameters.substitute(text_of(where) or ""), MountSource.ARGO_ARTIFACT, False,
                          source.location(where))
            model.mounts.append(mount)
            checkouts.append(mount)
    for mount, volume, from_object in volume_mounts(source, items(container.get("volumeMounts")), volumes,
                                                    parameters):
        model.mounts.append(mount)
        if not from_object and (volume in volumes or volume in claims):
            checkouts.append(mount)
    model.mounts += [Mount(VAR_RUN_ARGO, MountSource.ARGO), *kubernetes_mounts()]
    pod = Pod(PodTemplate([model], agent_name=name, origin=origin, launcher=LAUNCHER), [model])
    spec = TemplateSpec(origin, pod=pod)
    pipeline.specs.append(spec)
    line: Embedded | None
    if is_script and isinstance(script, ScalarNode):
        line = source.embedded(script, parameters.substitute(script.value))
    else:
        line = command_line(source, container, command, parameters)
    if line is not None:
        add_builds(pipeline, spec, name, line, model.working_dir.value if model.working_dir else None, checkouts,
                   "its build context is not in an input artifact or a volume the repository can be cloned into, "
                   "so which files it builds is not known", clones)
