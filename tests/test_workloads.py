"""Plain Kubernetes workloads whose container runs the kaniko executor itself: the Dockerfile found
through the volume holding the context, checked against the container's volumeMounts, through the CLI
and the language server."""

from __future__ import annotations

from pathlib import Path

from pytest_lsp import LanguageClient

from helpers import launcher_findings as findings
from helpers import place
from lsp_support import open_document, replace_and_expect_clear, start, wait_for

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: build-app
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - name: clone
          image: alpine/git
          args: ["clone", "--depth=1", "https://example.com/app.git", "/workspace"]
          volumeMounts:
            - name: source
              mountPath: /workspace
      containers:
        - name: kaniko
          image: gcr.io/kaniko-project/executor:v1.23.2
          args:
            - --context=dir:///workspace
            - --dockerfile=Dockerfile
            - --destination=registry.example.com/app:latest
          volumeMounts:
            - name: source
              mountPath: /workspace
            - name: docker-config
              mountPath: /kaniko/.docker
      volumes:
        - name: source
          emptyDir: {}
        - name: docker-config
          secret:
            secretName: regcred
"""
BUILDS_IN_WORKSPACE = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /workspace/bin/app .\n"
BUILDS_IN_SRC = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /src/bin/app .\n"




def mount_line(text: str) -> int:
    """The kaniko container's `mountPath: /workspace` (the second one in the file)."""
    lines = [n for n, line in enumerate(text.splitlines()) if line.strip() == "mountPath: /workspace"]
    return lines[1]


def test_a_dockerfile_writing_into_the_context_volume_is_found_on_both_sides(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "build.yaml").write_text(JOB)
    (tmp_path / "Dockerfile").write_text(BUILDS_IN_WORKSPACE)
    found = findings(tmp_path)
    assert [place(f) for f in found] == [("KL001", "Dockerfile", 3, 16),
                                         ("KL001", "deploy/build.yaml", mount_line(JOB), 25)]
    assert found[0]["message"].startswith("RUN go writes /workspace/bin/app, under the volume mounted at /workspace "
                                          "in container 'kaniko'")
    assert found[1]["message"] == ("kaniko never snapshots the volume mounted at /workspace in container 'kaniko': "
                                   "1 change by Dockerfile will be missing from the image (/workspace/bin/app)")
    assert found[0]["related"][0]["path"] == "deploy/build.yaml"


def test_look_alikes_stay_silent(tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(JOB)
    (tmp_path / "Dockerfile").write_text(BUILDS_IN_SRC)  # /src is not mounted
    (tmp_path / "agent-pod.yaml").write_text(  # a Jenkins agent pod: kaniko waits for `sh` steps
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kaniko\n"
        "    image: gcr.io/kaniko-project/executor:debug\n    command: [/busybox/cat]\n    tty: true\n"
        "    volumeMounts:\n    - name: ws\n      mountPath: /src\n# run with --context `pwd`\n")
    assert findings(tmp_path) == []


def test_a_cron_job_is_read_like_a_job(tmp_path: Path) -> None:
    body = JOB[JOB.index("  template:"):].replace("\n", "\n    ")
    cron = ("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: '0 3 * * *'\n"
            f"  jobTemplate:\n    spec:\n    {body}\n")
    (tmp_path / "nightly.yaml").write_text(cron)
    (tmp_path / "Dockerfile").write_text(BUILDS_IN_WORKSPACE)
    assert [(f["rule"], f["path"]) for f in findings(tmp_path)] == [("KL001", "Dockerfile"), ("KL001", "nightly.yaml")]


async def test_the_language_server_reports_both_sides_and_clears_them(client: LanguageClient,
                                                                       tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(JOB)
    (tmp_path / "Dockerfile").write_text(BUILDS_IN_WORKSPACE)
    await start(client, tmp_path)
    job_uri = open_document(client, tmp_path / "build.yaml", "yaml")
    (on_job,) = await wait_for(client, job_uri, lambda d: len(d) == 1)
    assert (on_job.code, on_job.range.start.line) == ("KL001", mount_line(JOB))
    dockerfile_uri = open_document(client, tmp_path / "Dockerfile", "dockerfile")
    (on_dockerfile,) = await wait_for(client, dockerfile_uri, lambda d: len(d) == 1)
    assert (on_dockerfile.range.start.line, on_dockerfile.range.start.character) == (3, 16)
    await replace_and_expect_clear(client, dockerfile_uri, 3, 16, 26, "/src", job_uri)
