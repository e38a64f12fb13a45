"""Property tests (hypothesis): the readers and the analysis never raise on any text, every range they
report lies inside its file, the same input gives the same output, and document sync applied change by
change equals the text computed at once."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from kaniko_lsp.argo import read_argo
from kaniko_lsp.dockerfile.parse import parse as parse_dockerfile
from kaniko_lsp.engine import Engine
from kaniko_lsp.gitlab import read_gitlab
from kaniko_lsp.jenkins.pipeline import read_pipeline
from kaniko_lsp.kube import read_pod
from kaniko_lsp.lsp.text_sync import apply_change
from kaniko_lsp.tekton import read_tekton
from kaniko_lsp.text import Embedded, LineIndex
from kaniko_lsp.workloads import read_workloads
from kaniko_lsp.workspace import Workspace

from conftest import EXAMPLES

SEED = (EXAMPLES / "seed" / "Jenkinsfile").read_text()
LAUNCHERS = Path(__file__).parent / "data" / "launchers"
TASK = (LAUNCHERS / "tekton" / "catalog-kaniko" / "kaniko.yaml").read_text()
OTHERS = [(LAUNCHERS / "argo" / "demo-ci" / "workflow-template.yaml").read_text(),
          (LAUNCHERS / "gitlab" / "cloud-sdk-image" / ".gitlab-ci.yml").read_text(),
          (LAUNCHERS / "kubernetes" / "conure-job" / "k8s" / "kaniko-builder.yaml").read_text()]
PIECES = ["pipeline {", "}", "{", "agent", "kubernetes", "yaml '''", "'''", '"""', "\"", "'", "${", "$", "\\",
          "sh '", "container('kaniko') {", "writeFile file: 'Dockerfile', text: '", "/kaniko/executor", " --context ",
          "`pwd`", "workingDir: /home/jenkins", "- name: kaniko", "  ", "\n", "\r\n", "\r", "\t", "<<EOF", "EOF",
          "RUN mkdir /home/jenkins/x", "FROM alpine", "COPY . /home/jenkins", "WORKDIR a", "ENV A=$A", "#", "//",
          "/*", "*/", "\x00", "\u2028", "é", "😀", "def f(x) { x }", "for (d in ['a', 'b']) {", "matrix {",
          "apiVersion: tekton.dev/v1\n", "kind: Task\n", "steps:\n", "  - name: build\n", "    args: [", "]",
          "$(params.X)", "$(workspaces.source.path)", "- --context=", "image: gcr.io/kaniko-project/executor\n",
          "workspaces:\n  - name: source\n", "    mountPath: /src\n", "&a", "*a", "<<: *a", "---\n", "- - -",
          "apiVersion: argoproj.io/v1alpha1\n", "kind: Job\n",
          "script:\n  - /kaniko/executor --context $CI_PROJECT_DIR\n",
          "extends: .x\n", "source: |\n", "    git clone https://x/y.git src\n", "--context=dir:///src\n"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
        st.text(max_size=400),
        st.builds(lambda cut, insert: SEED[:cut] + insert + SEED[cut:],
                  st.integers(0, len(SEED)), st.lists(st.sampled_from(PIECES), max_size=5).map("".join)),
        st.builds(lambda cut, insert: TASK[:cut] + insert + TASK[cut:],
                  st.integers(0, len(TASK)), st.lists(st.sampled_from(PIECES), max_size=5).map("".join)),
        st.builds(lambda base, cut, insert: base[:cut % (len(base) + 1)] + insert + base[cut % (len(base) + 1):],
                  st.sampled_from(OTHERS), st.integers(0, 5000),
                  st.lists(st.sampled_from(PIECES), max_size=5).map("".join)),
    )


def inside(text: str, range_: object) -> bool:
    index = LineIndex(text)
    lines = len(index.starts)
    start, end = range_.start, range_.end  # type: ignore[attr-defined]
    return (0 <= start.line < lines and 0 <= end.line < lines and (start.line, start.character) <= (end.line,
                                                                                                     end.character)
            and start.character <= len(index.line_text(start.line)) + 1
            and end.character <= len(index.line_text(end.line)) + 1)


@SETTINGS
@given(texts())
def test_the_readers_never_raise_and_place_problems_inside(text: str) -> None:
    pipeline = read_pipeline("Jenkinsfile", text)
    assert all(inside(text, p.location.range) for p in pipeline.problems if p.location.path == "Jenkinsfile")
    parse_dockerfile(Embedded.whole("Dockerfile", text))
    read_pod(Embedded.whole("pod.yaml", text))
    for reader in (read_tekton, read_argo, read_workloads, read_gitlab):
        launched = reader("task.yaml", text)
        assert all(inside(text, p.location.range) for p in launched.problems)
        for build in launched.builds:
            assert inside(text, build.location.range) and build.location.path == "task.yaml"


@SETTINGS
@given(texts(), texts())
def test_the_analysis_never_raises_is_deterministic_and_places_findings_inside(tmp_path_factory, pipeline: str,
                                                                               dockerfile: str) -> None:
    root: Path = tmp_path_factory.mktemp("ws")
    files = {"Jenkinsfile": pipeline, "Dockerfile": dockerfile}

    def run() -> list[tuple[str, str, object, str]]:
        engine = Engine(Workspace(root))
        for path, text in files.items():
            engine.set_buffer(path, text)
        result = engine.result(["Jenkinsfile"])
        return [(f.rule, f.location.path, f.location.range, f.message) for f in result.findings]

    first = run()
    assert first == run()
    for _, path, range_, _ in first:
        assert inside(files[path], range_), (path, range_)


def reference_offset(text: str, line: int, character: int) -> int:
    """LSP position (UTF-16 columns, lines ended by LF, CRLF or CR) to a string offset, written plainly."""
    offset = 0
    for _ in range(line):
        breaks = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i >= 0]
        if not breaks:
            return len(text)
        at = min(breaks)
        offset = at + (2 if text.startswith("\r\n", at) else 1)
    units = 0
    while offset < len(text) and text[offset] not in "\r\n" and units < character:
        units += 2 if ord(text[offset]) > 0xFFFF else 1
        offset += 1
    return offset


@st.composite
def edits(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int, int, str]]]:
    start = draw(st.text(alphabet=st.sampled_from(list("ab\n\r\t😀é\u2028\x0b\x1c\x85")), max_size=40))
    changes = draw(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 12), st.integers(0, 8), st.integers(0, 12),
                                      st.text(alphabet=st.sampled_from(list("xy\n\r😀\u2028")), max_size=4)),
                            max_size=12))
    return start, changes


@SETTINGS
@given(edits())
def test_changes_applied_one_by_one_equal_the_reference(case: tuple[str, list[tuple[int, int, int, int, str]]]) -> None:
    text, changes = case
    expected = text
    for line, character, end_line, end_character, new in changes:
        a = reference_offset(expected, line, character)
        b = max(a, reference_offset(expected, end_line, end_character))
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, character), types.Position(end_line, end_character)), text=new)
        text = apply_change(text, change, "utf-16")
        expected = expected[:a] + new + expected[b:]
        assert text == expected
