"""KL001 and KL004 over whole pipelines: both sides, exact ranges, precision traps, and fixes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES
from helpers import declarative, fix_all, kaniko_container, kaniko_step, run, summary


def seed_copy(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "seed", tmp_path / "seed")
    return tmp_path / "seed"


def test_seed_reports_both_sides_linked_by_related_information(tmp_path: Path) -> None:
    root = seed_copy(tmp_path)
    lines = (root / "Jenkinsfile").read_text().splitlines()
    result = run(root)
    assert summary(result) == [("KL001", "Jenkinsfile", 14, 24, 37), ("KL001", "Jenkinsfile", 35, 22, 39)]
    mount_side, write_side = result.findings
    assert lines[14][24:37] == "/home/jenkins" and "- name: kaniko" in lines[13]
    assert lines[35][22:39] == "/home/jenkins/.m2" and "RUN mkdir" in lines[35]
    assert [r.location for r in mount_side.related] == [write_side.location]
    assert [r.location for r in write_side.related] == [mount_side.location]


def test_seed_fix_moves_both_working_dirs_and_leaves_the_rest_byte_for_byte(tmp_path: Path) -> None:
    root = seed_copy(tmp_path)
    before = (root / "Jenkinsfile").read_text()
    fix_all(root)
    after = (root / "Jenkinsfile").read_text()
    assert after == before.replace("workingDir: /home/jenkins\n", "workingDir: /home/jenkins/agent\n")
    assert run(root).findings == []


def test_seed_fixed_example_is_clean() -> None:
    from kaniko_lsp.analysis import analyze
    from kaniko_lsp.workspace import Workspace

    assert analyze(Workspace(EXAMPLES / "seed-fixed")).findings == []


def pipeline_with_disk_dockerfile(make_workspace, working_dir: str | None, dockerfile: str, mounts: str = "") -> Path:
    return make_workspace({
        "Jenkinsfile": declarative(kaniko_container(working_dir, mounts), kaniko_step()),
        "Dockerfile": dockerfile,
    })


def test_on_disk_pair_reports_the_dockerfile_token(make_workspace) -> None:
    root = pipeline_with_disk_dockerfile(make_workspace, "/home/jenkins",
                                         "FROM jenkins/agent\nRUN mkdir -p /home/jenkins/.m2 && echo ok\n")
    assert summary(run(root)) == [("KL001", "Dockerfile", 1, 13, 30), ("KL001", "Jenkinsfile", 10, 24, 37),
                                  ("KL004", "Jenkinsfile", 10, 24, 37)]
    fix_all(root)
    assert "workingDir: /home/jenkins/agent\n" in (root / "Jenkinsfile").read_text()
    assert run(root).findings == []


@pytest.mark.parametrize(
    ("working_dir", "write"),
    [
        ("/home/jenkins", "/home/jenkins2/x"),
        (None, "/home/jenkins/.m2"),
        ("/home/jenkins/agent", "/home/jenkins/.m2"),
        ("/var/run", "/run/x"),
    ],
)
def test_precision_traps_are_silent(make_workspace, working_dir: str | None, write: str) -> None:
    root = pipeline_with_disk_dockerfile(make_workspace, working_dir, f"FROM alpine\nRUN mkdir {write}\n")
    assert [f for f in run(root).findings if f.rule == "KL001"] == []


def test_default_working_dir_write_is_fixed_by_adding_a_working_dir_key(make_workspace) -> None:
    root = pipeline_with_disk_dockerfile(make_workspace, None, "FROM alpine\nRUN touch /home/jenkins/agent/x\n")
    result = run(root)
    assert [f.rule for f in result.findings] == ["KL001", "KL001"]
    mount_side = next(f for f in result.findings if f.location.path == "Jenkinsfile")
    assert mount_side.location.range.start.line == 8, "the implicit mount is reported on the container name"
    fix_all(root)
    text = (root / "Jenkinsfile").read_text()
    assert "          - name: kaniko\n            workingDir: /tmp/jenkins\n" in text
    assert run(root).findings == []


def test_yaml_volume_mount_is_reported_on_its_mount_path_without_a_working_dir_fix(make_workspace) -> None:
    mounts = "            volumeMounts:\n            - name: cache\n              mountPath: /opt/cache\n"
    root = pipeline_with_disk_dockerfile(make_workspace, None, "FROM alpine\nRUN touch /opt/cache/x\n", mounts)
    mount_side = next(f for f in run(root).findings if f.location.path == "Jenkinsfile")
    assert (mount_side.location.range.start.line, mount_side.location.range.start.character) == (12, 25)
    assert mount_side.fixes == ()


def two_containers(agent_dir: str, kaniko_dir: str) -> str:
    return (f"          - name: jnlp\n            workingDir: {agent_dir}\n"
            + kaniko_container(kaniko_dir))


def test_kl004_agent_off_default_and_sidecar_elsewhere(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(two_containers("/tmp/agent", "/home/jenkins/agent"), kaniko_step()),
        "Dockerfile": "FROM alpine\nRUN touch /etc/motd\n",
    })
    result = run(root)
    assert summary(result) == [("KL004", "Jenkinsfile", 12, 24, 43)]
    assert result.findings[0].related[0].location.range.start.line == 9
    fix_all(root)
    text = (root / "Jenkinsfile").read_text()
    assert text.count("workingDir: /tmp/agent\n") == 2
    assert run(root).findings == []


def test_kl004_sidecar_prefix_of_the_default_workspace(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container("/home/jenkins"), kaniko_step()),
        "Dockerfile": "FROM alpine\nRUN touch /etc/motd\n",
    })
    assert [f.rule for f in run(root).findings] == ["KL004"]


def test_agent_default_and_sidecar_on_other_path_is_fine(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container("/tmp/jenkins"), kaniko_step()),
        "Dockerfile": "FROM alpine\nRUN touch /etc/motd\n",
    })
    assert run(root).findings == []


def test_unresolved_dockerfile_is_an_info_finding(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container(), kaniko_step("--context git://example.com/r.git")),
    })
    ((rule, severity),) = [(f.rule, f.severity.value) for f in run(root).findings]
    assert (rule, severity) == ("KL011", "info")
