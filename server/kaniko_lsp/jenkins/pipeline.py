"""From a Jenkinsfile to the facts kaniko-lsp needs: agent pods, kaniko builds, files it writes."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from ..groovy import tree
from ..kaniko import ExecutorCall, executor_calls
from ..kube import read_pod
from ..model import Location, Pod, PodTemplate
from ..text import Embedded, LineIndex
from .plugin import assemble

_STRING_METHODS = {"stripIndent", "stripMargin", "toString", "trim", "stripTrailing"}


@dataclass
class KanikoBuild:
    """One `/kaniko/executor` call in an `sh` step, with what the pipeline tells about it."""

    pod: Pod | None
    container: str
    cwd: str
    """The step's directory relative to the checkout root ("" is the root)."""
    script: Embedded
    call: ExecutorCall

    @property
    def location(self) -> Location:
        """The executor word of the command line."""
        return self.script.location(self.call.start, self.call.end)


@dataclass
class WrittenFile:
    path: str
    content: Embedded


@dataclass
class Problem:
    location: Location
    message: str


@dataclass
class Pipeline:
    path: str
    pods: list[Pod] = field(default_factory=list)
    builds: list[KanikoBuild] = field(default_factory=list)
    written: dict[str, WrittenFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    yaml_errors: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    pod: Pod | None = None
    container: str | None = None
    cwd: str = ""


class _Reader:
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.index = LineIndex(source)
        self.pipeline = Pipeline(path)
        self.variables: dict[str, tree.Node] = {}

    def string(self, node: tree.Node | None, depth: int = 0) -> Embedded | None:
        """The text a Groovy expression evaluates to when it is a constant string, else None."""
        if node is None or depth > 20:
            return None
        if isinstance(node, tree.Str):
            return Embedded(node.value, self.path, self.index, node.offsets)
        if isinstance(node, tree.Call) and node.name in _STRING_METHODS and node.target is not None:
            inner = self.string(node.target, depth + 1)
            if inner is not None and node.name == "trim":
                lead = len(inner.text) - len(inner.text.lstrip())
                return inner.slice(lead, lead + len(inner.text.strip()))
            return inner
        if isinstance(node, tree.Binary) and node.op == "+":
            left, right = self.string(node.left, depth + 1), self.string(node.right, depth + 1)
            if left is None or right is None:
                return None
            offsets = list(left.offsets or range(len(left.text) + 1))[:-1] + list(right.offsets or [])
            return Embedded(left.text + right.text, self.path, self.index, offsets)
        if isinstance(node, tree.Name):
            return self.string(self.variables.get(node.name), depth + 1)
        return None

    def location(self, node: tree.Node) -> Location:
        return Location(self.path, self.index.range(node.start, node.end))

    def walk(self, body: list[tree.Node], context: _Context) -> None:
        for node in body:
            context = self.statement(node, context)

    def statement(self, node: tree.Node, context: _Context) -> _Context:
        if isinstance(node, tree.Assign):
            if isinstance(node.target, tree.Name):
                self.variables[node.target.name] = node.value
            self.nested(node.value, context)
            return context
        if not isinstance(node, tree.Call):
            self.nested(node, context)
            return context
        name = node.name if node.target is None else ""
        if name == "agent" and node.closure is not None:
            pod = self.agent(node.closure)
            if pod is not None:
                return _Context(pod, pod.template.default_container, context.cwd)
            return context
        if name == "container" and node.closure is not None:
            container = self.string(node.arg("name") or node.arg(None, 0))
            inner = _Context(context.pod, container.text if container else None, context.cwd)
            self.walk(node.closure.body, inner)
            return context
        if name == "dir" and node.closure is not None:
            sub = self.string(node.arg("path") or node.arg(None, 0))
            cwd = posixpath.normpath(posixpath.join(context.cwd, sub.text)) if sub else context.cwd
            self.walk(node.closure.body, _Context(context.pod, context.container, "" if cwd == "." else cwd))
            return context
        if name == "sh":
            self.shell_step(node, context)
        elif name == "writeFile":
            self.write_file(node, context)
        self.nested(node, context)
        return context

    def nested(self, node: tree.Node, context: _Context) -> None:
        """Visits closures inside `node` (trailing or passed as arguments) in the same context."""
        if isinstance(node, tree.Call):
            for arg in node.args:
                self.nested(arg.value, context)
            if node.closure is not None:
                self.walk(node.closure.body, context)
        elif isinstance(node, tree.Closure):
            self.walk(node.body, context)
        elif isinstance(node, tree.ListLit):
            for item in node.items:
                self.nested(item, context)
            for entry in node.entries:
                self.nested(entry.value, context)

    def agent(self, closure: tree.Closure) -> Pod | None:
        kubernetes = next((n for n in closure.body if isinstance(n, tree.Call) and n.name == "kubernetes"), None)
        if kubernetes is None or kubernetes.closure is None:
            return None
        settings = {n.name: n for n in kubernetes.closure.body if isinstance(n, tree.Call) and n.target is None}
        yaml_text = self.string(settings["yaml"].arg(None, 0)) if "yaml" in settings else None
        containers, automount = [], True
        if yaml_text is not None:
            pod_yaml = read_pod(yaml_text)
            if pod_yaml.error is not None:
                self.pipeline.yaml_errors.append(Problem(*pod_yaml.error))
            containers, automount = pod_yaml.containers, pod_yaml.automount_service_account_token
        default = self.string(settings["defaultContainer"].arg(None, 0)) if "defaultContainer" in settings else None
        agent_name = self.string(settings["agentContainer"].arg(None, 0)) if "agentContainer" in settings else None
        template = PodTemplate(containers, agent_name.text if agent_name else "jnlp",
                               default.text if default else None, self.location_of_name(kubernetes), automount)
        pod = assemble(template)
        self.pipeline.pods.append(pod)
        return pod

    def location_of_name(self, call: tree.Call) -> Location:
        return Location(self.path, self.index.range(call.start, call.start + len(call.name)))

    def shell_step(self, node: tree.Call, context: _Context) -> None:
        script = self.string(node.arg("script") or node.arg(None, 0))
        if script is None:
            return
        for call in executor_calls(script.text):
            container = context.container or (context.pod.agent_name if context.pod else "jnlp")
            self.pipeline.builds.append(KanikoBuild(context.pod, container, context.cwd, script, call))

    def write_file(self, node: tree.Call, context: _Context) -> None:
        file = self.string(node.arg("file"))
        text = self.string(node.arg("text"))
        if file is None or text is None:
            return
        path = posixpath.normpath(posixpath.join(context.cwd, file.text.strip()))
        self.pipeline.written[path] = WrittenFile(path, text)


def read_pipeline(path: str, source: str) -> Pipeline:
    """Reads a Jenkinsfile; never raises. `path` is the file's workspace-relative POSIX path."""
    reader = _Reader(path, source)
    script = tree.parse(source)
    for problem in script.problems:
        reader.pipeline.problems.append(
            Problem(Location(path, reader.index.range(problem.start, problem.end)), problem.message))
    reader.walk(script.body, _Context())
    return reader.pipeline
