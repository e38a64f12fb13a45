"""Argo Workflows: a template that runs the kaniko executor, its Dockerfile checked against the input
artifacts and volumes of its main container, through the CLI and the language server."""

from __future__ import annotations

from pathlib import Path

from pytest_lsp import LanguageClient

from helpers import launcher_findings as findings
from helpers import place
from lsp_support import open_document, replace_and_expect_clear, start, wait_for

WORKFLOW = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: build
spec:
  entrypoint: kaniko
  arguments:
    parameters:
      - name: dockerfile
        value: Dockerfile
  templates:
    - name: kaniko
      inputs:
        parameters:
          - name: image
            value: registry.example.com/app
        artifacts:
          - name: source
            path: /src
            git:
              repo: https://example.com/app.git
      container:
        image: gcr.io/kaniko-project/executor:v1.23.2
        args:
          - --context=dir:///src
          - --dockerfile={{workflow.parameters.dockerfile}}
          - --destination={{inputs.parameters.image}}
"""
WRITES_SRC = "FROM golang:1.22\nWORKDIR /build\nCOPY . .\nRUN go build -o /src/bin/app .\n"
WRITES_BUILD = "FROM golang:1.22\nWORKDIR /build\nCOPY . .\nRUN go build -o /build/bin/app .\n"




ARTIFACT_LINE = WORKFLOW.splitlines().index("            path: /src")


def test_a_dockerfile_writing_into_an_input_artifact_is_found_on_both_sides(tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(WORKFLOW)
    (tmp_path / "Dockerfile").write_text(WRITES_SRC)
    found = findings(tmp_path)
    assert [place(f) for f in found] == [("KL001", "Dockerfile", 3, 16), ("KL001", "build.yaml", ARTIFACT_LINE, 18)]
    assert found[1]["message"] == ("kaniko never snapshots the input artifact placed at /src (template 'kaniko'): "
                                   "1 change by Dockerfile will be missing from the image (/src/bin/app)")


def test_look_alikes_stay_silent(tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(WORKFLOW)
    (tmp_path / "Dockerfile").write_text(WRITES_BUILD)
    (tmp_path / "other.yaml").write_text(WORKFLOW.replace("gcr.io/kaniko-project/executor:v1.23.2", "alpine")
                                         .replace("args:", "command: [sh, -c]\n        args:"))
    assert findings(tmp_path) == []


def test_a_cron_workflow_is_read_and_parameters_choose_the_dockerfile(tmp_path: Path) -> None:
    spec = WORKFLOW[WORKFLOW.index("  entrypoint:"):].replace("value: Dockerfile", "value: images/app/Dockerfile")
    cron = ("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata:\n  name: nightly\nspec:\n"
            "  schedule: '0 3 * * *'\n  workflowSpec:\n" + "".join(f"  {line}\n" for line in spec.splitlines()))
    (tmp_path / "nightly.yaml").write_text(cron)
    (tmp_path / "images" / "app").mkdir(parents=True)
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_SRC)
    assert [(f["rule"], f["path"]) for f in findings(tmp_path)] == [("KL001", "images/app/Dockerfile"),
                                                                    ("KL001", "nightly.yaml")]


async def test_the_language_server_reports_both_sides_and_clears_them(client: LanguageClient,
                                                                       tmp_path: Path) -> None:
    (tmp_path / "build.yaml").write_text(WORKFLOW)
    (tmp_path / "Dockerfile").write_text(WRITES_SRC)
    await start(client, tmp_path)
    workflow_uri = open_document(client, tmp_path / "build.yaml", "yaml")
    (on_workflow,) = await wait_for(client, workflow_uri, lambda d: len(d) == 1)
    assert (on_workflow.code, on_workflow.range.start.line) == ("KL001", ARTIFACT_LINE)
    dockerfile_uri = open_document(client, tmp_path / "Dockerfile", "dockerfile")
    (on_dockerfile,) = await wait_for(client, dockerfile_uri, lambda d: len(d) == 1)
    assert (on_dockerfile.range.start.line, on_dockerfile.range.start.character) == (3, 16)
    await replace_and_expect_clear(client, dockerfile_uri, 3, 16, 20, "/build", workflow_uri)
