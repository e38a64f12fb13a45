"""From a Jenkinsfile to the facts kaniko-lsp needs: pod templates, kaniko builds, files it writes.

Declarative (`agent { kubernetes { ... } }` at pipeline or stage level) and scripted
(`podTemplate(...) { node(POD_LABEL) { ... } }`, nested) pipelines are read into `TemplateSpec`s; the
steps under them (`container`, `dir`, `sh`, `writeFile`) into kaniko builds with their directory and
container. Reading is pure: files the pipeline refers to (yamlFile, readTrusted) are only named here.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .. import shell
from ..dockerfile.parse import Dockerfile
from ..dockerfile.parse import parse as parse_dockerfile
from ..groovy import tree
from ..kaniko import ExecutorCall, clean, executor_calls
from ..model import Container, Location, Mount, MountSource, ScalarRef
from ..text import Embedded, LineIndex
from .templates import TemplateSpec, YamlFragment, merge_containers, merge_volumes
from .values import MAX_ITEMS, Evaluator, ListValue, MapValue, Scope, Value, label

_STEPS = {"agent", "podTemplate", "node", "container", "dir", "sh", "writeFile"}
"""Calls that matter to the analysis; any other call matters only for the closures inside it."""
JOB = "JOB"
"""The job's folder in a workspace path (`/home/jenkins/agent/workspace/JOB`): not known statically."""
_WORKSPACE_SPELLING = re.compile(
    r"\$\{env\.WORKSPACE\}|\$\{WORKSPACE\}|\$WORKSPACE\b|\$env\.WORKSPACE\b|(\$\{pwd\(\)\})")
_SHELL_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
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
    labels: tuple[str, ...] = ()
    """The loop, matrix or method values this copy of the build was read with (`SERVICE=orders`)."""
    call_sites: tuple[Location, ...] = ()
    """The calls of the helper methods that lead to the build, outermost first."""
    not_followed: str | None = None
    """Why the build cannot be followed at all (it is in a method nothing in the file calls)."""

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
    expanded: bool = False
    """The text went through Groovy or shell expansion while it was written (a GString, an unquoted
    here-document): `${env.WORKSPACE}` and `$WORKSPACE` in it were replaced by the workspace path."""
    cwd: str = ""
    container: str | None = None
    """The container whose shell wrote it (None: the pipeline itself, `writeFile`)."""
    variants: dict[str | None, Dockerfile] = field(default_factory=dict, repr=False)

    def dockerfile_in(self, workspace: str | None) -> Dockerfile:
        """The content read as a Dockerfile, the workspace path (when known) substituted where Groovy or the
        shell substituted it while writing."""
        if not self.expanded:
            workspace = None
        if workspace not in self.variants:
            content = self.content
            if workspace is not None:
                content = _substituted(content, {"pwd": posixpath.join(workspace, self.cwd).rstrip("/"),
                                                 "workspace": workspace})
            self.variants[workspace] = parse_dockerfile(content)
        return self.variants[workspace]


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
    scope: Scope = field(default_factory=Scope)
    labels: tuple[str, ...] = ()
    call_sites: tuple[Location, ...] = ()
    methods: tuple[str, ...] = ()
    """Methods being read at their call sites (a method is not expanded inside itself)."""

    def bind(self, names: dict[str, Value], labels: tuple[str, ...] = ()) -> _Context:
        return replace(self, scope=replace(self.scope, names={**self.scope.names, **names}),
                       labels=self.labels + labels)

    def with_env(self, env: dict[str, Value], labels: tuple[str, ...] = ()) -> _Context:
        return replace(self, scope=replace(self.scope, env={**self.scope.env, **env}), labels=self.labels + labels)


_ITERATORS = {"each", "eachWithIndex", "collect", "collectEntries", "collectMany", "findAll", "every", "any",
              "eachEntry"}
MAX_METHOD_DEPTH = 6


class _Reader:
    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.index = LineIndex(source)
        self.pipeline = Pipeline(path)
        self.values = Evaluator(path, self.index)
        self.methods: dict[str, tree.MethodDef] = {}
        self.expanded: set[str] = set()

    # --- values ----------------------------------------------------------------------------
    def string(self, node: tree.Node | None) -> Embedded | None:
        """The text a Groovy expression evaluates to when it is a known string, else None.

        GString interpolations of known strings are substituted; others stay as written.
        """
        return self.values.string(node)

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
        """Reads statements in order; each may change the context of the ones after it (an agent, an
        environment variable). The evaluator sees the scope of the statement being read."""
        outer = self.values.scope
        for node in body:
            self.values.scope = context.scope
            context = self.statement(node, context)
        self.values.scope = outer

    def statement(self, node: tree.Node, context: _Context) -> _Context:
        if isinstance(node, tree.MethodDef):
            return context
        if isinstance(node, tree.Assign):
            return self.assignment(node, context)
        if not isinstance(node, tree.Call):
            self.nested(node, context)
            return context
        if node.target is None and node.name in self.methods:
            self.call_method(node, context)
            return context
        if node.target is not None and node.name in _ITERATORS and node.closure is not None:
            self.loop(node.closure, self.values.value(node.target), context, node.name == "eachWithIndex")
            return context
        if node.closure is None and node.name not in _STEPS and all(isinstance(a.value, tree.Str) for a in node.args):
            return context
        name = node.name if node.target is None else ""
        if name == "for" and node.closure is not None and node.args:
            self.for_in(node, context)
            return context
        if name == "environment" and node.closure is not None:
            return context.with_env(self.environment(node.closure))
        if name == "withEnv" and node.closure is not None:
            self.walk(node.closure.body, context.with_env(self.env_list(node.arg(None, 0))))
            return context
        if name == "matrix" and node.closure is not None:
            self.matrix(node.closure, context)
            return context
        if name == "agent" and node.closure is not None:
            spec = self.declarative_agent(node.closure)
            if spec is not None:
                return replace(context, spec=spec, container=spec.default_container)
            return context
        if name == "agent":
            choice = node.arg(None, 0)
            if isinstance(choice, tree.Name) and choice.name == "none":
                return replace(context, spec=None, container=None)
            spec = self.controller_agent(node, "agent")
            return replace(context, spec=spec, container=None) if spec else context
        if name == "podTemplate":
            self.pod_template(node, context)
            return context
        if name == "node" and node.closure is not None:
            label = node.arg(None, 0)
            inside = context
            if context.spec is None and label is not None and not (isinstance(label, tree.Name)
                                                                   and label.name == "POD_LABEL"):
                spec = self.controller_agent(node, "node")
                inside = replace(context, spec=spec, container=None) if spec else context
            self.walk(node.closure.body, inside)
            return context
        if name == "container" and node.closure is not None:
            argument = node.arg("name") or node.arg(None, 0)
            container = self.string(argument)
            if container is not None and argument is not None and context.spec is not None:
                self.pipeline.container_steps.append(ContainerStep(context.spec, container.text,
                                                                   self.location(argument)))
            self.walk(node.closure.body, replace(context, container=container.text if container else None))
            return context
        if name == "dir" and node.closure is not None:
            sub = self.string(node.arg("path") or node.arg(None, 0))
            cwd = posixpath.normpath(posixpath.join(context.cwd, sub.text)) if sub else context.cwd
            self.walk(node.closure.body, replace(context, cwd="" if cwd == "." else cwd))
            return context
        if name == "sh":
            self.shell_step(node, context)
        elif name == "writeFile":
            self.write_file(node, context)
        self.nested(node, context)
        return context

    # --- computed values: variables, loops, matrix, environment, methods --------------------------
    def assignment(self, node: tree.Assign, context: _Context) -> _Context:
        target = node.target
        self.nested(node.value, context)
        if isinstance(target, tree.Name):
            self.values.variables[target.name] = node.value
        elif isinstance(target, tree.Prop) and isinstance(target.target, tree.Name) and target.target.name == "env":
            value = self.values.value(node.value)
            self.values.assigned_env[target.name] = value
            return context.with_env({target.name: value})
        return context

    def loop(self, body: tree.Closure, over: Value, context: _Context, indexed: bool = False) -> None:
        """A closure run once per item of a list or map: read once per item, its parameters bound to the
        item (and index); once with unknown parameters when the items are not known."""
        params = body.params or ["it"]
        items: list[tuple[dict[str, Value], tuple[str, ...]]] = []
        if isinstance(over, ListValue) and len(over.items) <= MAX_ITEMS:
            for n, item in enumerate(over.items):
                bound: dict[str, Value] = {params[0]: item}
                if indexed and len(params) > 1:
                    bound[params[1]] = Embedded.at(str(n), self.path, self.index, body.start)
                items.append((bound, (f"{params[0]}={label(item)}",)))
        elif isinstance(over, MapValue) and len(over.entries) <= MAX_ITEMS:
            for key, item in over.entries:
                name = Embedded.at(key, self.path, self.index, body.start)
                if len(params) > 1:
                    bound = {params[0]: name, params[1]: item}
                else:
                    bound = {params[0]: MapValue((("key", name), ("value", item)))}
                items.append((bound, (f"{params[0]}={key}",)))
        if not items:
            items = [({p: None for p in params}, ())]
        for bound, labels in items:
            self.walk(body.body, context.bind(bound, labels))

    def for_in(self, node: tree.Call, context: _Context) -> None:
        condition = node.args[0].value
        assert node.closure is not None
        if isinstance(condition, tree.Binary) and condition.op == "in" and isinstance(condition.left, tree.Name):
            body = tree.Closure(node.closure.start, node.closure.end, [condition.left.name], node.closure.body)
            self.loop(body, self.values.value(condition.right), context)
        else:
            self.walk(node.closure.body, context)

    def environment(self, block: tree.Closure) -> dict[str, Value]:
        """`environment { X = '...' }`: each variable, known or not (later ones may use earlier ones)."""
        env: dict[str, Value] = {}
        outer = self.values.scope
        for node in block.body:
            if isinstance(node, tree.Assign) and isinstance(node.target, tree.Name):
                self.values.scope = replace(outer, env={**outer.env, **env})
                env[node.target.name] = self.values.value(node.value)
        self.values.scope = outer
        return env

    def env_list(self, node: tree.Node | None) -> dict[str, Value]:
        """`withEnv(['A=b', "C=${d}"])`."""
        env: dict[str, Value] = {}
        value = self.values.value(node)
        for item in value.items if isinstance(value, ListValue) else ():
            if isinstance(item, Embedded) and "=" in item.text:
                name = item.text.split("=", 1)[0].strip()
                env[name] = item.slice(len(item.text.split("=", 1)[0]) + 1, len(item.text))
        return env

    def matrix(self, block: tree.Closure, context: _Context) -> None:
        """Declarative `matrix`: its stages read once per combination of axis values (less `excludes`),
        each axis an environment variable."""
        axes: list[tuple[str, list[Embedded]]] = []
        excludes: list[list[tuple[str, set[str], bool]]] = []
        for node in block.body:
            if isinstance(node, tree.Call) and node.name == "axes" and node.closure is not None:
                axes = [a for a in (self.axis(n) for n in node.closure.body) if a is not None]
            elif isinstance(node, tree.Call) and node.name == "excludes" and node.closure is not None:
                for exclude in node.closure.body:
                    if isinstance(exclude, tree.Call) and exclude.name == "exclude" and exclude.closure is not None:
                        excludes.append(self.exclusion(exclude.closure))
        combinations: list[dict[str, Embedded]] = [{}]
        for name, values in axes:
            combinations = [{**c, name: v} for c in combinations for v in values][:MAX_ITEMS]
        for combination in combinations:
            if any(all((combination[n].text in v) != negated for n, v, negated in rule if n in combination)
                   for rule in excludes if rule):
                continue
            labels = (", ".join(f"{n}={v.text}" for n, v in combination.items()),) if combination else ()
            self.walk(block.body, context.with_env(dict(combination), labels))

    def axis(self, node: tree.Node) -> tuple[str, list[Embedded]] | None:
        if not (isinstance(node, tree.Call) and node.name == "axis" and node.closure is not None):
            return None
        settings = {n.name: n for n in node.closure.body if isinstance(n, tree.Call) and n.target is None}
        name = self.string(settings["name"].arg(None, 0)) if "name" in settings else None
        values = [v for a in settings["values"].args if (v := self.string(a.value)) is not None] \
            if "values" in settings else []
        return (name.text, values) if name is not None and values else None

    def exclusion(self, block: tree.Closure) -> list[tuple[str, set[str], bool]]:
        rules = []
        for node in block.body:
            if isinstance(node, tree.Call) and node.name == "axis" and node.closure is not None:
                settings = {n.name: n for n in node.closure.body if isinstance(n, tree.Call) and n.target is None}
                name = self.string(settings["name"].arg(None, 0)) if "name" in settings else None
                for key in ("values", "notValues"):
                    if name is not None and key in settings:
                        values = {v.text for a in settings[key].args if (v := self.string(a.value)) is not None}
                        rules.append((name.text, values, key == "notValues"))
        return rules

    def call_method(self, node: tree.Call, context: _Context) -> None:
        """A call of a method of the script: its body read here, its parameters bound to the arguments."""
        method = self.methods[node.name]
        self.nested(node, context)
        if method.name in context.methods or len(context.methods) >= MAX_METHOD_DEPTH:
            return
        self.expanded.add(method.name)
        positional = [a.value for a in node.args if a.name is None]
        named = [a for a in node.args if a.name is not None]
        bound: dict[str, Value] = {}
        if named and len(method.params) >= 1 and not positional:
            bound[method.params[0].name] = self.values.value(tree.ListLit(node.start, node.end, [], named))
        outer = self.values.scope
        for n, param in enumerate(method.params):
            if param.name in bound:
                continue
            if n < len(positional):
                bound[param.name] = self.values.value(positional[n])
            else:
                self.values.scope = replace(outer, names={**outer.names, **bound})
                bound[param.name] = self.values.value(param.default)
                self.values.scope = outer
        inside = replace(context.bind(bound), call_sites=(*context.call_sites, self.location(node)),
                         methods=(*context.methods, method.name))
        self.walk(method.body, inside)

    def uncalled_methods(self) -> None:
        """Methods nothing in the file calls (a shared library's steps): their builds cannot be followed."""
        for method in self.methods.values():
            if method.name in self.expanded:
                continue
            before = len(self.pipeline.builds)
            self.walk(method.body, _Context(methods=(method.name,)).bind({p.name: None for p in method.params}))
            for build in self.pipeline.builds[before:]:
                build.not_followed = (f"it is in method '{method.name}', which nothing in this file calls (its "
                                      "arguments are not known)")

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
            self.walk(call.closure.body, replace(context, spec=spec, container=None))

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
            env = {**self.values.assigned_env, **context.scope.env}
            _expand_flags(call, {k: v.text for k, v in env.items() if isinstance(v, Embedded)})
            self.pipeline.builds.append(KanikoBuild(context.spec, container, context.cwd, script, call,
                                                    len(self.pipeline.shell_steps) - 1, context.labels,
                                                    context.call_sites))
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
                self.pipeline.written[path] = WrittenFile(path, content, _expands(command, script), context.cwd,
                                                          context.container or "jnlp")

    def write_file(self, node: tree.Call, context: _Context) -> None:
        file = self.string(node.arg("file"))
        text_node = node.arg("text")
        text = self.string(text_node)
        if file is None or text is None:
            return
        path = posixpath.normpath(posixpath.join(context.cwd, file.text.strip()))
        gstring = any(isinstance(n, tree.Str) and n.quote.startswith(('"', "/", "$")) for n in tree.walk([text_node])) \
            if text_node is not None else False
        self.pipeline.written[path] = WrittenFile(path, text, gstring, context.cwd)


def _substituted(text: Embedded, paths: dict[str, str]) -> Embedded:
    """`text` with every spelling of the workspace (and `${pwd()}`) replaced by a path, each replacement
    placed where its spelling stands."""
    pieces: list[Embedded] = []
    cursor = 0
    for match in _WORKSPACE_SPELLING.finditer(text.text):
        path = paths["pwd" if match.group(1) else "workspace"]
        pieces.append(text.slice(cursor, match.start()))
        pieces.append(Embedded.at(path, text.path, text.host, text.host_offset(match.start())))
        cursor = match.end()
    if not pieces:
        return text
    result = pieces[0]
    for piece in [*pieces[1:], text.slice(cursor, len(text.text))]:
        result = result + piece
    return result


def _expand_flags(call: ExecutorCall, env: dict[str, str]) -> None:
    """Environment variables set by the pipeline, substituted in the executor's flags as the shell would."""
    if not env:
        return
    for values in call.flags.values():
        for flag in values:
            if "$" in flag.value:
                flag.value = _SHELL_VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), flag.value)


def _expands(command: shell.Command, script: Embedded) -> bool:
    """Whether the shell expands variables in what a command writes (an unquoted here-document, a
    double-quoted or bare `echo` argument)."""
    if command.name == "cat":
        redirect = next((r for r in command.redirects if r.body is not None), None)
        return redirect is not None and not redirect.target.quoted
    return any(not w.quoted or script.text[w.start] == '"' for w in command.words[1:])


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
    reader.methods = {n.name: n for n in script.body if isinstance(n, tree.MethodDef)}
    reader.walk(script.body, _Context())
    reader.uncalled_methods()
    reader.pipeline.builds = _merged(reader.pipeline.builds)
    return reader.pipeline


_ANALYSED_FLAGS = ("--context", "--dockerfile", "--target", "--build-arg", "--ignore-path", "--ignore-var-run",
                   "--whitelist-var-run", "--single-snapshot", "--use-new-run", "--cleanup", "--context-sub-path",
                   "--kaniko-dir")


def _merged(builds: list[KanikoBuild]) -> list[KanikoBuild]:
    """Copies of one build that differ only in what the analysis does not read (a loop that changes the
    destination): one build, with the labels and call sites of all."""
    kept: dict[tuple[object, ...], KanikoBuild] = {}
    for build in builds:
        flags = tuple((name, tuple(v.value for v in build.call.flags.get(name, []))) for name in _ANALYSED_FLAGS)
        key = (id(build.spec), build.container, build.cwd, build.script.host_offset(build.call.start), flags,
               tuple(sorted(build.call.env.items())), build.not_followed)
        first = kept.setdefault(key, build)
        if first is not build:
            first.labels = tuple(dict.fromkeys(first.labels + build.labels))
            first.call_sites = tuple(dict.fromkeys(first.call_sites + build.call_sites))
    return list(kept.values())
