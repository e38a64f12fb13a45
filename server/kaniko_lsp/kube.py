"""Reading a Kubernetes Pod from YAML text (a file, or a string embedded in a Jenkinsfile)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .model import Container, Location, Mount, MountSource, Range, ScalarRef
from .text import Embedded, LineIndex

READ_ONLY_VOLUME_KINDS = ("secret", "configMap", "projected", "downwardAPI")


@dataclass
class PodYaml:
    containers: list[Container] = field(default_factory=list)
    automount_service_account_token: bool = True
    error: tuple[Location, str] | None = None


class _Positions:
    """Turns ruamel's (line, column) marks in the YAML text into host-file locations."""

    def __init__(self, source: Embedded) -> None:
        self.source = source
        self.index = LineIndex(source.text)

    def offset(self, line: int, column: int) -> int:
        return min(self.index.starts[min(line, len(self.index.starts) - 1)] + column, len(self.source.text))

    def scalar(self, mapping: CommentedMap, key: str) -> ScalarRef | None:
        value = mapping.get(key)
        if value is None or isinstance(value, (CommentedMap, CommentedSeq)):
            return None
        text = str(value)
        line, column = mapping.lc.value(key)
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

    def key_insertion(self, mapping: CommentedMap, key: str) -> tuple[Location, str] | None:
        """Just past the line of `key` in the host file, and the break + indent a sibling key needs."""
        if mapping.fa.flow_style():
            return None
        line, column = mapping.lc.key(key)
        host = self.source.host
        position = host.position(self.source.host_offset(self.offset(line, column)))
        end = host.position(host.line_end(position.line))
        return Location(self.source.path, Range(end, end)), host.newline + " " * position.character + "workingDir: {}"


class _LastKeyWins(RoundTripConstructor):
    """Duplicate mapping keys keep the last value, as the plugin's YAML reader (Jackson) does."""

    def check_mapping_key(self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any) -> bool:
        if key in mapping:
            del mapping[key]
        return True


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _LastKeyWins
    return yaml


def read_pod(source: Embedded) -> PodYaml:
    """Reads the first mapping document of `source` as a Pod; never raises."""
    try:
        documents = list(_yaml().load_all(source.text))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        positions = _Positions(source)
        offset = positions.offset(mark.line, mark.column) if mark else 0
        message = " ".join(str(p) for p in (error.problem, error.context) if p) or "invalid YAML"
        return PodYaml(error=(source.location(offset, offset + 1), f"pod YAML cannot be parsed: {message}"))
    except (YAMLError, ValueError, TypeError, RecursionError) as error:
        return PodYaml(error=(source.location(0, 0), f"pod YAML cannot be parsed: {error}"))
    doc = next((d for d in documents if isinstance(d, CommentedMap)), None)
    if doc is None:
        return PodYaml()
    return _read_pod_mapping(doc, _Positions(source))


def _mapping(value: Any) -> CommentedMap:
    return value if isinstance(value, CommentedMap) else CommentedMap()


def _read_pod_mapping(doc: CommentedMap, positions: _Positions) -> PodYaml:
    spec = _mapping(doc.get("spec"))
    read_only_volumes = {
        str(v.get("name")) for v in (spec.get("volumes") or []) if isinstance(v, CommentedMap)
        and any(kind in v for kind in READ_ONLY_VOLUME_KINDS)
    }
    pod = PodYaml(automount_service_account_token=spec.get("automountServiceAccountToken") is not False)
    containers = spec.get("containers")
    if not isinstance(containers, CommentedSeq):
        return pod
    for item in containers:
        if not isinstance(item, CommentedMap) or "name" not in item:
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
        for mount in item.get("volumeMounts") or []:
            if not isinstance(mount, CommentedMap) or not isinstance(mount.get("mountPath"), str):
                continue
            path = positions.scalar(mount, "mountPath")
            if path is None:
                continue
            read_only = mount.get("readOnly") is True or str(mount.get("name")) in read_only_volumes
            container.mounts.append(Mount(path.value, MountSource.YAML, read_only, path.location,
                                          sub_path=bool(mount.get("subPath"))))
        for variable in item.get("env") or []:
            if isinstance(variable, CommentedMap) and isinstance(variable.get("value"), str):
                container.env[str(variable.get("name"))] = variable["value"]
        pod.containers.append(container)
    return pod
