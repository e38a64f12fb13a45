"""Tekton: the kaniko steps of Tasks, and the pod Tekton runs each one in.

Read from a YAML file of one or more documents: `Task` and `ClusterTask` (`spec`), the `taskSpec` of a
`TaskRun`, and the `taskSpec` of each task (and `finally` task) of a `Pipeline` or of a `PipelineRun`'s
`pipelineSpec`. A step builds with kaniko when its command is the executor, or when it has no command
and its image is a kaniko executor image; a `script` is read as a shell script.

The pod follows tektoncd/pipeline (see docs/launchers.md): every step gets Tekton's own volumes
(`/workspace`, `/tekton/...`) unless it mounts something at that exact path itself, each workspace of
the Task at its `mountPath` (default `/workspace/<name>`), its own and the step template's
`volumeMounts`, and what Kubernetes mounts into every container. `$(params.NAME)` takes the value a
run or a pipeline task gives, else the param's default; `$(workspaces.NAME.path)` the mount path.

The workspace the build context lies in is taken to hold this repository's checkout (what a
`git-clone` task puts there; see `launched`).

A `taskRef` (of a pipeline task or a TaskRun) and a PipelineRun's `pipelineRef` name a Task, ClusterTask
or Pipeline of the same file or, through `resolve`, of another file of the repository; references through
a resolver or a bundle live elsewhere and are not followed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .jenkins.pipeline import Pipeline
from .jenkins.plugin import kubernetes_mounts
from .jenkins.templates import TemplateSpec
from .launched import (
    YamlSource,
    add_builds,
    command_line,
    compose,
    is_true,
    items,
    literal_env,
    mapping,
    not_readable,
    runs_executor,
    text_of,
    volume_mounts,
)
from .model import Container, Mount, MountSource, Pod, PodTemplate, ScalarRef

LAUNCHER = "tekton"
WORKSPACE_DIR = "/workspace"
"""Mounted into every step (`pipeline.WorkspaceDir`), and the parent of every workspace by default."""
IMPLICIT_MOUNTS = ((WORKSPACE_DIR, False), ("/tekton/home", False), ("/tekton/results", False),
                   ("/tekton/steps", True), ("/tekton/bin", True), ("/tekton/creds", False))
"""Tekton's own volumes in every step container, with whether each is read-only."""
_KINDS_WITH_STEPS = {"Task", "ClusterTask"}
_REFERENCE = re.compile(r"\$\((params|workspaces)\.([A-Za-z0-9_.-]+?)(\.path)?(\[\*\])?\)")


@dataclass
class _Scope:
    """The values `$(params.X)` and `$(workspaces.X.path)` stand for in one Task."""

    params: dict[str, str | list[str]] = field(default_factory=dict)
    workspaces: dict[str, str] = field(default_factory=dict)

    def substitute(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            kind, name, path = match.group(1), match.group(2), match.group(3)
            if kind == "workspaces" and path and name in self.workspaces:
                return self.workspaces[name]
            found = self.params.get(name) if kind == "params" else None
            return found if isinstance(found, str) else match.group(0)

        return _REFERENCE.sub(value, text)

    def array(self, text: str) -> list[str] | None:
        """The items of `$(params.X[*])` (or `$(params.X)` for an array param) standing alone."""
        match = _REFERENCE.fullmatch(text.strip())
        if match is None or match.group(1) != "params":
            return None
        found = self.params.get(match.group(2))
        return found if isinstance(found, list) else None


Definitions = dict[tuple[str, str], list[tuple[YamlSource, Node]]]
"""(kind, name) -> the `spec` of each Task, ClusterTask or Pipeline of that name, with its file."""
Resolve = Callable[[str, str], list[tuple[YamlSource, Node]]]
_DEFINED = ("Task", "ClusterTask", "Pipeline")


def read_tekton(path: str, text: str, resolve: Resolve | None = None,
                used_elsewhere: frozenset[tuple[str, str]] = frozenset()) -> Pipeline:
    """The kaniko builds of the Tekton resources in a file, each with the pod it runs in (its spec's
    `pod`); references to other files are looked up with `resolve`. A Task that a run or Pipeline of this
    file, or of another (`used_elsewhere`), refers to is read there, with the params given to it, and not
    alone with its defaults. Never raises."""
    pipeline = Pipeline(path)
    source = YamlSource(path, text)
    documents = compose(source, pipeline)
    local = definitions(source, documents)
    asked: set[tuple[str, str]] = set()

    def find(kind: str, name: str) -> list[tuple[YamlSource, Node]]:
        asked.add((kind, name))
        return local.get((kind, name)) or (resolve(kind, name) if resolve is not None else [])

    runs = [(_definition(document), _task_specs(source, document, find)) for document in documents]
    for defined, specs in runs:
        if defined is not None and defined[0] in _KINDS_WITH_STEPS and (defined in asked or defined in used_elsewhere):
            continue
        for task_source, task, values in specs:
            _read_task(task_source, task, values, pipeline)
    return pipeline


def _definition(document: Node) -> tuple[str, str] | None:
    """(kind, name) of a document defining a Task, ClusterTask or Pipeline, None for any other."""
    top = mapping(document)
    kind, name = text_of(top.get("kind")) or "", text_of(mapping(top.get("metadata")).get("name"))
    if kind in _DEFINED and name and isinstance(top.get("spec"), MappingNode) \
            and "tekton.dev/" in (text_of(top.get("apiVersion")) or ""):
        return kind, name
    return None


def definitions(source: YamlSource, documents: list[Node]) -> Definitions:
    """The Tasks, ClusterTasks and Pipelines a file defines, by kind and name."""
    found: Definitions = {}
    for document in documents:
        if (defined := _definition(document)) is not None:
            found.setdefault(defined, []).append((source, mapping(document)["spec"]))
    return found


def references(source: YamlSource, documents: list[Node], local: Definitions) -> set[tuple[str, str]]:
    """The (kind, name) of every Task, ClusterTask or Pipeline the documents refer to by name and do not
    define themselves (`local`: their `definitions`)."""
    missing: set[tuple[str, str]] = set()

    def find(kind: str, name: str) -> list[tuple[YamlSource, Node]]:
        if (kind, name) not in local:
            missing.add((kind, name))
        return local.get((kind, name), [])

    for document in documents:
        _task_specs(source, document, find)
    return missing


def _reference(node: Node | None, kind: str) -> tuple[str, str] | None:
    """(kind, name) of a `taskRef`/`pipelineRef` by name (None for a resolver, a bundle, or no name)."""
    ref = mapping(node)
    name = text_of(ref.get("name"))
    if not name or "resolver" in ref or "bundle" in ref or "$(" in name:
        return None
    return text_of(ref.get("kind")) or kind, name


def _params(node: Node | None, values: dict[str, str | list[str]] | None = None,
            outer: _Scope | None = None) -> dict[str, str | list[str]]:
    """Declared params with their defaults, overridden by `values` (already resolved)."""
    params: dict[str, str | list[str]] = {}
    for item in items(node):
        entry = mapping(item)
        name = text_of(entry.get("name"))
        if name is None:
            continue
        default = entry.get("default")
        if isinstance(default, SequenceNode):
            params[name] = [t for n in default.value if (t := text_of(n)) is not None]
        elif (text := text_of(default)) is not None:
            params[name] = outer.substitute(text) if outer else text
    params.update(values or {})
    return params


def _given(node: Node | None, outer: _Scope) -> dict[str, str | list[str]]:
    """`params: [{name, value}]` of a run or a pipeline task, resolved in the enclosing scope."""
    given: dict[str, str | list[str]] = {}
    for item in items(node):
        entry = mapping(item)
        name, value = text_of(entry.get("name")), entry.get("value")
        if name is None:
            continue
        if isinstance(value, SequenceNode):
            given[name] = [outer.substitute(t) for n in value.value if (t := text_of(n)) is not None]
        elif (text := text_of(value)) is not None:
            spliced = outer.array(text)
            given[name] = spliced if spliced is not None else outer.substitute(text)
    return given


def _task_specs(source: YamlSource, document: Node, find: Resolve) \
        -> list[tuple[YamlSource, Node, dict[str, str | list[str]]]]:
    """Each task spec a document runs (embedded, or referred to by name), with its file and the param
    values given to it."""
    top = mapping(document)
    kind = text_of(top.get("kind")) or ""
    if "tekton.dev/" not in (text_of(top.get("apiVersion")) or ""):
        return []
    spec = mapping(top.get("spec"))
    if kind in _KINDS_WITH_STEPS and isinstance(top.get("spec"), MappingNode):
        return [(source, top["spec"], {})]
    if kind == "TaskRun":
        values = _given(spec.get("params"), _Scope())
        if isinstance(spec.get("taskSpec"), MappingNode):
            return [(source, spec["taskSpec"], values)]
        ref = _reference(spec.get("taskRef"), "Task")
        return [(s, n, values) for s, n in find(*ref)] if ref else []
    if kind not in ("Pipeline", "PipelineRun"):
        return []
    run_values = _given(spec.get("params"), _Scope()) if kind == "PipelineRun" else {}
    if kind == "Pipeline":
        pipelines = [(source, top["spec"])] if isinstance(top.get("spec"), MappingNode) else []
    elif isinstance(spec.get("pipelineSpec"), MappingNode):
        pipelines = [(source, spec["pipelineSpec"])]
    else:
        ref = _reference(spec.get("pipelineRef"), "Pipeline")
        pipelines = find(*ref) if ref else []
    found = []
    for pipeline_source, pipeline_node in pipelines:
        pipeline_spec = mapping(pipeline_node)
        outer = _Scope(_params(pipeline_spec.get("params"), run_values))
        for task in items(pipeline_spec.get("tasks")) + items(pipeline_spec.get("finally")):
            entry = mapping(task)
            values = _given(entry.get("params"), outer)
            if isinstance(entry.get("taskSpec"), MappingNode):
                found.append((pipeline_source, entry["taskSpec"], values))
            elif ref := _reference(entry.get("taskRef"), "Task"):
                found.extend((s, n, values) for s, n in find(*ref))
    return found


def _read_task(source: YamlSource, task: Node, values: dict[str, str | list[str]], pipeline: Pipeline) -> None:
    spec = mapping(task)
    scope = _Scope(_params(spec.get("params"), values))
    declared: list[tuple[str, Mount, bool]] = []
    for item in items(spec.get("workspaces")):
        entry = mapping(item)
        name = text_of(entry.get("name"))
        if name is None:
            continue
        where = entry.get("mountPath")
        mount_path = text_of(where) or posixpath.join(WORKSPACE_DIR, name)
        origin = source.location(where if where is not None else entry["name"])
        declared.append((name, Mount(mount_path, MountSource.TEKTON_WORKSPACE, is_true(entry.get("readOnly")),
                                     origin), is_true(entry.get("optional"))))
        scope.workspaces[name] = mount_path
    template = mapping(spec.get("stepTemplate"))
    steps = items(spec.get("steps"))
    for index, step_node in enumerate(steps):
        step = {**template, **mapping(step_node)}
        _read_step(source, step_node, step, index, len(steps), scope, declared, template, pipeline)


def _read_step(source: YamlSource, node: Node, step: dict[str, Node], index: int, count: int, scope: _Scope,
               declared: list[tuple[str, Mount, bool]], template: dict[str, Node], pipeline: Pipeline) -> None:
    image = scope.substitute(text_of(step.get("image")) or "")
    command = [scope.substitute(t) for n in items(step.get("command")) if (t := text_of(n)) is not None]
    script = step.get("script")
    direct = runs_executor(command, image, script is not None)
    if not direct and not (isinstance(script, ScalarNode) and "executor" in script.value):
        return
    name_node = step.get("name")
    name = text_of(name_node) or f"unnamed-{index}"
    origin = source.location(name_node if name_node is not None else node)
    start, end = source.span(node)
    container = Container(name=name, image=image or None, working_dir=source.ref(step.get("workingDir"), scope),
                          name_ref=ScalarRef(name, origin), command=tuple(command) or ("/kaniko/executor",),
                          env=literal_env(step, scope))
    container.mounts = _mounts(source, step, template, index, count, declared, scope, source.text[start:end])
    pod = Pod(PodTemplate([container], agent_name=name, origin=origin, launcher=LAUNCHER), [container])
    spec = TemplateSpec(origin, pod=pod)
    pipeline.specs.append(spec)
    line = command_line(source, step, command, scope) if direct else None
    if line is None and isinstance(script, ScalarNode):
        line = source.embedded(script, scope.substitute(script.value))
    if line is None:
        not_readable(pipeline, spec, name, source, node)
        return
    add_builds(pipeline, spec, name, line, container.working_dir.value if container.working_dir else None,
               [mount for _, mount, _ in declared],
               "its build context is not in one of the Task's workspaces, so which files of the repository it "
               "builds is not known")


def _mounts(source: YamlSource, step: dict[str, Node], template: dict[str, Node], index: int, count: int,
            declared: list[tuple[str, Mount, bool]], scope: _Scope, text: str) -> list[Mount]:
    """The step's mounts as Tekton and Kubernetes build them (docs/launchers.md)."""
    mounts: list[Mount] = []
    own = items(step.get("volumeMounts")) if step.get("volumeMounts") is not template.get("volumeMounts") else []
    mounts += [mount for mount, _, _ in volume_mounts(source, items(template.get("volumeMounts")) + own, {}, scope)]
    for name, mount, optional in declared:
        if not optional or f"workspaces.{name}." in text:
            mounts.append(mount)
    taken = {posixpath.normpath(m.path) for m in mounts}
    for path, read_only in IMPLICIT_MOUNTS:
        if path not in taken:
            mounts.append(Mount(path, MountSource.TEKTON, read_only))
    mounts.extend(Mount(f"/tekton/run/{n}", MountSource.TEKTON, n != index) for n in range(count))
    return mounts + kubernetes_mounts()


