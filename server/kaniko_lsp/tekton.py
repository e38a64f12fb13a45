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
`git-clone` task puts there): its mount path stands for the repository root when the Dockerfile is
looked for.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .jenkins.pipeline import KanikoBuild, Pipeline, Problem
from .jenkins.plugin import KUBERNETES_FILE_MOUNTS, SERVICE_ACCOUNT_MOUNT
from .jenkins.templates import TemplateSpec
from .kaniko import ExecutorCall, executor_calls, is_within
from .kube import READER
from .model import Container, Location, Mount, MountSource, Pod, PodTemplate, ScalarRef
from .text import Embedded, LineIndex

LAUNCHER = "tekton"
WORKSPACE_DIR = "/workspace"
"""Mounted into every step (`pipeline.WorkspaceDir`), and the parent of every workspace by default."""
IMPLICIT_MOUNTS = ((WORKSPACE_DIR, False), ("/tekton/home", False), ("/tekton/results", False),
                   ("/tekton/steps", True), ("/tekton/bin", True), ("/tekton/creds", False))
"""Tekton's own volumes in every step container, with whether each is read-only."""
_KINDS_WITH_STEPS = {"Task", "ClusterTask"}
_REFERENCE = re.compile(r"\$\((params|workspaces)\.([A-Za-z0-9_.-]+?)(\.path)?(\[\*\])?\)")
_SHELL_SPECIAL = set(" \t\n$`\"'\\;&|<>()*?[]{}!#~")


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


class _Source:
    """A YAML file's text with the places of composed nodes."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self.host = LineIndex(text)

    def span(self, node: Node) -> tuple[int, int]:
        start = min(self.host.starts[min(node.start_mark.line, len(self.host.starts) - 1)] + node.start_mark.column,
                    len(self.text))
        end = min(self.host.starts[min(node.end_mark.line, len(self.host.starts) - 1)] + node.end_mark.column,
                  len(self.text))
        if isinstance(node, ScalarNode) and node.style in ("'", '"') and end - start >= 2:
            start, end = start + 1, end - 1
        return start, max(start, end)

    def location(self, node: Node) -> Location:
        start, end = self.span(node)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            end = start
        return Location(self.path, self.host.range(start, end))

    def ref(self, node: Node | None, scope: _Scope | None = None) -> ScalarRef | None:
        text = _text(node)
        if node is None or text is None:
            return None
        return ScalarRef(scope.substitute(text) if scope else text, self.location(node))

    def embedded(self, node: ScalarNode, text: str) -> Embedded:
        """`text` (the node's value, maybe substituted) placed over the node in the file."""
        start, end = self.span(node)
        if text == node.value and self.text[start:end] == text:
            return Embedded(text, self.path, self.host, range(start, end + 1))
        offsets = [min(start + i, max(start, end - 1)) for i in range(len(text))] + [max(start, end)]
        return Embedded(text, self.path, self.host, offsets)

    def spread(self, text: str, node: Node) -> Embedded:
        """`text` standing for the whole of a node it is not written in (the executor an image runs)."""
        start, end = self.span(node)
        width = max(1, end - start)
        offsets = [start + i * width // len(text) for i in range(len(text))] + [start + width]
        return Embedded(text, self.path, self.host, offsets)

    def synthetic(self, text: str, at: int) -> Embedded:
        return Embedded.at(text, self.path, self.host, at)


def _mapping(node: Node | None) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def _text(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null" else None


def _true(node: Node | None) -> bool:
    return (_text(node) or "").lower() == "true"


def read_tekton(path: str, text: str) -> Pipeline:
    """The kaniko builds of the Tekton resources in a file, each with the pod it runs in (its spec's
    `pod`); never raises."""
    pipeline = Pipeline(path)
    source = _Source(path, text)
    try:
        documents = list(READER.compose_all(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        offset = source.host.starts[min(mark.line, len(source.host.starts) - 1)] + mark.column if mark else 0
        pipeline.problems.append(Problem(Location(path, source.host.range(offset, offset + 1)),
                                         f"YAML cannot be parsed: {error.problem or 'invalid YAML'}"))
        return pipeline
    except (YAMLError, ValueError, TypeError, RecursionError) as error:
        pipeline.problems.append(Problem(Location(path, source.host.range(0, 0)), f"YAML cannot be parsed: {error}"))
        return pipeline
    for document in documents:
        for task, values in _task_specs(document):
            _read_task(source, task, values, pipeline)
    return pipeline


def _params(node: Node | None, values: dict[str, str | list[str]] | None = None,
            outer: _Scope | None = None) -> dict[str, str | list[str]]:
    """Declared params with their defaults, overridden by `values` (already resolved)."""
    params: dict[str, str | list[str]] = {}
    for item in _items(node):
        entry = _mapping(item)
        name = _text(entry.get("name"))
        if name is None:
            continue
        default = entry.get("default")
        if isinstance(default, SequenceNode):
            params[name] = [t for n in default.value if (t := _text(n)) is not None]
        elif (text := _text(default)) is not None:
            params[name] = outer.substitute(text) if outer else text
    params.update(values or {})
    return params


def _given(node: Node | None, outer: _Scope) -> dict[str, str | list[str]]:
    """`params: [{name, value}]` of a run or a pipeline task, resolved in the enclosing scope."""
    given: dict[str, str | list[str]] = {}
    for item in _items(node):
        entry = _mapping(item)
        name, value = _text(entry.get("name")), entry.get("value")
        if name is None:
            continue
        if isinstance(value, SequenceNode):
            given[name] = [outer.substitute(t) for n in value.value if (t := _text(n)) is not None]
        elif (text := _text(value)) is not None:
            items = outer.array(text)
            given[name] = items if items is not None else outer.substitute(text)
    return given


def _task_specs(document: Node) -> list[tuple[MappingNode, dict[str, str | list[str]]]]:
    """Each task spec in a document, with the param values given to it."""
    top = _mapping(document)
    kind = _text(top.get("kind")) or ""
    if "tekton.dev/" not in (_text(top.get("apiVersion")) or ""):
        return []
    spec = _mapping(top.get("spec"))
    if kind in _KINDS_WITH_STEPS and isinstance(top.get("spec"), MappingNode):
        return [(top["spec"], {})]  # type: ignore[list-item]
    if kind == "TaskRun" and isinstance(spec.get("taskSpec"), MappingNode):
        return [(spec["taskSpec"], _given(spec.get("params"), _Scope()))]  # type: ignore[list-item]
    if kind in ("Pipeline", "PipelineRun"):
        run_values = _given(spec.get("params"), _Scope()) if kind == "PipelineRun" else {}
        pipeline_spec = _mapping(spec.get("pipelineSpec")) if kind == "PipelineRun" else spec
        outer = _Scope(_params(pipeline_spec.get("params"), run_values))
        found = []
        for task in _items(pipeline_spec.get("tasks")) + _items(pipeline_spec.get("finally")):
            entry = _mapping(task)
            if isinstance(entry.get("taskSpec"), MappingNode):
                found.append((entry["taskSpec"], _given(entry.get("params"), outer)))
        return found  # type: ignore[return-value]
    return []


def _read_task(source: _Source, task: MappingNode, values: dict[str, str | list[str]], pipeline: Pipeline) -> None:
    spec = _mapping(task)
    scope = _Scope(_params(spec.get("params"), values))
    declared: list[tuple[str, Mount, bool]] = []
    for item in _items(spec.get("workspaces")):
        entry = _mapping(item)
        name = _text(entry.get("name"))
        if name is None:
            continue
        where = entry.get("mountPath")
        mount_path = _text(where) or posixpath.join(WORKSPACE_DIR, name)
        origin = source.location(where if where is not None else entry["name"])
        declared.append((name, Mount(mount_path, MountSource.TEKTON_WORKSPACE, _true(entry.get("readOnly")),
                                     origin), _true(entry.get("optional"))))
        scope.workspaces[name] = mount_path
    template = _mapping(spec.get("stepTemplate"))
    steps = _items(spec.get("steps"))
    for index, step_node in enumerate(steps):
        step = {**template, **_mapping(step_node)}
        _read_step(source, step_node, step, index, len(steps), scope, declared, template, pipeline)


def _read_step(source: _Source, node: Node, step: dict[str, Node], index: int, count: int, scope: _Scope,
               declared: list[tuple[str, Mount, bool]], template: dict[str, Node], pipeline: Pipeline) -> None:
    image = scope.substitute(_text(step.get("image")) or "")
    command = [scope.substitute(t) for n in _items(step.get("command")) if (t := _text(n)) is not None]
    script = step.get("script")
    runs_executor = (command[:1] and command[0].rsplit("/", 1)[-1] == "executor") or (
        not command and script is None and "kaniko" in image.lower() and "executor" in image.lower())
    if not runs_executor and not (isinstance(script, ScalarNode) and "executor" in script.value):
        return
    name_node = step.get("name")
    name = _text(name_node) or f"unnamed-{index}"
    origin = source.location(name_node if name_node is not None else node)
    start, end = source.span(node)
    text = source.text[start:end]
    container = Container(name=name, image=image or None, working_dir=source.ref(step.get("workingDir"), scope),
                          name_ref=ScalarRef(name, origin), command=tuple(command) or ("/kaniko/executor",),
                          env=_env(step, scope))
    container.mounts = _mounts(source, step, template, index, count, declared, scope, text)
    pod = Pod(PodTemplate([container], agent_name=name, origin=origin, launcher=LAUNCHER), [container])
    spec = TemplateSpec(origin, pod=pod)
    pipeline.specs.append(spec)
    script_text = _command_line(source, step, command, image, scope) if runs_executor else None
    if script_text is None and isinstance(script, ScalarNode):
        script_text = source.embedded(script, scope.substitute(script.value))
    if script_text is None:
        pipeline.builds.append(KanikoBuild(spec, name, "", source.synthetic("", source.span(node)[0]),
                                           ExecutorCall(0, 0), not_followed="its arguments cannot be read"))
        return
    working_dir = container.working_dir.value if container.working_dir else WORKSPACE_DIR
    context_root = _context_workspace(script_text.text, declared, working_dir)
    cwd = _repository_path(container.working_dir.value if container.working_dir else None, context_root)
    for call in executor_calls(script_text.text):
        for flag, values in call.flags.items():
            for value in values:
                if flag == "--context" and not value.value.startswith(("/", "$")) and "://" not in value.value:
                    value.value = posixpath.join(working_dir, value.value)
                value.value = _as_repository(value.value, context_root)
        build = KanikoBuild(spec, name, cwd or "", script_text, call, step=len(pipeline.shell_steps))
        if context_root is None:
            build.not_followed = ("its build context is not in one of the Task's workspaces, so which files "
                                  "of the repository it builds is not known")
        pipeline.builds.append(build)


def _env(step: dict[str, Node], scope: _Scope) -> dict[str, str]:
    env = {}
    for item in _items(step.get("env")):
        entry = _mapping(item)
        name, value = _text(entry.get("name")), _text(entry.get("value"))
        if name is not None and value is not None:
            env[name] = scope.substitute(value)
    return env


def _mounts(source: _Source, step: dict[str, Node], template: dict[str, Node], index: int, count: int,
            declared: list[tuple[str, Mount, bool]], scope: _Scope, text: str) -> list[Mount]:
    """The step's mounts as Tekton and Kubernetes build them (docs/launchers.md)."""
    mounts: list[Mount] = []
    for item in _items(template.get("volumeMounts")) + (
            _items(step.get("volumeMounts")) if step.get("volumeMounts") is not template.get("volumeMounts") else []):
        entry = _mapping(item)
        where = entry.get("mountPath")
        if _text(where) is not None:
            mounts.append(Mount(scope.substitute(_text(where) or ""), MountSource.YAML, _true(entry.get("readOnly")),
                                source.location(where), sub_path=bool(_text(entry.get("subPath")))))
    for name, mount, optional in declared:
        if not optional or f"workspaces.{name}." in text:
            mounts.append(mount)
    taken = {posixpath.normpath(m.path) for m in mounts}
    for path, read_only in IMPLICIT_MOUNTS:
        if path not in taken:
            mounts.append(Mount(path, MountSource.TEKTON, read_only))
    mounts.extend(Mount(f"/tekton/run/{n}", MountSource.TEKTON, n != index) for n in range(count))
    mounts.append(Mount(SERVICE_ACCOUNT_MOUNT, MountSource.KUBERNETES, True))
    mounts.extend(Mount(p, MountSource.KUBERNETES) for p in KUBERNETES_FILE_MOUNTS)
    return mounts


def _command_line(source: _Source, step: dict[str, Node], command: list[str], image: str,
                  scope: _Scope) -> Embedded | None:
    """`/kaniko/executor ARGS...` as a shell command placed over the step's YAML, args substituted and
    quoted where the shell would read them differently."""
    anchor = step.get("command") if command else step.get("image")
    if anchor is None:
        return None
    start = source.span(anchor)[0]
    word = source.spread("/kaniko/executor", anchor)
    if command and isinstance(step.get("command"), SequenceNode):
        first = step["command"].value[0]
        if isinstance(first, ScalarNode) and first.value == command[0] and not _SHELL_SPECIAL & set(first.value):
            word = source.embedded(first, first.value)
    line = word
    words = [n for n in _items(step.get("command"))[1:] + _items(step.get("args")) if isinstance(n, ScalarNode)]
    for node in words:
        items = scope.array(node.value)
        for value in items if items is not None else [scope.substitute(node.value)]:
            if "'" in value:
                continue
            piece = source.embedded(node, value)
            if _SHELL_SPECIAL & set(value):
                at = source.span(node)[0]
                piece = source.synthetic("'", at) + piece + source.synthetic("'", at)
            line = line + source.synthetic(" ", start) + piece
    return line


def _context_workspace(script: str, declared: list[tuple[str, Mount, bool]], working_dir: str) -> str | None:
    """The mount path of the workspace the build context is in (None when it is in none of them); a
    relative context is taken from the step's working directory."""
    for call in executor_calls(script):
        context = call.last("--context")
        value = context.value if context is not None else "/workspace/"
        path = value[len("dir://"):] if value.startswith("dir://") else value
        path = posixpath.join(working_dir, path)
        candidates = [m.path for _, m, _ in declared if is_within(posixpath.normpath(path), m.path)]
        if candidates:
            return max(candidates, key=len)
    return None


def _as_repository(value: str, root: str | None) -> str:
    """A path under the checkout's workspace spelled from the repository root (`$WORKSPACE/...`)."""
    if root is None:
        return value
    scheme = "dir://" if value.startswith("dir://") else ""
    path = value[len(scheme):]
    if path.startswith("/") and is_within(posixpath.normpath(path), root):
        rest = posixpath.normpath(path)[len(root.rstrip("/")):]
        return scheme + "$WORKSPACE" + rest
    return value


def _repository_path(working_dir: str | None, root: str | None) -> str | None:
    if working_dir is None or root is None or not is_within(posixpath.normpath(working_dir), root):
        return None
    return posixpath.normpath(working_dir)[len(root.rstrip("/")):].lstrip("/")
