"""A real client: Neovim (0.7, Debian's package), set up with the shipped client-config/neovim/kaniko_lsp_0_7.lua
and its own defaults (`--clean`: filetype detection on, no user configuration). No filetype is set by
hand: the configuration has to recognise a Jenkinsfile itself."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPOSITORY, SERVER
from helpers import declarative, kaniko_container, kaniko_step

NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="neovim is not installed (apt-get install neovim); .ci/run installs it")
def test_a_user_session_hover_fix_and_a_fix_across_files(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    pair = root / "pair"  # a second pipeline of the same repository, with its Dockerfile on disk
    pair.mkdir()
    (pair / "Jenkinsfile").write_text(declarative(kaniko_container("/tmp/b"), kaniko_step(
        "--context $(pwd)/pair --dockerfile $(pwd)/pair/Dockerfile")))
    (pair / "Dockerfile").write_text("FROM alpine\nRUN mkdir -p /tmp/b/cache\n")
    result = tmp_path / "result.txt"
    environment = {**os.environ, "KANIKO_RESULT": str(result), "KANIKO_ROOT": str(root), "KANIKO_PAIR": str(pair),
                   "KANIKO_SERVER": SERVER,
                   "KANIKO_CONFIG": str(REPOSITORY / "client-config" / "neovim" / "kaniko_lsp_0_7.lua"),
                   "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
                   "XDG_STATE_HOME": str(tmp_path / "state")}
    script = REPOSITORY / "tests" / "nvim" / "user_session.lua"
    process = subprocess.run([NVIM, "--headless", "--clean", "-n", "-c", f"luafile {script}"],
                             env=environment, capture_output=True, text=True, timeout=120, check=False)
    output = result.read_text() if result.exists() else ""
    assert process.returncode == 0, f"neovim exited {process.returncode}: {output} {process.stderr[-2000:]}"
    assert output.splitlines() == [
        "filetype groovy", "diagnostic 14:24 KL001", "hover Working directory: `/home/jenkins`",
        "line13             workingDir: /home/jenkins/agent", "line15             workingDir: /home/jenkins/agent",
        "seed clear", "filetype dockerfile", "dockerfile before 1", "dockerfile after 0"]
