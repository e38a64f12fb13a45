"""Real Emacs (Debian's emacs-nox 28 with elpa-eglot, elpa-lsp-mode, elpa-dockerfile-mode), each with a
shipped setup from client-config/emacs loaded as the file says, in batch mode with no user init:

- eglot: a Jenkinsfile opens in a Jenkinsfile mode and gets both sides of the seed's conflict;
- lsp-mode: a Dockerfile gets its finding from kaniko-lsp running as an add-on next to docker-langserver.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPOSITORY, SERVER
from helpers import declarative, kaniko_container, kaniko_step

EMACS = shutil.which("emacs")
DOCKER_LANGSERVER = os.environ.get("KANIKO_LSP_DOCKER_LANGSERVER") or shutil.which("docker-langserver")
REQUIRED = os.environ.get("KANIKO_LSP_REQUIRE_EDITORS") == "1"
CONFIGS = REPOSITORY / "client-config" / "emacs"
SCRIPTS = REPOSITORY / "tests" / "emacs"


def has_package(name: str) -> bool:
    return any(Path("/usr/share/emacs/site-lisp/elpa").glob(f"{name}-*"))


def require(*packages: str) -> None:
    missing = [p for p in packages if not has_package(p)]
    reason = ("emacs is not installed" if EMACS is None else
              f"Debian's elpa-{', elpa-'.join(missing)} not installed" if missing else None)
    if reason and REQUIRED:
        pytest.fail(reason)
    if reason:
        pytest.skip(f"{reason} (.ci/run installs them)")


def run_emacs(script: str, tmp_path: Path, **environment: str) -> list[str]:
    result = tmp_path / "result.txt"
    search_path = os.pathsep.join(str(Path(p).parent) for p in (SERVER, DOCKER_LANGSERVER) if p)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "KANIKO_RESULT": str(result),
           "PATH": f"{search_path}{os.pathsep}{os.environ['PATH']}", **environment}
    (tmp_path / "home").mkdir(exist_ok=True)
    process = subprocess.run([str(EMACS), "--batch", "-l", str(SCRIPTS / script)], env=env, capture_output=True,
                             text=True, timeout=120, check=False)
    assert process.returncode == 0 and result.exists(), process.stderr[-3000:]
    return result.read_text().splitlines()


def test_eglot_gives_a_jenkinsfile_both_sides_of_the_conflict(tmp_path: Path) -> None:
    require("eglot")
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    lines = run_emacs("eglot_session.el", tmp_path, KANIKO_CONFIG=str(CONFIGS / "kaniko-lsp-eglot.el"),
                      KANIKO_FILE=str(root / "Jenkinsfile"))
    assert lines[0] == "mode kaniko-lsp-jenkinsfile-mode"
    assert [line.split(":")[0] for line in lines[1:]] == ["diagnostic 15 kaniko-lsp [KL001]",
                                                          "diagnostic 36 kaniko-lsp [KL001]"]
    assert "RUN mkdir writes /home/jenkins/.m2" in lines[2]


def test_lsp_mode_runs_kaniko_lsp_next_to_docker_langserver(tmp_path: Path) -> None:
    require("lsp-mode", "dockerfile-mode")
    if DOCKER_LANGSERVER is None and REQUIRED:
        pytest.fail("docker-langserver is not installed")
    root = tmp_path / "project"
    (root / "pair").mkdir(parents=True)
    (root / "pair" / "Jenkinsfile").write_text(declarative(kaniko_container("/tmp/b"), kaniko_step(
        "--context $(pwd)/pair --dockerfile $(pwd)/pair/Dockerfile")))
    (root / "pair" / "Dockerfile").write_text("FROM alpine\nRUN mkdir -p /tmp/b/cache\n")
    (tmp_path / "state").mkdir()
    lines = run_emacs("lsp_mode_session.el", tmp_path, KANIKO_CONFIG=str(CONFIGS / "kaniko-lsp-mode.el"),
                      KANIKO_ROOT=str(root), KANIKO_FILE=str(root / "pair" / "Dockerfile"),
                      KANIKO_STATE=str(tmp_path / "state"))
    servers = "servers (dockerfile-ls kaniko-lsp)" if DOCKER_LANGSERVER else "servers (kaniko-lsp)"
    assert lines == ["mode dockerfile-mode", servers, "diagnostic 2 KL001 kaniko-lsp"]
