"""The fix of launchers other than Jenkins: the mount the Dockerfile writes under moves, with the
references to it, and the workspace re-checks clean (CLI `--fix` and the editor's quick fix); where the
mount cannot move (Tekton's own /workspace, GitLab's /builds) no fix is offered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from test_argo import WORKFLOW, WRITES_SRC
from test_cli import check
from test_gitlab import CI, WRITES_BUILDS
from test_tekton import TASK, WRITES_WORKSPACE
from test_workloads import BUILDS_IN_WORKSPACE, JOB

from lsp_support import apply_edits, code_actions, open_document, start, wait_for

TASK_AT_SRC = TASK.replace("    - name: source\n", "    - name: source\n      mountPath: /src\n")
DOCKERFILE_IN_SRC = "FROM alpine:3.20\nWORKDIR /src\nRUN mkdir out && touch out/ready\n"

CASES = {
    "kubernetes": ({"build.yaml": JOB, "Dockerfile": BUILDS_IN_WORKSPACE}, "build.yaml",
                   ["mountPath: /build-context", "--context=dir:///build-context"]),
    "argo": ({"build.yaml": WORKFLOW, "Dockerfile": WRITES_SRC}, "build.yaml",
             ["path: /build-context", "--context=dir:///build-context"]),
    "tekton": ({"task.yaml": TASK_AT_SRC, "Dockerfile": DOCKERFILE_IN_SRC}, "task.yaml",
               ["mountPath: /build-context", "--context=$(workspaces.source.path)/$(params.CONTEXT)"]),
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def fixes(root: Path) -> list[tuple[str, str]]:
    process = check(root, "--format", "json")
    return [(f["rule"], fix["title"]) for f in json.loads(process.stdout)["findings"] for fix in f["fixes"]]


@pytest.mark.parametrize("launcher", sorted(CASES))
def test_check_fix_moves_the_mount_and_the_workspace_rechecks_clean(tmp_path: Path, launcher: str) -> None:
    files, changed, expected = CASES[launcher]
    write(tmp_path, files)
    assert fixes(tmp_path) and all("at /build-context instead" in title for _, title in fixes(tmp_path))
    process = check(tmp_path, "--fix")
    assert process.returncode == 0, process.stdout + process.stderr
    text = (tmp_path / changed).read_text()
    assert all(line in text for line in expected), text
    recheck = check(tmp_path)
    assert (recheck.returncode, recheck.stdout) == (0, "All clear: 1 pipeline checked, no findings.\n")
    assert (tmp_path / "Dockerfile").read_text() == files["Dockerfile"]


@pytest.mark.parametrize(("files", "rules"), [
    ({"task.yaml": TASK, "Dockerfile": WRITES_WORKSPACE}, {"KL001"}),  # Tekton's own /workspace
    ({".gitlab-ci.yml": CI, "docker/Dockerfile": WRITES_BUILDS}, {"KL001"}),  # the runner's /builds
], ids=["tekton-workspace", "gitlab-builds"])
def test_a_mount_that_cannot_move_has_no_fix(tmp_path: Path, files: dict[str, str], rules: set[str]) -> None:
    write(tmp_path, files)
    process = check(tmp_path, "--format", "json")
    found = json.loads(process.stdout)["findings"]
    assert {f["rule"] for f in found} == rules and all(f["fixes"] == [] for f in found)
    assert all("; make the Dockerfile write outside " in f["message"] for f in found)  # what to change instead


@pytest.mark.parametrize("launcher", sorted(CASES))
async def test_the_quick_fix_moves_the_mount_and_clears_both_sides(client: LanguageClient, tmp_path: Path,
                                                                   launcher: str) -> None:
    files, changed, _ = CASES[launcher]
    write(tmp_path, files)
    await start(client, tmp_path)
    uri = open_document(client, tmp_path / changed, "yaml")
    dockerfile_uri = open_document(client, tmp_path / "Dockerfile", "dockerfile")
    diagnostics = await wait_for(client, uri, lambda d: len(d) == 1)
    await wait_for(client, dockerfile_uri, lambda d: len(d) >= 1)
    actions = await code_actions(client, uri, diagnostics, only=[types.CodeActionKind.QuickFix])
    move = actions[0]
    assert move.title.endswith("at /build-context instead") and move.is_preferred
    apply_edits(client, uri, move.edit.changes[uri], 2)
    assert not await wait_for(client, uri, lambda d: not d)
    assert not await wait_for(client, dockerfile_uri, lambda d: not d)


LOOK_ALIKES = {
    "tekton": ({"task.yaml": TASK, "Dockerfile": "FROM alpine\nRUN mkdir -p /src/cache\n"}, "task.yaml"),
    "argo": ({"build.yaml": WORKFLOW, "Dockerfile": "FROM alpine\nRUN mkdir -p /build/cache\n"}, "build.yaml"),
    "kubernetes": ({"build.yaml": JOB, "Dockerfile": "FROM alpine\nRUN mkdir -p /src/cache\n"}, "build.yaml"),
    "gitlab": ({".gitlab-ci.yml": CI, "docker/Dockerfile": "FROM alpine\nRUN mkdir -p /app\n"}, ".gitlab-ci.yml"),
}


@pytest.mark.parametrize("launcher", sorted(LOOK_ALIKES))
async def test_a_look_alike_stays_silent_in_the_editor(client: LanguageClient, tmp_path: Path, launcher: str) -> None:
    files, opened = LOOK_ALIKES[launcher]
    write(tmp_path, files)
    await start(client, tmp_path)
    uri = open_document(client, tmp_path / opened, "yaml")
    assert list(await wait_for(client, uri, lambda d: True)) == []


async def test_hover_and_links_work_in_the_files_of_other_launchers(client: LanguageClient, tmp_path: Path) -> None:
    write(tmp_path, {"build.yaml": JOB, "Dockerfile": BUILDS_IN_WORKSPACE})
    await start(client, tmp_path)
    uri = open_document(client, tmp_path / "build.yaml", "yaml")
    await wait_for(client, uri, lambda d: len(d) == 1)
    lines = JOB.splitlines()
    mount = [n for n, line in enumerate(lines) if line.strip() == "mountPath: /workspace"][1]
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(mount, 20)))
    assert hover is not None and "`/workspace`" in hover.contents.value and "Builds here: `Dockerfile`" in \
        hover.contents.value
    dockerfile_flag = lines.index("            - --dockerfile=Dockerfile")
    links = await client.text_document_document_link_async(types.DocumentLinkParams(
        types.TextDocumentIdentifier(uri)))
    assert [(link.range.start.line, link.target) for link in links] == [
        (dockerfile_flag, (tmp_path / "Dockerfile").as_uri())]
    executor = lines.index("          image: gcr.io/kaniko-project/executor:v1.23.2")
    build = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(executor, 20)))
    assert build is not None and "kaniko build in container `kaniko`" in build.contents.value
