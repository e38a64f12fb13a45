"""Bad input never stops the analysis: it reports what it can and names what it could not read."""

from __future__ import annotations

import pytest

from kaniko_lsp.workspace import MAX_FILE_BYTES

from helpers import declarative, kaniko_container, kaniko_step, run, summary

GOOD_PIPELINE = declarative(kaniko_container("/tmp/b"), kaniko_step())
GOOD_DOCKERFILE = "FROM alpine\nRUN touch /tmp/b/x\n"


@pytest.mark.parametrize(
    "bad_jenkinsfile",
    [
        "{" * 20000,
        "pipeline { agent { kubernetes { yaml '''\n  spec:\n\tcontainers: [",
        "\x00\x01\x02 binary",
        "pipeline {\n  stages { stage('x') { steps { sh '/kaniko/executor -c",
        "def s = \"${" * 500,
        "😀" * 1000 + "\n" + "\t" * 100,
    ],
    ids=["deep-nesting", "half-typed-yaml", "binary", "half-typed-step", "open-interpolations", "emoji-tabs"],
)
def test_a_broken_pipeline_does_not_hide_a_good_one(make_workspace, bad_jenkinsfile: str) -> None:
    root = make_workspace({
        "Jenkinsfile": GOOD_PIPELINE,
        "Dockerfile": GOOD_DOCKERFILE,
        "ci/bad.Jenkinsfile": bad_jenkinsfile,
        "docker/Dockerfile": "\x00\xff",
    })
    result = run(root)
    assert ("KL001", "Dockerfile", 1, 10, 18) in summary(result)
    assert all(f.location.path != "docker/Dockerfile" for f in result.findings)
    assert all(f.rule in ("KL010", "KL011") for f in result.findings if f.location.path.startswith("ci/"))


def test_huge_file_is_named_as_unread(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": GOOD_PIPELINE,
        "Dockerfile": GOOD_DOCKERFILE,
        "big/Jenkinsfile": "// " + "x" * (MAX_FILE_BYTES + 10),
    })
    result = run(root)
    assert result.unreadable == {"big/Jenkinsfile": f"not read: {MAX_FILE_BYTES + 13} bytes is over the "
                                                    f"{MAX_FILE_BYTES} byte limit"}
    assert [f.rule for f in result.findings] == ["KL001", "KL001"]


def test_yaml_error_is_reported_at_its_jenkinsfile_line(make_workspace) -> None:
    containers = "          - name: kaniko\n\t    workingDir: /tmp/b\n"
    root = make_workspace({"Jenkinsfile": declarative(containers, kaniko_step()), "Dockerfile": GOOD_DOCKERFILE})
    kl010 = [f for f in run(root).findings if f.rule == "KL010"]
    assert [(f.location.path, f.location.range.start.line) for f in kl010] == [("Jenkinsfile", 9)]


def test_emoji_before_a_path_counts_utf16_columns_in_json(make_workspace) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = make_workspace({
        "Jenkinsfile": GOOD_PIPELINE,
        "Dockerfile": "FROM alpine\nRUN echo 😀 > /tmp/b/x\n",
    })
    cli = Path(sys.executable).parent / "kaniko-lsp"
    report = json.loads(subprocess.run([str(cli), "check", ".", "--format", "json"], cwd=root, capture_output=True,
                                       text=True, check=False).stdout)
    (write,) = [f for f in report["findings"] if f["path"] == "Dockerfile"]
    assert write["range"]["start"] == {"line": 1, "character": 14}, "the emoji is two UTF-16 code units"


def test_syntax_problems_are_named_and_the_rest_is_read(make_workspace) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    half_typed = GOOD_PIPELINE.replace("      steps {\n", "      steps {\n        sh 'echo' )\n", 1)
    root = make_workspace({"Jenkinsfile": half_typed, "Dockerfile": GOOD_DOCKERFILE})
    cli = Path(sys.executable).parent / "kaniko-lsp"
    report = json.loads(subprocess.run([str(cli), "check", ".", "--format", "json"], cwd=root, capture_output=True,
                                       text=True, check=False).stdout)
    assert report["notRead"][0] == {"path": "Jenkinsfile", "message": "unexpected ')'",
                                    "range": {"start": {"line": 17, "character": 18},
                                              "end": {"line": 17, "character": 19}}}
    assert {f["rule"] for f in report["findings"]} == {"KL001"}
