"""From a Jenkinsfile to the facts kaniko-lsp needs: pod templates, kaniko builds, files it writes.

Declarative (`agent { kubernetes { ... } }` at pipeline or stage level) and scripted
(`podTemplate(...) { node(POD_LABEL) { ... } }`, nested) pipelines are read into `TemplateSpec`s; the
steps under them (`container`, `dir`, `sh`, `writeFile`) into kaniko builds with their directory and
container. Reading is pure: files the pipeline refers to (yamlFile, readTrusted) are only named here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from .. import shell
from ..dockerfile.parse import Dockerfile
from ..dockerfile.parse import parse as parse_dockerfile
from ..groovy import tree
from ..kaniko import ExecutorCall, clean, executor_calls
from ..model import Container, Location, Mount, MountSource, ScalarRef
from ..text import Embedded, LineIndex
from .templates import TemplateSpec, YamlFragment, merge_containers, merge_volumes

_STEPS = {"agent", "podTemplate", "node", "container", "dir", "sh", "writeFile"}
"""Calls that matter to the analysis; any other call matters only for the closures inside it."""
_STRING_METHODS = {"stripIndent", "stripMargin", "toString", "trim", "stripTrailing", "strip"}
_FILE_READERS = {"readTrusted", "readFile"}
_READ_ONLY_VOLUMES = {"secretVolume", "configMapVolume"}
_VOLUMES = _READ_ONLY_VOLUMES | {"hostPathVolume", "emptyDirVolume", "nfsVolume", "persistentVolumeClaim",
                                 "dynamicPVC", "genericEphemeralVolume"}


@dataclass
class KanikoBuild:
    """One `/kaniko/executor` call in an `sh` step, with what the pipeline tells about it."""

    spec: TemplateSpec | None
    container: str
    cwd: str
    """The step's directory relative to the checkout root ("" is the root)."""
    script: Embedded
    call: ExecutorCall
    step: int = 0
    """Index of its `sh` step in `Pipeline.shell_steps`."""

    @property
    def location(self) -> Location:
        """The executor word of the command line."""
        return self.script.location(self.call.start, self.call.end)


@dataclass
class ContainerStep:
    spec: TemplateSpec
    name: str
    location: Location


@dataclass
class WrittenFile:
    path: str
    content: Embedded

    @cached_property
    def dockerfile(self) -> Dockerfile:
        """The content read as a Dockerfile (for a build that uses this file)."""
        return parse_dockerfile(self.content)


@dataclass
class Problem:
    location: Location
    message: str


@dataclass
class Pipeline:
    path: str
    specs: list[TemplateSpec] = field(default_factory=list)
    builds: list[KanikoBuild] = field(default_factory=list)
    container_steps: list[ContainerStep] = field(default_factory=list)
    shell_steps: list[tuple[TemplateSpec | None, str]] = field(default_factory=list)
    """(pod template, container) of every `sh` step, in order."""
    written: dict[str, WrittenFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    spec: TemplateSpec | None = None
    container: str | None = None
    cwd: str = ""


class _Reader:
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.index = LineIndex(source)
        self.pipeline = Pipeline(path)
        self.variables: dict[str, tree.Node] = {}

    # --- values ----------------------------------------------------------------------------
    def string(self, node: tree.Node | None, depth: int = 0) -> Embedded | None:
        """The text a Groovy expression evaluates to when it is a constant string, else None.

        GString interpolations of known constants are substituted; others stay as written.
        """
        if node is None or depth > 20:
            return None
        if isinstance(node, tree.Str):
            return self.interpolate(node, depth)
        if isinstance(node, tree.Call) and node.name in _STRING_METHODS and node.target is not None:
            inner = self.string(node.target, depth + 1)
            if inner is not None and node.name in ("trim", "strip"):
                lead = len(inner.text) - len(inner.text.lstrip())
                return inner.slice(lead, lead + len(inner.text.strip()))
            return inner
        if isinstance(node, tree.Binary) and node.op == "+":
            left, right = self.string(node.left, depth + 1), self.string(node.right, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(node, tree.Binary) and node.op == "?:":
            return self.string(node.left, depth + 1) or self.string(node.right, depth + 1)
        if isinstance(node, tree.Name):
            return self.string(self.variables.get(node.name), depth + 1)
        return None

    def interpolate(self, node: tree.Str, depth: int) -> Embedded:
        text = Embedded(node.value, self.path, self.index, node.offsets)
        result: Embedded | None = None
        cursor = 0
        for interpolation in node.interpolations:
            name = interpolation.expression
            value = self.string(self.variables.get(name), depth + 1) if name.isidentifier() else None
            if value is None:
                continue
            piece = text.slice(cursor, interpolation.start) + value
            result = piece if result is None else result + piece
            cursor = interpolation.end
        if result is None:
            return text
        return result + text.slice(cursor, len(node.value))

    def boolean(self, node: tree.Node | None) -> bool:
        return isinstance(node, tree.Name) and node.name == "true"

    def location(self, node: tree.Node) -> Location:
        return Location(self.path, self.index.range(node.start, node.end))

    def scalar(self, node: tree.Node | None) -> ScalarRef | None:
        """A string argument with the location of its text (inside the quotes)."""
        value = self.string(node)
        if value is None or node is None:
            return None
        return ScalarRef(value.text, value.location(0, len(value.text)))

    # --- statements ------------------------------------------------------------------------
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
        if node.closure is None and node.name not in _STEPS and all(isinstance(a.value, tree.Str) for a in node.args):
            return context
        name = node.name if node.target is None else ""
        if name == "agent" and node.closure is not None:
            spec = self.declarative_agent(node.closure)
            if spec is not None:
                return _Context(spec, spec.default_container, context.cwd)
            return context
        if name == "agent":
            choice = node.arg(None, 0)
            if isinstance(choice, tree.Name) and choice.name == "none":
                return _Context(None, None, context.cwd)
            spec = self.controller_agent(node, "agent")
            return _Context(spec, None, context.cwd) if spec else context
        if name == "podTemplate":
            self.pod_template(node, context)
            return context
        if name == "node" and node.closure is not None:
            label = node.arg(None, 0)
            inside = context
            if context.spec is None and label is not None and not (isinstance(label, tree.Name)
                                                                   and label.name == "POD_LABEL"):
                spec = self.controller_agent(node, "node")
                inside = _Context(spec, None, context.cwd) if spec else context
            self.walk(node.closure.body, inside)
            return context
        if name == "container" and node.closure is not None:
            argument = node.arg("name") or node.arg(None, 0)
            container = self.string(argument)
            if container is not None and argument is not None and context.spec is not None:
                self.pipeline.container_steps.append(ContainerStep(context.spec, container.text,
                                                                   self.location(argument)))
            inner = _Context(context.spec, container.text if container else None, context.cwd)
            self.walk(node.closure.body, inner)
            return context
        if name == "dir" and node.closure is not None:
            sub = self.string(node.arg("path") or node.arg(None, 0))
            cwd = posixpath.normpath(posixpath.join(context.cwd, sub.text)) if sub else context.cwd
            self.walk(node.closure.body, _Context(context.spec, context.container, "" if cwd == "." else cwd))
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

    # --- pod templates ---------------------------------------------------------------------
    def settings(self, call: tree.Call) -> dict[str, tree.Node]:
        """Named arguments of `call` plus `key value` command calls of its closure."""
        found = {a.name: a.value for a in call.args if a.name}
        if call.closure is not None:
            for node in call.closure.body:
                if isinstance(node, tree.Call) and node.target is None:
                    value = node.arg(None, 0)
                    found[node.name] = value if value is not None else node
        return found

    def declarative_agent(self, closure: tree.Closure) -> TemplateSpec | None:
        for node in closure.body:
            if isinstance(node, tree.Call) and node.name == "kubernetes":
                return self.declarative_kubernetes(node)
            if isinstance(node, tree.Call) and node.name in ("label", "node"):
                return self.controller_agent(node, "agent")
            if isinstance(node, tree.Name) and node.name == "any":
                return self.controller_agent(node, "agent")
        return None

    def controller_agent(self, node: tree.Node, kind: str) -> TemplateSpec | None:
        """An agent chosen by label (or `any`): its pod is defined on the Jenkins controller."""
        if isinstance(node, tree.Call):
            if node.closure is None and node.arg(None, 0) is None and not node.args:
                return None
            label = self.string(node.arg(None, 0) or node.arg("label"))
        else:
            label = None
        described = f"agents labelled '{label.text}'" if label else "any agent"
        spec = TemplateSpec(self.location(node))
        spec.incomplete.append((spec.origin, f"the steps run on {described}, whose pod is defined on the "
                                             "Jenkins controller"))
        self.pipeline.specs.append(spec)
        return spec

    def declarative_kubernetes(self, call: tree.Call) -> TemplateSpec:
        spec = TemplateSpec(Location(self.path, self.index.range(call.start, call.start + len(call.name))))
        settings = self.settings(call)
        if "yamlFile" in settings:
            spec.yamls = [self.yaml_file(settings["yamlFile"], "yamlFile")]
        elif "yaml" in settings:
            spec.yamls = [self.yaml_fragment(settings["yaml"])]
        for template in self.container_templates(settings):
            spec.containers.append(template)
        self.common_settings(spec, settings)
        default = self.string(settings.get("defaultContainer"))
        spec.default_container = default.text if default else None
        single = settings.get("containerTemplate")
        if spec.default_container is None and single is not None and spec.containers:
            spec.default_container = spec.containers[0].name  # the agent body runs in container(<its name>)
        label = settings.get("label")
        if label is not None and not spec.yamls and not spec.containers:
            text = self.string(label)
            spec.incomplete.append((self.location(label), f"the pod comes from the template labelled "
                                                          f"'{text.text if text else '?'}' on the Jenkins controller"))
        self.pipeline.specs.append(spec)
        return spec

    def pod_template(self, call: tree.Call, context: _Context) -> None:
        origin = Location(self.path, self.index.range(call.start, call.start + len(call.name)))
        settings = {a.name: a.value for a in call.args if a.name}
        inherit = self.string(settings.get("inheritFrom"))
        if context.spec is not None and (inherit is None or inherit.text.strip()):
            spec = context.spec.child(origin)
        else:
            spec = TemplateSpec(origin)
        if "yaml" in settings:
            spec.yamls.append(self.yaml_fragment(settings["yaml"]))
        spec.containers = merge_containers(spec.containers, self.container_templates(settings))
        spec.volumes = merge_volumes(spec.volumes, self.volumes(settings.get("volumes")))
        self.common_settings(spec, settings)
        self.pipeline.specs.append(spec)
        if call.closure is not None:
            self.walk(call.closure.body, _Context(spec, None, context.cwd))

    def common_settings(self, spec: TemplateSpec, settings: dict[str, tree.Node]) -> None:
        inherit = settings.get("inheritFrom")
        inherit_text = self.string(inherit)
        if inherit is not None and (inherit_text is None or inherit_text.text.strip()):
            name = inherit_text.text if inherit_text else "?"
            spec.incomplete.append((self.location(inherit), f"the pod inherits from template '{name}', defined on "
                                                            "the Jenkins controller"))
        strategy = settings.get("yamlMergeStrategy")
        if isinstance(strategy, tree.Call):
            spec.merge_yaml = strategy.name == "merge"
        agent = self.string(settings.get("agentContainer"))
        if agent is not None:
            spec.agent_name = agent.text
        if "agentInjection" in settings:
            spec.agent_injection = self.boolean(settings["agentInjection"])
        if "workingDir" in settings:
            spec.ignored_working_dir = self.scalar(settings["workingDir"]) or ScalarRef(
                "?", self.location(settings["workingDir"]))

    def yaml_fragment(self, node: tree.Node) -> YamlFragment:
        if isinstance(node, tree.Call) and node.target is None and node.name in _FILE_READERS:
            return self.yaml_file(node.arg("path") or node.arg("file") or node.arg(None, 0), node.name)
        if isinstance(node, tree.Call) and node.target is None and node.name == "libraryResource":
            return YamlFragment(reference=self.location(node), unknown="the pod YAML comes from a shared library "
                                                                       "(libraryResource)")
        text = self.string(node)
        if text is None:
            return YamlFragment(reference=self.location(node), unknown="the pod YAML is computed at run time")
        return YamlFragment(inline=text, reference=self.location(node))

    def yaml_file(self, node: tree.Node | None, how: str) -> YamlFragment:
        path = self.string(node)
        if path is None or node is None or "$" in path.text:
            where = self.location(node) if node is not None else None
            return YamlFragment(reference=where, unknown=f"the {how} path is computed at run time")
        return YamlFragment(file=posixpath.normpath(path.text.strip().lstrip("/")),
                            reference=path.location(0, len(path.text)))

    def container_templates(self, settings: dict[str, tree.Node]) -> list[Container]:
        nodes: list[tree.Node] = []
        for key in ("containers", "containerTemplates", "containerTemplate"):
            value = settings.get(key)
            if isinstance(value, tree.ListLit):
                nodes.extend(value.items)
            elif isinstance(value, tree.Call) and key == "containerTemplates" and value.closure is not None:
                nodes.extend(value.closure.body)
            elif value is not None:
                nodes.append(value)
        return [c for n in nodes if isinstance(n, tree.Call) and (c := self.container_template(n)) is not None]

    def container_template(self, call: tree.Call) -> Container | None:
        if call.name != "containerTemplate":
            return None
        settings = self.settings(call)
        name_node = settings.get("name")
        name = self.scalar(name_node)
        if name is None or name_node is None:
            return None
        image = self.string(settings.get("image"))
        command = self.string(settings.get("command"))
        working_dir = self.scalar(settings.get("workingDir"))
        quote = '"' if isinstance(name_node, tree.Str) and name_node.quote.startswith('"') else "'"
        insertion = None
        if any(a.value is name_node for a in call.args):
            insertion = (Location(self.path, self.index.range(name_node.end, name_node.end)),
                         f", workingDir: {quote}{{}}{quote}")
        return Container(name.value, image.text if image else None,
                         working_dir if working_dir and working_dir.value else None, name_ref=name,
                         key_insertion=insertion, from_template=True,
                         command=tuple(command.text.split()) if command else ())

    def volumes(self, node: tree.Node | None) -> list[Mount]:
        mounts: list[Mount] = []
        items = node.items if isinstance(node, tree.ListLit) else []
        for item in items:
            if not isinstance(item, tree.Call) or item.name not in _VOLUMES:
                continue
            settings = self.settings(item)
            path = self.scalar(settings.get("mountPath"))
            if path is None or not path.value.startswith("/"):
                continue
            read_only = item.name in _READ_ONLY_VOLUMES or self.boolean(settings.get("readOnly"))
            normalized = clean(path.value.replace("\\", "/"))
            if all(m.path != normalized for m in mounts):
                mounts.append(Mount(normalized, MountSource.TEMPLATE, read_only, path.location))
        return mounts

    # --- steps -----------------------------------------------------------------------------
    def shell_step(self, node: tree.Call, context: _Context) -> None:
        container = context.container or (context.spec.agent_name if context.spec else "jnlp")
        self.pipeline.shell_steps.append((context.spec, container))
        script = self.string(node.arg("script") or node.arg(None, 0))
        if script is None:
            return
        commands = shell.commands(script.text)
        for call in executor_calls(commands):
            self.pipeline.builds.append(KanikoBuild(context.spec, container, context.cwd, script, call,
                                                    len(self.pipeline.shell_steps) - 1))
        self.shell_written_files(script, commands, context)

    def shell_written_files(self, script: Embedded, commands: Sequence[shell.Command], context: _Context) -> None:
        """Files an `sh` step writes with `echo ... > F`, `printf ... > F` or `cat > F <<EOF`."""
        for command in commands:
            targets = [r for r in command.redirects if r.operator in (">", ">>") and not r.target.dynamic]
            if not targets or command.name not in ("echo", "printf", "cat"):
                continue
            content = _command_output(command, script)
            if content is None:
                continue
            for redirect in targets:
                path = posixpath.normpath(posixpath.join(context.cwd, redirect.target.value))
                previous = self.pipeline.written.get(path)
                if redirect.operator == ">>" and previous is not None:
                    content = previous.content + content
                self.pipeline.written[path] = WrittenFile(path, content)

    def write_file(self, node: tree.Call, context: _Context) -> None:
        file = self.string(node.arg("file"))
        text = self.string(node.arg("text"))
        if file is None or text is None:
            return
        path = posixpath.normpath(posixpath.join(context.cwd, file.text.strip()))
        self.pipeline.written[path] = WrittenFile(path, text)


def _command_output(command: shell.Command, script: Embedded) -> Embedded | None:
    """What `echo`/`printf`/`cat <<EOF` prints, mapped to the script text where it can be."""
    if command.name == "cat":
        body = next((r.body for r in command.redirects if r.body is not None), None)
        return script.slice(body.start, body.end) if body is not None else None
    words = [w for w in command.words[1:] if not (command.name == "echo" and w.value in ("-e", "-n", "-E"))]
    if not words:
        return None
    pieces: list[Embedded] = []
    for n, word in enumerate(words):
        value = word.value.replace("\\n", "\n") if command.name == "printf" else word.value
        inner = word.start + 1 if word.quoted else word.start
        raw = script.text[inner:inner + len(value)]
        if raw == value:
            pieces.append(script.slice(inner, inner + len(value)))
        else:
            pieces.append(Embedded.at(value, script.path, script.host, script.host_offset(word.start)))
        if n + 1 < len(words):
            pieces.append(Embedded.at(" ", script.path, script.host, script.host_offset(word.end)))
    if command.name == "echo":
        pieces.append(Embedded.at("\n", script.path, script.host, script.host_offset(words[-1].end)))
    result = pieces[0]
    for piece in pieces[1:]:
        result = result + piece
    return result


def read_pipeline(path: str, source: str) -> Pipeline:
    """Reads a Jenkinsfile; never raises. `path` is the file's workspace-relative POSIX path."""
    reader = _Reader(path, source)
    script = tree.parse(source)
    for problem in script.problems:
        reader.pipeline.problems.append(
            Problem(Location(path, reader.index.range(problem.start, problem.end)), problem.message))
    reader.walk(script.body, _Context())
    return reader.pipeline
