"""Reading the containers that launchers other than Jenkins start from YAML (Tekton steps, Kubernetes
workloads): composed nodes with their places, the executor's command line rebuilt from `command` and
`args`, and the link from the volume holding the build context to the repository.

The volume the build context lies in is taken to hold this repository's checkout (what a clone step or
init container puts there): its mount path stands for the repository root when the Dockerfile is
looked for.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence
from typing import Protocol

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import shell
from .jenkins.pipeline import KanikoBuild, Pipeline, Problem
from .jenkins.templates import TemplateSpec
from .kaniko import ExecutorCall, executor_calls, is_within
from .kube import READ_ONLY_VOLUME_KINDS, READER
from .model import Location, Mount, MountSource, ScalarRef
from .text import Embedded, LineIndex

EXECUTOR_IMAGE_DIR = "/workspace"
"""The kaniko executor image's WORKDIR: where a container with no workingDir starts, and the default
context."""
_SHELL_SPECIAL = set(" \t\n$`\"'\\;&|<>()*?[]{}!#~")


class Values(Protocol):
    """What a launcher's placeholders (`$(params.X)`, `{{inputs.parameters.x}}`) stand for."""

    def substitute(self, text: str) -> str: ...

    def array(self, text: str) -> list[str] | None: ...


class Literal:
    """No placeholders: text stands for itself."""

    def substitute(self, text: str) -> str:
        return text

    def array(self, text: str) -> list[str] | None:
        return None


class YamlSource:
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

    def ref(self, node: Node | None, values: Values | None = None) -> ScalarRef | None:
        text = text_of(node)
        if node is None or text is None:
            return None
        return ScalarRef(values.substitute(text) if values else text, self.location(node))

    def embedded(self, node: ScalarNode, text: str) -> Embedded:
        """`text` (the node's value, maybe substituted) placed over the node in the file."""
        start, end = self.span(node)
        if text == node.value and self.text[start:end] == text:
            return Embedded(text, self.path, self.host, range(start, end + 1))
        if text == node.value and (aligned := self._aligned(node, start, end, text)) is not None:
            return Embedded(text, self.path, self.host, aligned)
        offsets = [min(start + i, max(start, end - 1)) for i in range(len(text))] + [max(start, end)]
        return Embedded(text, self.path, self.host, offsets)

    def _aligned(self, node: ScalarNode, start: int, end: int, text: str) -> list[int] | None:
        """Where each character of a block, folded or multi-line value is written (indentation and line
        breaks skipped); None when the value does not follow the text (escapes)."""
        source = self.text
        j = source.find("\n", start) + 1 if node.style in ("|", ">") else start
        if j <= 0:
            return None
        offsets = []
        for ch in text:
            while j < end and source[j] != ch and source[j] in " \t\r\n":
                j += 1
            if j < end and source[j] == ch:
                offsets.append(j)
                j += 1
            elif ch in " \n":
                offsets.append(max(start, j - 1))
            else:
                return None
        return [*offsets, j]

    def spread(self, text: str, node: Node) -> Embedded:
        """`text` standing for the whole of a node it is not written in (the executor an image runs)."""
        start, end = self.span(node)
        width = max(1, end - start)
        offsets = [start + i * width // len(text) for i in range(len(text))] + [start + width]
        return Embedded(text, self.path, self.host, offsets)

    def synthetic(self, text: str, at: int) -> Embedded:
        return Embedded.at(text, self.path, self.host, at)


def mapping(node: Node | None) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def text_of(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null" else None


def is_true(node: Node | None) -> bool:
    return (text_of(node) or "").lower() == "true"


def volume_mounts(source: YamlSource, mounts: list[Node], volumes: dict[str | None, dict[str, Node]],
                  values: Values) -> list[tuple[Mount, str | None, bool]]:
    """`volumeMounts` entries as mounts, each with its volume's name and whether that volume is a
    ConfigMap, Secret or other read-only object (so never a checkout)."""
    found = []
    for item in mounts:
        entry = mapping(item)
        where = entry.get("mountPath")
        if where is None or text_of(where) is None:
            continue
        name = text_of(entry.get("name"))
        from_object = any(kind in volumes.get(name, {}) for kind in READ_ONLY_VOLUME_KINDS)
        found.append((Mount(values.substitute(text_of(where) or ""), MountSource.YAML,
                            is_true(entry.get("readOnly")) or from_object, source.location(where),
                            sub_path=bool(text_of(entry.get("subPath")))), name, from_object))
    return found


def literal_env(container: dict[str, Node], values: Values) -> dict[str, str]:
    """The container's environment variables that have a literal `value`."""
    env = {}
    for item in items(container.get("env")):
        entry = mapping(item)
        name, value = text_of(entry.get("name")), text_of(entry.get("value"))
        if name and value is not None:
            env[name] = values.substitute(value)
    return env


def compose(source: YamlSource, pipeline: Pipeline) -> list[Node]:
    """The documents of a YAML file; a file that cannot be parsed is a problem of the pipeline."""
    try:
        return list(READER.compose_all(source.text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        starts = source.host.starts
        offset = starts[min(mark.line, len(starts) - 1)] + mark.column if mark else 0
        pipeline.problems.append(Problem(Location(source.path, source.host.range(offset, offset + 1)),
                                         f"YAML cannot be parsed: {error.problem or 'invalid YAML'}"))
    except (YAMLError, ValueError, TypeError, RecursionError) as error:
        pipeline.problems.append(Problem(Location(source.path, source.host.range(0, 0)),
                                         f"YAML cannot be parsed: {error}"))
    return []


def runs_executor(command: list[str], image: str, has_script: bool) -> bool:
    """Whether a container runs the executor itself: its command is the executor, or it has none and
    its image is a kaniko executor image."""
    if command:
        return command[0].rsplit("/", 1)[-1] == "executor"
    return not has_script and "kaniko" in image.lower() and "executor" in image.lower()


def command_line(source: YamlSource, container: dict[str, Node], command: list[str], values: Values) -> Embedded | None:
    """`/kaniko/executor ARGS...` as a shell command placed over the step's YAML, args substituted and
    quoted where the shell would read them differently."""
    anchor = container.get("command") if command else container.get("image")
    if anchor is None:
        return None
    start = source.span(anchor)[0]
    word = source.spread("/kaniko/executor", anchor)
    if command and isinstance(container.get("command"), SequenceNode):
        first = container["command"].value[0]
        if isinstance(first, ScalarNode) and first.value == command[0] and not _SHELL_SPECIAL & set(first.value):
            word = source.embedded(first, first.value)
    line = word
    words = [n for n in items(container.get("command"))[1:] + items(container.get("args"))
             if isinstance(n, ScalarNode)]
    for node in words:
        spliced = values.array(node.value)
        for value in spliced if spliced is not None else [values.substitute(node.value)]:
            if "'" in value:
                continue
            piece = source.embedded(node, value)
            if _SHELL_SPECIAL & set(value):
                at = source.span(node)[0]
                piece = source.synthetic("'", at) + piece + source.synthetic("'", at)
            line = line + source.synthetic(" ", start) + piece
    return line


def add_builds(pipeline: Pipeline, spec: TemplateSpec, name: str, line: Embedded, working_dir: str | None,
               volumes: list[Mount], elsewhere: str, checkouts: Sequence[str] = ()) -> None:
    """The kaniko builds of a container's command line, with paths under the volume holding the
    context spelled from the repository root (`elsewhere` says why a build is not followed when the
    context is in none of `volumes`). A `git clone` target inside one of the volumes (`checkouts`) is a
    closer root than the volume itself."""
    start_dir = working_dir or EXECUTOR_IMAGE_DIR
    for call in executor_calls(line.text):
        context = _context_path(call, start_dir)
        root = _innermost([m.path for m in volumes], context)
        if root is not None:
            root = _innermost([c for c in checkouts if is_within(c, root)], context) or root
        cwd = repository_path(working_dir, root)
        for flag, values in call.flags.items():
            for value in values:
                if flag == "--context" and not value.value.startswith(("/", "$")) and "://" not in value.value:
                    value.value = posixpath.join(start_dir, value.value)
                value.value = as_repository(value.value, root)
        build = KanikoBuild(spec, name, cwd or "", line, call, step=len(pipeline.shell_steps))
        if root is None:
            build.not_followed = elsewhere
        pipeline.builds.append(build)


def not_readable(pipeline: Pipeline, spec: TemplateSpec, name: str, source: YamlSource, node: Node) -> None:
    """A container that runs kaniko with a command line that cannot be rebuilt."""
    pipeline.builds.append(KanikoBuild(spec, name, "", source.synthetic("", source.span(node)[0]),
                                       ExecutorCall(0, 0), not_followed="its arguments cannot be read"))


def clone_targets(words: list[str], working_dir: str | None, image: str = "") -> list[str]:
    """Where `git clone` commands put their checkout, as absolute paths: from a shell script, or from a
    container's command and args (`alpine/git` takes `clone ...` as its arguments)."""
    start = working_dir or EXECUTOR_IMAGE_DIR
    scripts = [shlex.join(words)]
    if words and words[0] == "clone" and "git" in image:
        scripts = ["git " + scripts[0]]
    if len(words) >= 3 and words[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and words[1] == "-c":
        scripts = words[2:]
    targets = []
    for script in scripts:
        cwd = start
        for command in shell.commands(script):
            values = [w.value for w in command.words]
            if command.name == "cd" and len(values) > 1:
                cwd = posixpath.join(cwd, values[1])
            if command.name != "git" or "clone" not in values:
                continue
            operands = _operands(values[values.index("clone") + 1:])
            if len(operands) >= 2:
                targets.append(posixpath.normpath(posixpath.join(cwd, operands[1])))
            elif operands:
                name = operands[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
                targets.append(posixpath.normpath(posixpath.join(cwd, name)))
    return targets


_GIT_CLONE_VALUES = {"-b", "--branch", "--depth", "-o", "--origin", "-c", "--config", "--reference", "-j", "--jobs",
                     "--separate-git-dir", "--filter", "--shallow-since", "--shallow-exclude", "--template", "-u",
                     "--upload-pack", "--server-option"}


def _operands(words: list[str]) -> list[str]:
    """The repository and directory of `git clone` (options and their values left out)."""
    operands, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in _GIT_CLONE_VALUES:
            skip = True
        elif not word.startswith("-"):
            operands.append(word)
    return operands


def _context_path(call: ExecutorCall, working_dir: str) -> str:
    """Where the build context of a call is, as an absolute path (kaniko's default `/workspace/`; a
    relative context is taken from the working directory)."""
    context = call.last("--context")
    value = context.value if context is not None else "/workspace/"
    path = value[len("dir://"):] if value.startswith("dir://") else value
    return posixpath.normpath(posixpath.join(working_dir, path))


def _innermost(directories: list[str], path: str) -> str | None:
    """The longest of `directories` holding `path` (None when none does)."""
    return max((d for d in directories if is_within(path, d)), key=len, default=None)


def as_repository(value: str, root: str | None) -> str:
    """A path under the checkout's workspace spelled from the repository root (`$WORKSPACE/...`)."""
    if root is None:
        return value
    scheme = "dir://" if value.startswith("dir://") else ""
    path = value[len(scheme):]
    if path.startswith("/") and is_within(posixpath.normpath(path), root):
        rest = posixpath.normpath(path)[len(root.rstrip("/")):]
        return scheme + "$WORKSPACE" + rest
    return value


def repository_path(working_dir: str | None, root: str | None) -> str | None:
    if working_dir is None or root is None or not is_within(posixpath.normpath(working_dir), root):
        return None
    return posixpath.normpath(working_dir)[len(root.rstrip("/")):].lstrip("/")
