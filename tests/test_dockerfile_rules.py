"""KL001, KL002, KL003, KL005, KL007, KL008 and KL009 on whole pipelines: findings and silent look-alikes."""

from __future__ import annotations

import pytest

from helpers import declarative, kaniko_container, kaniko_step, run

SECRET_VOLUME = ("          volumes:\n          - name: docker-config\n            secret:\n"
                 "              secretName: reg\n")


def pipeline(make_workspace, dockerfile: str, *, working_dir: str | None = None, mounts: str = "",
             flags: str = "--context `pwd` --dockerfile `pwd`/Dockerfile", image: str | None = None,
             volumes: str = "", steps: str = ""):
    container = kaniko_container(working_dir, mounts)
    if image:
        container = container.replace("gcr.io/kaniko-project/executor:debug", image)
    text = declarative(container + volumes, kaniko_step(flags) + steps)
    return run(make_workspace({"Jenkinsfile": text, "Dockerfile": dockerfile}))


def rules_at(result, path: str = "Dockerfile") -> list[tuple[str, int, int]]:
    return [(f.rule, f.location.range.start.line, f.location.range.start.character)
            for f in result.findings if f.location.path == path]


def mount(path: str, name: str = "cache", extra: str = "") -> str:
    return f"            volumeMounts:\n            - name: {name}\n              mountPath: {path}\n{extra}"


def test_user_home_cache_under_the_workspace_mount(make_workspace) -> None:
    dockerfile = "FROM jenkins/agent\nUSER jenkins\nRUN mkdir -p ~/.cache/tool && touch ~/.cache/tool/x\n"
    result = pipeline(make_workspace, dockerfile, working_dir="/home/jenkins")
    assert [r for r in rules_at(result) if r[0] == "KL001"] == [("KL001", 2, 13), ("KL001", 2, 36)]
    assert all("/home/jenkins/.cache/tool" in f.message for f in result.findings
               if f.rule == "KL001" and f.location.path == "Dockerfile")


def test_unknown_home_is_not_guessed(make_workspace) -> None:
    dockerfile = "FROM example.com/custom\nUSER builder\nRUN mkdir -p ~/.cache\n"
    assert rules_at(pipeline(make_workspace, dockerfile, working_dir="/home/builder")) == []


def test_npm_ci_in_a_workdir_under_the_workspace_mount(make_workspace) -> None:
    dockerfile = "FROM node:20\nWORKDIR /home/jenkins/agent/app\nCOPY package.json .\nRUN npm ci\n"
    result = pipeline(make_workspace, dockerfile)
    assert ("KL001", 3, 4) in rules_at(result), "npm ci fills node_modules in the mounted WORKDIR"
    message = next(f.message for f in result.findings if f.location.range.start.line == 3)
    assert "/home/jenkins/agent/app/node_modules" in message


def test_mvn_with_writable_m2_cache_mount_is_silent(make_workspace) -> None:
    dockerfile = "FROM maven:3\nWORKDIR /src\nCOPY . .\nRUN mvn -B package\n"
    assert rules_at(pipeline(make_workspace, dockerfile, mounts=mount("/root/.m2"))) == []


def test_mvn_with_read_only_secret_at_root_fails(make_workspace) -> None:
    dockerfile = "FROM maven:3\nWORKDIR /src\nCOPY . .\nRUN mvn -B package\n"
    result = pipeline(make_workspace, dockerfile, mounts=mount("/root", "docker-config"), volumes=SECRET_VOLUME)
    assert rules_at(result) == [("KL002", 3, 4)]
    assert "read-only file system" in result.findings[0].message


def test_go_build_in_an_intermediate_stage_under_read_only_root_fails(make_workspace) -> None:
    dockerfile = ("FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o app .\n"
                  "FROM alpine\nCOPY --from=build /src/app /app\n")
    result = pipeline(make_workspace, dockerfile, mounts=mount("/root", "docker-config"), volumes=SECRET_VOLUME)
    assert [r[0] for r in rules_at(result)] == ["KL002"]


def test_gocache_moved_out_of_root_is_silent(make_workspace) -> None:
    dockerfile = "FROM golang:1.22 AS build\nENV GOCACHE=/tmp/gocache\nWORKDIR /src\nRUN go build -o app .\n"
    assert rules_at(pipeline(make_workspace, dockerfile, mounts=mount("/root", "docker-config"),
                             volumes=SECRET_VOLUME)) == []


def test_intermediate_stage_write_copied_out_is_not_lost(make_workspace) -> None:
    dockerfile = ("FROM alpine AS build\nRUN mkdir -p /home/jenkins/agent/out && touch /home/jenkins/agent/out/a\n"
                  "FROM alpine\nCOPY --from=build /home/jenkins/agent/out/a /a\n")
    assert rules_at(pipeline(make_workspace, dockerfile)) == []


def test_parent_of_a_mount_is_not_lost(make_workspace) -> None:
    assert rules_at(pipeline(make_workspace, "FROM alpine\nRUN touch /home/jenkins/.profile\n")) == []


def test_var_run_is_ignored_but_run_is_not(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\nRUN touch /var/run/app.pid /run/other.pid\n")
    assert rules_at(result) == [("KL003", 1, 10)]


def test_ignore_var_run_false_keeps_var_run(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\nRUN touch /var/run/app.pid\n",
                      flags="--context `pwd` --ignore-var-run=false")
    assert rules_at(result) == []


def test_ignore_path_flag(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\nRUN mkdir -p /opt/sdk/bin /opt/sdk2\n",
                      flags="--context `pwd` --ignore-path=/opt/sdk")
    assert rules_at(result) == [("KL003", 1, 13)]


def test_earlier_volume_hides_later_writes_in_the_stage(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\nVOLUME /data\nRUN touch /data/x\nRUN mkdir /datax\n")
    assert rules_at(result) == [("KL003", 2, 10)]


def test_whitelist_var_run_is_deprecated(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\n", flags="--context `pwd` --whitelist-var-run=false")
    (finding,) = [f for f in result.findings if f.rule == "KL007"]
    assert finding.severity.value == "info" and "--ignore-var-run" in finding.message


def test_comma_joined_ignore_path(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\n", flags="--context `pwd` --ignore-path=/a,/b")
    assert [f.rule for f in result.findings] == ["KL007"]


def test_rm_of_the_workspace_mount_point_fails(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\nRUN rm -rf /home/jenkins\n")
    assert rules_at(result) == [("KL002", 1, 11)]
    assert "Device or resource busy" in result.findings[0].message


def test_rm_inside_a_mount_is_fine(make_workspace) -> None:
    assert rules_at(pipeline(make_workspace, "FROM alpine\nRUN rm -rf /home/jenkins/agent/tmp\n")) == []


def test_copy_over_etc_hosts_fails(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\nCOPY hosts /etc/hosts\n")
    assert rules_at(result) == [("KL002", 1, 11)]


def test_sed_on_a_mounted_base_image_file(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM jenkins/agent\nRUN sed -i 's/a/b/' /home/jenkins/.bashrc\n",
                      working_dir="/home/jenkins")
    assert ("KL009", 1, 20) in rules_at(result)


def test_non_debug_image_cannot_run_sh(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\n", image="gcr.io/kaniko-project/executor:v1.23.2")
    assert [(f.rule, f.severity.value) for f in result.findings] == [("KL005", "warning")]


def test_custom_kaniko_images_are_not_judged_by_tag(make_workspace) -> None:
    assert pipeline(make_workspace, "FROM alpine\n", image="example.com/team/kaniko:alpine").findings == []


def test_executor_in_a_non_kaniko_image_is_information(make_workspace) -> None:
    result = pipeline(make_workspace, "FROM alpine\n", image="alpine:3")
    assert [(f.rule, f.severity.value) for f in result.findings] == [("KL005", "info")]


def test_kaniko_dir_assignment_moves_the_ignore_entry(make_workspace) -> None:
    dockerfile = "FROM alpine\nRUN mkdir -p /kaniko/x /tmp/kaniko/y\n"
    assert rules_at(pipeline(make_workspace, dockerfile)) == [("KL003", 1, 13)]
    step = ("        container('kaniko') {\n"
            "          sh 'KANIKO_DIR=/tmp/kaniko /kaniko/executor --context . --kaniko-dir /tmp/kaniko'\n"
            "        }\n")
    root = make_workspace({"Jenkinsfile": declarative(kaniko_container(), step), "Dockerfile": dockerfile})
    assert rules_at(run(root)) == [("KL003", 1, 23)], "only /tmp/kaniko is ignored now; no KL007 either"
    assert [f.rule for f in run(root).findings] == ["KL003"]


@pytest.mark.parametrize("image", ["gcr.io/kaniko-project/executor:v1.23.2-debug", "martizih/kaniko:debug",
                                   "cgr.dev/chainguard/kaniko:latest-debug"])
def test_debug_images_are_fine(make_workspace, image: str) -> None:
    assert pipeline(make_workspace, "FROM alpine\n", image=image).findings == []


def test_multi_stage_without_working_dir_breaks_later_steps(make_workspace) -> None:
    dockerfile = "FROM alpine AS a\nRUN true\nFROM alpine\n"
    later = "        container('kaniko') { sh 'ls' }\n"
    result = pipeline(make_workspace, dockerfile, steps=later)
    (finding,) = [f for f in result.findings if f.rule == "KL008"]
    assert finding.fixes[0].edits[0].new_text.endswith("workingDir: /home/jenkins/agent")
    assert [f.rule for f in pipeline(make_workspace, dockerfile).findings] == []


@pytest.mark.parametrize(
    ("dockerfile", "flags", "outcome"),
    [
        ("FROM alpine\nRUN true\nCOPY a /tmp/b/a\nRUN true\n", "", "snapshots the mount point as deleted"),
        ("FROM alpine\nCOPY a /tmp/b/a\nRUN true\n", "", "lands in the layer only because of where it stands"),
        ("FROM alpine\nCOPY a /tmp/b/a\nRUN true\n", "--use-new-run", "writes a whiteout for the mount point"),
        ("FROM alpine\nCOPY a /tmp/b/a\n", "--single-snapshot", "always missing"),
    ],
)
def test_copy_into_a_mount_names_the_order_dependent_outcome(make_workspace, dockerfile: str, flags: str,
                                                              outcome: str) -> None:
    result = pipeline(make_workspace, dockerfile, working_dir="/tmp/b",
                      flags=f"--context `pwd` --dockerfile `pwd`/Dockerfile {flags}")
    (copy,) = [f for f in result.findings if f.location.path == "Dockerfile" and "COPY" in f.message]
    assert copy.rule == "KL001" and outcome in copy.message


def test_busybox_command_on_a_non_debug_image(make_workspace) -> None:
    container = ("          - name: kaniko\n            image: gcr.io/kaniko-project/executor:v1.23.2\n"
                 "            command: [/busybox/cat]\n")
    root = make_workspace({"Jenkinsfile": declarative(container, ""), "Dockerfile": "FROM alpine\n"})
    assert [(f.rule, f.location.range.start.line) for f in run(root).findings] == [("KL005", 8)]
    debug = container.replace("v1.23.2", "v1.23.2-debug")
    root = make_workspace({"Jenkinsfile": declarative(debug, ""), "Dockerfile": "FROM alpine\n"})
    assert run(root).findings == []
