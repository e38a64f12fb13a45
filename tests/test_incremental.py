"""Differential test of incremental analysis through the server: after every random step (an edit, a file
created, changed or deleted on disk, a document opened or closed), what the server published for each
open document must equal a fresh analysis of the same state."""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from kaniko_lsp.engine import Engine
from kaniko_lsp.workspace import Workspace

from conftest import SERVER
from lsp_support import start

STEPS = int(os.environ.get("KANIKO_DIFFERENTIAL_STEPS", "300"))
SEED = int(os.environ.get("KANIKO_DIFFERENTIAL_SEED", "8"))

POD = """apiVersion: v1
kind: Pod
spec:
  containers:
  - name: kaniko
    image: gcr.io/kaniko-project/executor:debug
    workingDir: {working_dir}
    volumeMounts:
    - name: cache
      mountPath: {mount}
"""


def declarative(working_dir: str, dockerfile: str, broken: bool = False) -> str:
    return (
        "pipeline {\n  agent {\n    kubernetes {\n      yaml '''\n"
        f"{POD.format(working_dir=working_dir, mount='/cache').replace(chr(10), chr(10) + '        ')}'''\n"
        "    }\n  }\n  stages {\n    stage('image') {\n      steps {\n"
        "        container(name: 'kaniko', shell: '/busybox/sh') {\n"
        f"          sh '/kaniko/executor --context `pwd` --dockerfile `pwd`/{dockerfile} --no-push'\n"
        f"        }}\n      }}\n    }}\n  }}\n{'' if broken else '}'}\n")


def yaml_file(dockerfile: str) -> str:
    return ("pipeline { agent { kubernetes { yamlFile 'app/pod.yaml' } }\n"
            " stages { stage('b') { steps { container('kaniko') {\n"
            f"  sh '/kaniko/executor --context `pwd` --dockerfile {dockerfile}'\n}} }} }} }}\n")


WRITES = ["RUN mkdir -p /tmp/b/x", "RUN touch /home/jenkins/.m2", "RUN mkdir /srv/ok", "RUN rm -rf /tmp/b",
          "COPY a /etc/hosts", "WORKDIR /home/jenkins/agent/w", "RUN mkdir -p /cache/c", "RUN sed -i s/a/b/ /tmp/b/f"]
WORKING_DIRS = ["/tmp/b", "/home/jenkins", "/home/jenkins/agent"]
DOCKERFILES = ["svc/Dockerfile", "shared/Dockerfile", "tools/alt.Dockerfile"]


def variants(path: str, rng: random.Random) -> str | None:
    """A random content for a file of the workspace (None: the file should not exist)."""
    if path.endswith("Jenkinsfile") and path.startswith("app"):
        return yaml_file(rng.choice(DOCKERFILES))
    if path.endswith("Jenkinsfile"):
        return declarative(rng.choice(WORKING_DIRS), rng.choice(DOCKERFILES), broken=rng.random() < 0.1)
    if path.endswith("pod.yaml"):
        if rng.random() < 0.1:
            return "spec:\n  containers:\n\t- name: kaniko\n"
        return POD.format(working_dir=rng.choice(WORKING_DIRS), mount=rng.choice(["/cache", "/tmp/b", "/srv"]))
    if path.endswith(".kaniko-lsp.yaml"):
        return rng.choice([None, "ignore: [KL001]\n", "severity: {KL001: warning}\n", "ignore: [KL003, KL009]\n"])
    lines = ["FROM alpine", *rng.sample(WRITES, rng.randint(0, 4))]
    return "\n".join(lines) + "\n"


FILES = ["svc/Jenkinsfile", "app/Jenkinsfile", "app/pod.yaml", "extra/Jenkinsfile", "svc/Dockerfile",
         "shared/Dockerfile", "tools/alt.Dockerfile", ".kaniko-lsp.yaml"]
OPTIONAL = {"extra/Jenkinsfile", "tools/alt.Dockerfile", ".kaniko-lsp.yaml"}


def shown(diagnostics: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    return sorted((d.code or "", d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character,
                   d.message) for d in diagnostics)


def expected(root: Path, buffers: dict[str, str], path: str) -> list[tuple[object, ...]]:
    """What a fresh analysis of the same state says about `path` (ASCII files: columns are code points)."""
    engine = Engine(Workspace(root, dict(buffers)))
    engine.scan()
    engine.refresh()
    found = [(f.rule, f.location.range.start.line, f.location.range.start.character, f.location.range.end.line,
              f.location.range.end.character, f.message) for f in engine.findings_in(path)]
    found += [("", location.range.start.line, location.range.start.character, location.range.end.line,
               location.range.end.character, f"kaniko-lsp could not read this: {message.removeprefix('not read: ')}")
              for location, message in engine.problems_in(path)]
    return sorted(found)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[SERVER, "serve"]))
async def vscode(lsp_client: LanguageClient):
    lsp_client.capability_set = "visual-studio-code"  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        """Accepts the file watcher (the events are sent by the test)."""

    yield
    await lsp_client.shutdown_session()


async def test_published_diagnostics_always_equal_a_fresh_analysis(vscode: LanguageClient, tmp_path: Path) -> None:
    client = vscode
    rng = random.Random(SEED)
    root = tmp_path / "ws"
    disk: dict[str, str] = {}
    for path in FILES:
        content = variants(path, rng) if path not in OPTIONAL or rng.random() < 0.5 else None
        if content is not None:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(content)
            disk[path] = content
    await start(client, root)
    buffers: dict[str, str] = {}
    versions: dict[str, int] = {}
    log: list[str] = []

    def uri(path: str) -> str:
        return from_fs_path(str(root / path))

    def open_document(path: str) -> None:
        versions[path] = 1
        buffers[path] = disk[path]
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri(path), language_id="plaintext", version=1, text=buffers[path])))

    for path in ("svc/Jenkinsfile", "shared/Dockerfile"):
        if path in disk:
            open_document(path)

    step = 0
    while len(log) < STEPS:
        step += 1
        action = rng.choice(["edit", "edit", "edit", "disk", "disk", "open", "close"])
        path = rng.choice(FILES)
        if action == "edit" and path in buffers:
            content = variants(path, rng) or "\n"
            versions[path] += 1
            buffers[path] = content
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri(path), version=versions[path]),
                [types.TextDocumentContentChangeWholeDocument(text=content)]))
        elif action in ("disk", "edit") and path not in buffers:
            content = variants(path, rng) if path in OPTIONAL else variants(path, rng) or "\n"
            kind = types.FileChangeType.Changed if path in disk else types.FileChangeType.Created
            if content is None:
                if path not in disk:
                    continue
                (root / path).unlink()
                del disk[path]
                kind = types.FileChangeType.Deleted
            else:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(content)
                disk[path] = content
            client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=uri(path), type=kind)]))
        elif action == "open" and path not in buffers and path in disk:
            open_document(path)
        elif action == "close" and path in buffers:
            del buffers[path]
            client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri(path))))
        else:
            continue
        log.append(f"{step}: {action} {path}")
        wanted = {path: expected(root, buffers, path) for path in buffers}
        deadline = asyncio.get_running_loop().time() + 10
        while any(shown(client.diagnostics.get(uri(p), [])) != wanted[p] for p in buffers):
            if asyncio.get_running_loop().time() > deadline:
                wrong = {p: (shown(client.diagnostics.get(uri(p), [])), wanted[p]) for p in buffers
                         if shown(client.diagnostics.get(uri(p), [])) != wanted[p]}
                pytest.fail(f"after {log[-5:]}: published != fresh analysis: {wrong}")
            await asyncio.sleep(0.005)
    assert len(log) == STEPS
