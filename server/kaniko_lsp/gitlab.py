"""GitLab CI: the jobs of a `.gitlab-ci.yml` whose script runs the kaniko executor.

A job runs in its `image` (often the executor's debug image with `entrypoint: [""]`), in
`$CI_PROJECT_DIR` (`/builds/<namespace>/<project>`), with the runner's builds volume mounted at
`/builds` (docs/launchers.md; the runner's other volumes live in its `config.toml`, outside the
repository, and are not known here). `before_script` and `script` are read as one shell script, with
`extends` (and `default:`) merged and `variables` of the file, the job and GitLab's predefined ones
substituted in the executor's flags. `$CI_PROJECT_DIR` is this repository's checkout.
"""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from .jenkins.pipeline import KanikoBuild, Pipeline
from .jenkins.plugin import kubernetes_mounts
from .jenkins.templates import TemplateSpec
from .kaniko import executor_calls
from .launched import YamlSource, as_repository, compose, items, mapping, text_of
from .model import Container, Mount, MountSource, Pod, PodTemplate, ScalarRef
from .text import Embedded

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


def read_gitlab(path: str, text: str) -> Pipeline:
    """The kaniko builds of the jobs of a GitLab CI file, each with the container it runs in; never raises."""
    pipeline = Pipeline(path)
    source = YamlSource(path, text)
    for document in compose(source, pipeline):
        if not isinstance(document, MappingNode):
            continue
        top = mapping(document)
        defaults = {**{k: top[k] for k in ("image", "before_script") if k in top}, **mapping(top.get("default"))}
        variables = _variables(top.get("variables"), {})
        for key, node in document.value:
            name = text_of(key)
            if name is None or name in _NOT_JOBS or name.startswith(".") or not isinstance(node, MappingNode):
                continue
            extended, chain = _extended(top, mapping(node), set())
            job = {**defaults, **extended}
            if "script" in job:
                _read_job(source, top, key, name, job, chain, variables, pipeline)
    return pipeline


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


def _script(source: YamlSource, top: dict[str, Node], job: dict[str, Node]) -> Embedded | None:
    """`before_script` and `script` as one shell script placed over the file (`!reference` tags
    followed)."""
    line: Embedded | None = None
    for key in ("before_script", "script"):
        for item in _lines(top, job.get(key), 0):
            piece = source.embedded(item, item.value)
            line = piece if line is None else line + source.synthetic("\n", source.span(item)[0]) + piece
    return line


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


def _read_job(source: YamlSource, top: dict[str, Node], key: Node, name: str, job: dict[str, Node],
              chain: list[Node], variables: dict[str, str], pipeline: Pipeline) -> None:
    script = _script(source, top, job)
    if script is None or "executor" not in script.text:
        return
    for node in chain:
        variables = _variables(node, variables)
    origin = source.location(key)
    container = Container(name=name, image=_image(job) or None, working_dir=ScalarRef(PROJECT_DIR, origin),
                          name_ref=ScalarRef(name, origin), command=("sh",))
    container.mounts = [Mount(BUILDS_DIR, MountSource.GITLAB_BUILDS), *kubernetes_mounts()]
    pod = Pod(PodTemplate([container], agent_name=name, origin=origin, launcher=LAUNCHER), [container])
    spec = TemplateSpec(origin, pod=pod)
    pipeline.specs.append(spec)
    for call in executor_calls(script.text):
        for values in call.flags.values():
            for value in values:
                value.value = as_repository(_substitute(value.value, variables), PROJECT_DIR)
        build = KanikoBuild(spec, name, "", script, call, step=len(pipeline.shell_steps))
        if call.last("--context") is None:
            build.not_followed = "it has no --context, so kaniko builds its own /workspace, not the repository"
        pipeline.builds.append(build)

