"""Reading pod YAML: the same text in several files is composed once, each file keeping its own places."""

from __future__ import annotations

from kaniko_lsp import kube
from kaniko_lsp.model import Position, Range
from kaniko_lsp.text import Embedded

POD = """spec:
  containers:
  - name: kaniko
    workingDir: /home/jenkins
    volumeMounts:
    - name: cache
      mountPath: /cache
"""


def _embedded(path: str, before: str, yaml: str) -> Embedded:
    """`yaml` as it sits in a Groovy string after `before` in the file `path`."""
    return Embedded.whole(path, before + yaml + "'''\n").slice(len(before), len(before) + len(yaml))


def test_a_repeated_pod_text_is_composed_once_and_placed_in_each_file(monkeypatch) -> None:
    composed: list[str] = []
    compose_all = kube.READER.compose_all
    monkeypatch.setattr(kube.READER, "compose_all", lambda text: composed.append(text) or compose_all(text))
    kube._composed.cache_clear()
    first = kube.read_pod(_embedded("a/Jenkinsfile", "podTemplate(yaml: '''\n", POD))
    second = kube.read_pod(_embedded("b/Jenkinsfile", "// the build pod\n\npodTemplate(yaml: '''\n", POD))
    assert composed == [POD]
    [one], [two] = first.containers, second.containers
    assert one.working_dir is not None and two.working_dir is not None
    assert (one.working_dir.value, two.working_dir.value) == ("/home/jenkins", "/home/jenkins")
    assert one.working_dir.location.path == "a/Jenkinsfile"
    assert one.working_dir.location.range == Range(Position(4, 16), Position(4, 29))
    assert two.working_dir.location.path == "b/Jenkinsfile"
    assert two.working_dir.location.range == Range(Position(6, 16), Position(6, 29))
    assert [m.origin.range.start for m in two.mounts if m.origin] == [Position(9, 17)]
    assert one.mounts[0] is not two.mounts[0] and one is not two


def test_an_unreadable_pod_text_is_reported_where_it_sits_in_each_file() -> None:
    broken = "spec:\n  containers: [\n"
    kube._composed.cache_clear()
    first = kube.read_pod(_embedded("a/Jenkinsfile", "x = '''\n", broken))
    second = kube.read_pod(_embedded("b/Jenkinsfile", "\n\ny = '''\n", broken))
    assert first.error is not None and second.error is not None
    assert first.error[1] == second.error[1] and first.error[1].startswith("pod YAML cannot be parsed:")
    assert first.error[0].path == "a/Jenkinsfile" and second.error[0].path == "b/Jenkinsfile"
    assert second.error[0].range.start.line == first.error[0].range.start.line + 2
