"""GitLab CI: the jobs of a `.gitlab-ci.yml` whose script runs the kaniko executor.

A job runs in its `image` (often the executor's debug image with `entrypoint: [""]`), in
`$CI_PROJECT_DIR` (`/builds/<namespace>/<project>`), with the runner's builds volume mounted at
`/builds` (docs/launchers.md; the runner's other volumes live in its `config.toml`, outside the
repository, and are not known here). `before_script` and `script` are read as one shell script, with
`extends` (and `default:`) merged and `variables` of the file, the job and GitLab's predefined ones
substituted in the executor's flags. `$CI_PROJECT_DIR` is this repository's checkout.

Local files a file includes (`include: path`, `include: [{local: path}]`, a wildcard path naming several,
and what those include) are merged under it, as GitLab does: their jobs run in its pipeline, and its jobs
may extend or `!reference` theirs. Remote, project, template and component includes live outside the
repository and are not read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .jenkins.pipeline import KanikoBuild, Pipeline
from .jenkins.plugin import kubernetes_mounts
from .jenkins.templates import TemplateSpec
from .kaniko import executor_calls
from .launched import YamlSource, as_repository, compose, items, mapping, text_of
from .model import Container, Mount, MountSource, Pod, PodTemplate, ScalarRef
from .text import Embedded
from .workspace import PATH_WILDCARD

LAUNCHER = "gitlab"
BUILDS_DIR = "/builds"
"""The runner's builds directory (`builds_dir`): a volume on the Docker and Kubernetes executors."""
PROJECT_DIR = "/builds/GROUP/PROJECT"
"""`$CI_PROJECT_DIR` as a path: the namespace and project are not known statically."""
_NOT_JOBS = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
             "before_script", "after_script", "types", "spec"}
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_MAX_REFERENCE_DEPTH = 10
_PREDEFINED = {"CI_PROJECT_DIR": "$WORKSPACE", "CI_BUILDS_DIR": BUILDS_DIR}
MAX_INCLUDES = 150
"""GitLab's own limit on the files a pipeline includes."""

SourceOf = Callable[[Node], YamlSource]


def local_includes(text: str) -> list[str]:
    """Repository paths of the local files a GitLab CI file includes, in order; a path with wildcards
    (`configs/*.yml`) as a PATH_WILDCARD pattern (paths with variables are left out)."""
    if "include" not in text:
        return []
    found: list[str] = []
    for document in compose(YamlSource("", text), Pipeline("")):
        node = mapping(document).get("include")
        for entry in [node] if isinstance(node, (ScalarNode, MappingNode)) else items(node):
            value = text_of(entry) if isinstance(entry, ScalarNode) else text_of(mapping(entry).get("local"))
            if not value or "://" in value or "$" in value:
                continue
            path = PATH_WILDCARD + value.lstrip("/") if "*" in value else posixpath.normpath(value.lstrip("/"))
            if not path.startswith("..") and path not in found:
                found.append(path)
    return found


def included_files(path: str, text: str, read: Callable[[str], str | None],
                   includes: Callable[[str, str], list[str]] = lambda _path, text: local_includes(text),
                   glob: Callable[[str], list[str]] = lambda _pattern: []) -> list[tuple[str, str]]:
    """(path, text) of every local file `text` includes, directly or through another one, in the order
    GitLab merges them (at most MAX_INCLUDES; a file is read once). `includes` may remember
    `local_includes` per file; `glob` lists the files a wildcard include names (GitLab takes the YAML ones)."""
    found: dict[str, str] = {}

    def visit(included: list[str]) -> None:
        for name in included:
            if name.startswith(PATH_WILDCARD):
                visit([m for m in glob(name) if m.endswith((".yml", ".yaml"))])
                continue
            if name in found or name == path or len(found) >= MAX_INCLUDES:
                continue
            content = read(name)
            if content is None:
                continue
            found[name] = content
            visit(includes(name, content))

    visit(includes(path, text))
    return list(found.items())


def read_gitlab(path: str, text: str, included: Sequence[tuple[str, str]] = ()) -> Pipeline:
    """The kaniko builds of the jobs of a GitLab CI file (with the `included` files merged under it), each
    with the container it runs in; never raises."""
    pipeline = Pipeline(path)
    source = YamlSource(path, text)
    origins: dict[int, YamlSource] = {}
    base: dict[str, tuple[Node, Node]] = {}
    """The top-level keys of the included files, each with its key node and value node."""
    variables: dict[str, str] = {}
    for name, content in included:
        other = YamlSource(name, content)
        for document in compose(other, Pipeline(name)):
            if isinstance(document, MappingNode):
                _note_origin(document, other, origins)
                base.update(_entries(document))
                variables = _variables(mapping(document).get("variables"), variables)

    def source_of(node: Node) -> YamlSource:
        return origins.get(id(node), source)

    for document in compose(source, pipeline):
        if not isinstance(document, MappingNode):
            continue
        entries = {**base, **_entries(document)}
        top = {name: value for name, (_, value) in entries.items()}
        defaults: dict[str, Node] = {**{k: top[k] for k in ("image", "before_script") if k in top},
                                     **mapping(top.get("default"))}
        document_variables = _variables(mapping(document).get("variables"), variables)
        for name, (key, node) in entries.items():
            if name in _NOT_JOBS or name.startswith(".") or not isinstance(node, MappingNode):
                continue
            extended, chain = _extended(top, mapping(node), set())
            job = {**defaults, **extended}
            if "script" in job:
                _read_job(source_of, top, key, name, job, chain, document_variables, pipeline)
    return pipeline


def _entries(document: MappingNode) -> dict[str, tuple[Node, Node]]:
    """The top-level keys of a document, each with its key node and value node."""
    return {key.value: (key, value) for key, value in document.value if isinstance(key, ScalarNode)}


def _note_origin(node: Node, source: YamlSource, origins: dict[int, YamlSource]) -> None:
    """Notes `source` as the file of `node` and of every node under it."""
    pending = [node]
    while pending:
        current = pending.pop()
        origins[id(current)] = source
        if isinstance(current, MappingNode):
            for key, value in current.value:
                origins[id(key)] = source
                pending.append(value)
        elif isinstance(current, SequenceNode):
            pending.extend(current.value)


def _extended(top: dict[str, Node], job: dict[str, Node], seen: set[str]) -> tuple[dict[str, Node], list[Node]]:
    """A job with the jobs it `extends` merged under it, and the `variables` of all of them, the job's own
    last (variables merge key by key)."""
    parents = job.get("extends")
    names = [text_of(parents)] if isinstance(parents, ScalarNode) else [text_of(n) for n in items(parents)]
    merged: dict[str, Node] = {}
    variables: list[Node] = []
    for parent in names:
        if parent is None or parent in seen or not isinstance(top.get(parent), MappingNode):
            continue
        base, chain = _extended(top, mapping(top[parent]), seen | {parent})
        merged.update(base)
        variables += chain
    merged.update(job)
    if "variables" in job:
        variables.append(job["variables"])
    return merged, variables


def _variables(node: Node | None, outer: dict[str, str]) -> dict[str, str]:
    values = dict(outer)
    for key, value in mapping(node).items():
        text = text_of(value) if isinstance(value, ScalarNode) else text_of(mapping(value).get("value"))
        if text is not None:
            values[key] = _substitute(text, values)
    return values


def _substitute(text: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return values.get(name, _PREDEFINED.get(name, match.group(0)))

    return _VARIABLE.sub(value, text)


def _image(job: dict[str, Node]) -> str:
    image = job.get("image")
    return (text_of(image) if isinstance(image, ScalarNode) else text_of(mapping(image).get("name"))) or ""


def _scripts(source_of: SourceOf, top: dict[str, Node], job: dict[str, Node]) -> list[Embedded]:
    """`before_script` and `script` as one shell script placed over the file (`!reference` tags
    followed); lines from several files make one script per run of lines from the same file."""
    scripts: list[Embedded] = []
    last: YamlSource | None = None
    for key in ("before_script", "script"):
        for item in _lines(top, job.get(key), 0):
            source = source_of(item)
            piece = source.embedded(item, item.value)
            if source is last:
                scripts[-1] = scripts[-1] + source.synthetic("\n", source.span(item)[0]) + piece
            else:
                scripts.append(piece)
            last = source
    return scripts


def _lines(top: dict[str, Node], node: Node | None, depth: int) -> list[ScalarNode]:
    """The script lines of a node: a scalar, a list, or `!reference [job, key, ...]` (up to 10 deep, as
    GitLab allows)."""
    if isinstance(node, ScalarNode):
        return [node]
    if node is None or depth > _MAX_REFERENCE_DEPTH:
        return []
    if node.tag == "!reference":
        target: Node | None = None
        for step, name in enumerate(text_of(n) for n in items(node)):
            target = (top if step == 0 else mapping(target)).get(name or "")
        return _lines(top, target, depth + 1)
    return [line for item in items(node) for line in _lines(top, item, depth + 1)]


def _read_job(source_of: SourceOf, top: dict[str, Node], key: Node, name: str, job: dict[str, Node],
              chain: list[Node], variables: dict[str, str], pipeline: Pipeline) -> None:
    scripts = [script for script in _scripts(source_of, top, job) if "executor" in script.text]
    if not scripts:
        return
    for node in chain:
        variables = _variables(node, variables)
    origin = source_of(key).location(key)
    container = Container(name=name, image=_image(job) or None, working_dir=ScalarRef(PROJECT_DIR, origin),
                          name_ref=ScalarRef(name, origin), command=("sh",))
    container.mounts = [Mount(BUILDS_DIR, MountSource.GITLAB_BUILDS), *kubernetes_mounts()]
    pod = Pod(PodTemplate([container], agent_name=name, origin=origin, launcher=LAUNCHER), [container])
    spec = TemplateSpec(origin, pod=pod)
    pipeline.specs.append(spec)
    for script in scripts:
        for call in executor_calls(script.text):
            for values in call.flags.values():
                for value in values:
                    value.value = as_repository(_substitute(value.value, variables), PROJECT_DIR)
            build = KanikoBuild(spec, name, "", script, call, step=len(pipeline.shell_steps))
            if call.last("--context") is None:
                build.not_followed = "it has no --context, so kaniko builds its own /workspace, not the repository"
            pipeline.builds.append(build)
