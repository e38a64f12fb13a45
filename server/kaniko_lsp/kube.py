"""Reading a Kubernetes Pod from YAML text (a file, or a string embedded in a Jenkinsfile)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from .model import Container, Location, Mount, MountSource, Range, ScalarRef
from .text import Embedded, LineIndex

READ_ONLY_VOLUME_KINDS = ("secret", "configMap", "projected", "downwardAPI")
COMPOSED_TEXTS = 512
"""Pod YAML texts whose composed nodes (and line index) are kept, least recently used forgotten first."""


@dataclass
class PodYaml:
    containers: list[Container] = field(default_factory=list)
    automount_service_account_token: bool = True
    error: tuple[Location, str] | None = None


class _Node:
    """A YAML mapping read from composed nodes: values by key (the last duplicate wins, as in the plugin's
    reader, Jackson), with the position of each key and value in the YAML text."""

    def __init__(self, node: MappingNode) -> None:
        self.flow = bool(node.flow_style)
        self.values: dict[str, Any] = {}
        self.marks: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}
        for key, value in _merged(node):
            if not isinstance(key, ScalarNode):
                continue
            self.values[key.value] = _plain(value)
            self.marks[key.value] = ((key.start_mark.line, key.start_mark.column),
                                     (value.start_mark.line, value.start_mark.column))

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values


def _merged(node: MappingNode) -> list[tuple[Node, Node]]:
    """The pairs of a mapping with `<<` merge keys expanded (explicit keys win)."""
    pairs: list[tuple[Node, Node]] = []
    merged: list[tuple[Node, Node]] = []
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.tag == "tag:yaml.org,2002:merge":
            sources = value.value if isinstance(value, SequenceNode) else [value]
            merged.extend(pair for source in sources if isinstance(source, MappingNode) for pair in _merged(source))
        else:
            pairs.append((key, value))
    return merged + pairs


_SCALARS = {"tag:yaml.org,2002:bool": lambda v: v.lower() in ("true", "yes", "on", "y"),
            "tag:yaml.org,2002:null": lambda v: None}


def _plain(node: Node) -> Any:
    """A composed node as plain values: `_Node` for mappings, lists, and scalars (booleans and null typed,
    everything else kept as its text)."""
    if isinstance(node, MappingNode):
        return _Node(node)
    if isinstance(node, SequenceNode):
        return [_plain(item) for item in node.value]
    convert = _SCALARS.get(node.tag or "")
    return convert(node.value) if convert else node.value


@lru_cache(maxsize=COMPOSED_TEXTS)
def _line_index(text: str) -> LineIndex:
    return LineIndex(text)


class _Positions:
    """Turns (line, column) marks in the YAML text into host-file locations."""

    def __init__(self, source: Embedded) -> None:
        self.source = source
        self.index = _line_index(source.text)

    def offset(self, line: int, column: int) -> int:
        return min(self.index.starts[min(line, len(self.index.starts) - 1)] + column, len(self.source.text))

    def scalar(self, mapping: _Node, key: str) -> ScalarRef | None:
        value = mapping.get(key)
        if value is None or isinstance(value, (_Node, list)):
            return None
        text = str(value) if not isinstance(value, bool) else str(value).lower()
        line, column = mapping.marks[key][1]
        start = self.offset(line, column)
        raw = self.source.text
        if start < len(raw) and raw[start] in "'\"" and not text.startswith(raw[start]):
            start += 1
        end = start + len(text)
        if raw[start:end] != text:
            end = start
            while end < len(raw) and raw[end] not in "\r\n#" and end - start < len(text) + 16:
                end += 1
            end = start + len(raw[start:end].rstrip())
        return ScalarRef(text, self.source.location(start, end))

    def key_insertion(self, mapping: _Node, key: str) -> tuple[Location, str] | None:
        """Just past the line of `key` in the host file, and the break + indent a sibling key needs."""
        if mapping.flow:
            return None
        line, column = mapping.marks[key][0]
        host = self.source.host
        position = host.position(self.source.host_offset(self.offset(line, column)))
        end = host.position(host.line_end(position.line))
        return Location(self.source.path, Range(end, end)), host.newline + " " * position.character + "workingDir: {}"


class _RememberingResolver(VersionedResolver):
    """ruamel's resolver, remembering the tag of each scalar it resolved. Used with the C parser only:
    there the YAML version cannot change while a stream is composed (the pure parser's `%YAML` directive
    could), and pods repeat the same few values."""

    _tags: ClassVar[dict[tuple[str, Any], Any]] = {}
    LIMIT = 10_000

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            if len(self._tags) >= self.LIMIT:
                self._tags.clear()
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag


def _yaml() -> YAML:
    try:
        reader = YAML(typ="safe", pure=False)
    except Exception:  # no C extension for this interpreter: the pure reader gives the same nodes
        return YAML(typ="safe", pure=True)
    if reader.Resolver is VersionedResolver:
        reader.Resolver = _RememberingResolver
    return reader


READER = _yaml()
"""A YAML composer (ruamel's C parser when it is installed)."""


@dataclass(frozen=True)
class _Unreadable:
    message: str
    mark: tuple[int, int] | None
    """(line, column) of the problem in the YAML text, whose first character is then the finding's range;
    None for an error without a place."""


@lru_cache(maxsize=COMPOSED_TEXTS)
def _composed(text: str) -> _Node | _Unreadable | None:
    """The first mapping document of `text` as `_Node`s, read once per text: pipelines of a repository
    repeat the same pod YAML (700 Jenkinsfiles, 12 distinct pods in the generated workspace). Shared:
    read, never changed."""
    try:
        documents = list(READER.compose_all(text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(str(p) for p in (error.problem, error.context) if p) or "invalid YAML"
        return _Unreadable(message, (mark.line, mark.column) if mark else (0, 0))
    except (YAMLError, ValueError, TypeError, RecursionError) as error:
        return _Unreadable(str(error), None)
    doc = next((d for d in documents if isinstance(d, MappingNode)), None)
    return _Node(doc) if doc is not None else None


def read_pod(source: Embedded) -> PodYaml:
    """Reads the first mapping document of `source` as a Pod; never raises."""
    composed = _composed(source.text)
    if isinstance(composed, _Unreadable):
        start = _Positions(source).offset(*composed.mark) if composed.mark is not None else 0
        end = start + 1 if composed.mark is not None else 0
        return PodYaml(error=(source.location(start, end), f"pod YAML cannot be parsed: {composed.message}"))
    if composed is None:
        return PodYaml()
    return _read_pod_mapping(composed, _Positions(source))


def _mapping(value: Any) -> _Node | None:
    return value if isinstance(value, _Node) else None


def _read_pod_mapping(doc: _Node, positions: _Positions) -> PodYaml:
    spec = _mapping(doc.get("spec"))
    if spec is None:
        return PodYaml()
    read_only_volumes = {
        str(v.get("name")) for v in _list(spec.get("volumes")) if isinstance(v, _Node)
        and any(kind in v for kind in READ_ONLY_VOLUME_KINDS)
    }
    pod = PodYaml(automount_service_account_token=spec.get("automountServiceAccountToken") is not False)
    containers = spec.get("containers")
    if not isinstance(containers, list):
        return pod
    for item in containers:
        if not isinstance(item, _Node) or "name" not in item:
            continue
        name = positions.scalar(item, "name")
        if name is None:
            continue
        image = item.get("image")
        command = item.get("command")
        container = Container(
            name=name.value,
            image=str(image) if isinstance(image, str) else None,
            working_dir=positions.scalar(item, "workingDir"),
            name_ref=name,
            key_insertion=positions.key_insertion(item, "name"),
            command=tuple(str(c) for c in command) if isinstance(command, list) else
            tuple(str(command).split()) if isinstance(command, str) else (),
        )
        if container.working_dir is not None and not container.working_dir.value:
            container.working_dir = None
        for mount in _list(item.get("volumeMounts")):
            if not isinstance(mount, _Node) or not isinstance(mount.get("mountPath"), str):
                continue
            path = positions.scalar(mount, "mountPath")
            if path is None:
                continue
            read_only = mount.get("readOnly") is True or str(mount.get("name")) in read_only_volumes
            container.mounts.append(Mount(path.value, MountSource.YAML, read_only, path.location,
                                          sub_path=bool(mount.get("subPath"))))
        for variable in _list(item.get("env")):
            if isinstance(variable, _Node) and isinstance(variable.get("value"), str):
                container.env[str(variable.get("name"))] = variable.get("value")
        pod.containers.append(container)
    return pod


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
