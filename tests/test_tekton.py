"""Tekton: a kaniko step's Dockerfile checked against the mounts Tekton gives the step (its own volumes
at /workspace and /tekton/..., the Task's workspaces), through the CLI and the language server."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from helpers import launcher_findings as findings
from helpers import place
from lsp_support import open_document, replace_and_expect_clear, start, wait_for

TASK = """\
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: kaniko
spec:
  params:
    - name: IMAGE
    - name: DOCKERFILE
      default: ./Dockerfile
    - name: CONTEXT
      default: ./
    - name: EXTRA_ARGS
      type: array
      default: []
    - name: BUILDER_IMAGE
      default: gcr.io/kaniko-project/executor:v1.23.2
  workspaces:
    - name: source
  results:
    - name: IMAGE_DIGEST
  steps:
    - name: build-and-push
      workingDir: $(workspaces.source.path)
      image: $(params.BUILDER_IMAGE)
      args:
        - $(params.EXTRA_ARGS)
        - --dockerfile=$(params.DOCKERFILE)
        - --context=$(workspaces.source.path)/$(params.CONTEXT)
        - --destination=$(params.IMAGE)
        - --digest-file=$(results.IMAGE_DIGEST.path)
"""
WRITES_WORKSPACE = "FROM alpine:3.20\nRUN apk add --no-cache git\nRUN mkdir -p /workspace/cache\n"
WRITES_SRC = "FROM alpine:3.20\nRUN apk add --no-cache git\nRUN mkdir -p /src/cache\n"


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines()) if needle in line)




def test_a_dockerfile_writing_under_workspace_is_found_on_both_sides(tmp_path: Path) -> None:
    (tmp_path / ".tekton").mkdir()
    (tmp_path / ".tekton" / "kaniko.yaml").write_text(TASK)
    (tmp_path / "Dockerfile").write_text(WRITES_WORKSPACE)
    found = findings(tmp_path)
    step = line_of(TASK, "- name: build-and-push")
    assert [place(f) for f in found] == [("KL001", ".tekton/kaniko.yaml", step, 12), ("KL001", "Dockerfile", 2, 13)]
    task_side, dockerfile_side = found
    assert task_side["message"] == (
        "kaniko never snapshots /workspace, which Tekton mounts into every step (step 'build-and-push'): 1 change "
        "by Dockerfile will be missing from the image (/workspace/cache); make the Dockerfile write outside "
        "/workspace (Tekton mounts it into every step)")
    assert dockerfile_side["message"].startswith("RUN mkdir writes /workspace/cache, under /workspace, which Tekton "
                                                 "mounts into every step (step 'build-and-push')")
    assert task_side["related"][0]["path"] == "Dockerfile" and dockerfile_side["related"][0]["path"] == \
        ".tekton/kaniko.yaml"
    assert task_side["fixes"] == [] and dockerfile_side["fixes"] == []


def test_look_alikes_stay_silent(tmp_path: Path) -> None:
    (tmp_path / "task.yaml").write_text(TASK)
    (tmp_path / "Dockerfile").write_text(WRITES_SRC)  # /src is not mounted
    (tmp_path / "buildah.yaml").write_text(TASK.replace("kaniko", "buildah").replace(
        "gcr.io/kaniko-project/executor:v1.23.2", "quay.io/buildah/stable"))
    (tmp_path / "pod.yaml").write_text(  # a pod file with a kaniko container, but no Tekton resource
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kaniko\n"
        "    image: gcr.io/kaniko-project/executor:debug\n    workingDir: /workspace\n")
    assert findings(tmp_path) == []
    (tmp_path / "Dockerfile").write_text(WRITES_WORKSPACE)
    assert {f["path"] for f in findings(tmp_path)} == {"task.yaml", "Dockerfile"}


def test_a_workspace_mounted_where_the_dockerfile_works_is_reported_at_its_mount_path(tmp_path: Path) -> None:
    task = TASK.replace("    - name: source\n", "    - name: source\n      mountPath: /src\n")
    (tmp_path / "task.yaml").write_text(task)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nWORKDIR /src\nRUN mkdir out && touch out/ready\n")
    found = findings(tmp_path)
    assert [place(f) for f in found] == [("KL001", "Dockerfile", 1, 8), ("KL001", "Dockerfile", 2, 10),
                                         ("KL001", "Dockerfile", 2, 23),
                                         ("KL001", "task.yaml", line_of(task, "mountPath: /src"), 17)]
    assert found[3]["message"].startswith("kaniko never snapshots the Tekton workspace mounted at /src (step "
                                          "'build-and-push'): 3 changes by Dockerfile will be missing")


def test_params_given_by_a_pipeline_run_choose_the_dockerfile(tmp_path: Path) -> None:
    steps = TASK[TASK.index("  params:"):].replace("\n", "\n        ")
    run = f"""\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: build
spec:
  params:
    - name: dockerfile
      value: images/app/Dockerfile
  pipelineSpec:
    params:
      - name: dockerfile
        default: ./Dockerfile
    workspaces:
      - name: shared
    tasks:
      - name: build
        params:
          - name: DOCKERFILE
            value: $(params.dockerfile)
        workspaces:
          - name: source
            workspace: shared
        taskSpec:
        {steps}
"""
    (tmp_path / "run.yaml").write_text(run)
    (tmp_path / "Dockerfile").write_text(WRITES_SRC)
    (tmp_path / "images" / "app").mkdir(parents=True)
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_WORKSPACE)
    assert [(f["rule"], f["path"]) for f in findings(tmp_path)] == [("KL001", "images/app/Dockerfile"),
                                                                    ("KL001", "run.yaml")]


async def test_the_language_server_reports_both_sides_and_clears_them(client: LanguageClient,
                                                                       tmp_path: Path) -> None:
    (tmp_path / "task.yaml").write_text(TASK)
    (tmp_path / "Dockerfile").write_text(WRITES_WORKSPACE)
    await start(client, tmp_path)
    task_uri = open_document(client, tmp_path / "task.yaml", "yaml")
    (on_task,) = await wait_for(client, task_uri, lambda d: len(d) == 1)
    assert (on_task.code, on_task.range.start.line) == ("KL001", line_of(TASK, "- name: build-and-push"))
    dockerfile_uri = open_document(client, tmp_path / "Dockerfile", "dockerfile")
    (on_dockerfile,) = await wait_for(client, dockerfile_uri, lambda d: len(d) == 1)
    assert (on_dockerfile.code, on_dockerfile.range.start.line, on_dockerfile.range.start.character) == \
        ("KL001", 2, 13)
    await replace_and_expect_clear(client, dockerfile_uri, 2, 13, 23, "/src", task_uri)


PIPELINE = """\
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: build-app
spec:
  params:
    - name: image
  workspaces:
    - name: shared
  tasks:
    - name: fetch
      taskRef:
        resolver: hub
        params: [{name: name, value: git-clone}]
    - name: image
      runAfter: [fetch]
      taskRef:
        name: kaniko
      params:
        - name: DOCKERFILE
          value: ./images/app/Dockerfile
        - name: IMAGE
          value: $(params.image)
      workspaces:
        - name: source
          workspace: shared
"""
RUN = """\
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: build-app-
spec:
  pipelineRef:
    name: build-app
  params:
    - name: image
      value: registry.example.com/app
"""


def referring_workspace(root: Path, app_dockerfile: str) -> Path:
    (root / "tekton").mkdir(parents=True)
    (root / "tekton" / "task-kaniko.yaml").write_text(TASK)
    (root / "tekton" / "pipeline.yaml").write_text(PIPELINE)
    (root / "tekton" / "run.yaml").write_text(RUN)
    (root / "Dockerfile").write_text(WRITES_SRC)
    (root / "images" / "app").mkdir(parents=True)
    (root / "images" / "app" / "Dockerfile").write_text(app_dockerfile)
    return root


def test_a_task_named_by_a_pipeline_in_another_file_builds_the_dockerfile_the_pipeline_gives(tmp_path: Path) -> None:
    found = findings(referring_workspace(tmp_path, WRITES_WORKSPACE))
    step = line_of(TASK, "- name: build-and-push")
    assert [place(f) for f in found] == [("KL001", "images/app/Dockerfile", 2, 13),
                                         ("KL001", "tekton/task-kaniko.yaml", step, 12)]
    assert found[0]["related"][0]["path"] == "tekton/task-kaniko.yaml"
    assert findings(referring_workspace(tmp_path / "clean", WRITES_SRC)) == []


def test_a_reference_to_a_task_that_is_not_in_the_repository_is_silent(tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    (tmp_path / "images" / "app").mkdir(parents=True)
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_WORKSPACE)
    assert findings(tmp_path) == []


async def test_a_task_file_created_later_is_followed_by_the_pipeline(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    (tmp_path / "images" / "app").mkdir(parents=True)
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_WORKSPACE)
    await start(client, tmp_path)
    dockerfile_uri = open_document(client, tmp_path / "images" / "app" / "Dockerfile", "dockerfile")
    await wait_for(client, dockerfile_uri, lambda d: len(d) == 0)
    (tmp_path / "task.yaml").write_text(TASK)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(uri=from_fs_path(str(tmp_path / "task.yaml")), type=types.FileChangeType.Created)]))
    (on_dockerfile,) = await wait_for(client, dockerfile_uri, lambda d: len(d) == 1)
    assert (on_dockerfile.code, on_dockerfile.range.start.line, on_dockerfile.range.start.character) == \
        ("KL001", 2, 13)


def test_a_run_in_one_file_of_a_pipeline_in_another_of_a_task_in_a_third_passes_its_params(tmp_path: Path) -> None:
    pipeline = PIPELINE.replace("    - name: image\n", "    - name: image\n    - name: dockerfile\n", 1)
    pipeline = pipeline.replace("value: ./images/app/Dockerfile", "value: $(params.dockerfile)")
    run = RUN + "    - name: dockerfile\n      value: ./images/app/Dockerfile\n"
    (tmp_path / "tekton").mkdir()
    for name, text in (("task-kaniko.yaml", TASK), ("pipeline.yaml", pipeline), ("run.yaml", run)):
        (tmp_path / "tekton" / name).write_text(text)
    (tmp_path / "Dockerfile").write_text(WRITES_SRC)
    (tmp_path / "images" / "app").mkdir(parents=True)
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_WORKSPACE)
    step = line_of(TASK, "- name: build-and-push")
    assert [place(f) for f in findings(tmp_path) if f["rule"] == "KL001"] == [
        ("KL001", "images/app/Dockerfile", 2, 13), ("KL001", "tekton/task-kaniko.yaml", step, 12)]


def test_a_task_a_pipeline_names_is_checked_with_the_params_it_gives_not_alone_with_its_defaults(
        tmp_path: Path) -> None:
    referring_workspace(tmp_path, WRITES_SRC)
    (tmp_path / "Dockerfile").write_text(WRITES_WORKSPACE)  # the Task's default, which the Pipeline replaces
    assert findings(tmp_path) == []
    (tmp_path / "tekton" / "pipeline.yaml").unlink()  # now nothing names the Task: its defaults are all there is
    (tmp_path / "tekton" / "run.yaml").unlink()
    step = line_of(TASK, "- name: build-and-push")
    assert [place(f) for f in findings(tmp_path)] == [("KL001", "Dockerfile", 2, 13),
                                                      ("KL001", "tekton/task-kaniko.yaml", step, 12)]


def test_a_task_named_by_a_pipeline_of_the_same_file_is_read_once_with_the_params_given(tmp_path: Path) -> None:
    (tmp_path / "tekton.yaml").write_text(TASK + "---\n" + PIPELINE)
    (tmp_path / "Dockerfile").write_text(WRITES_WORKSPACE)
    (tmp_path / "images" / "app").mkdir(parents=True)
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_SRC)
    assert findings(tmp_path) == []
    (tmp_path / "images" / "app" / "Dockerfile").write_text(WRITES_WORKSPACE)
    assert [(f["rule"], f["path"]) for f in findings(tmp_path)] == [("KL001", "images/app/Dockerfile"),
                                                                    ("KL001", "tekton.yaml")]


async def test_a_task_is_checked_alone_again_once_the_pipeline_naming_it_stops(client: LanguageClient,
                                                                               tmp_path: Path) -> None:
    referring_workspace(tmp_path, WRITES_SRC)
    (tmp_path / "Dockerfile").write_text(WRITES_WORKSPACE)
    await start(client, tmp_path)
    task_uri = open_document(client, tmp_path / "tekton" / "task-kaniko.yaml", "yaml")
    pipeline_uri = open_document(client, tmp_path / "tekton" / "pipeline.yaml", "yaml")
    await wait_for(client, pipeline_uri, lambda d: len(d) == 0)
    assert not await wait_for(client, task_uri, lambda d: True)  # its first publication: nothing
    line = line_of(PIPELINE, "name: kaniko")
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=pipeline_uri, version=2),
        [types.TextDocumentContentChangePartial(range=types.Range(types.Position(line, 14), types.Position(line, 20)),
                                                text="buildah")]))
    (on_task,) = await wait_for(client, task_uri, lambda d: len(d) == 1)
    assert (on_task.code, on_task.range.start.line) == ("KL001", line_of(TASK, "- name: build-and-push"))
