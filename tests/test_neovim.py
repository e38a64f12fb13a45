"""A real client: Neovim (0.7, Debian's package) drives `kaniko-lsp serve` with the 0.7-compatible
configuration from client-config/neovim, receives KL001 and applies the quick fix."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPOSITORY, SERVER

NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="neovim is not installed (apt-get install neovim); .ci/run installs it")
def test_neovim_receives_kl001_and_applies_the_quick_fix(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    result = tmp_path / "result.txt"
    environment = {**os.environ, "KANIKO_RESULT": str(result), "KANIKO_ROOT": str(root), "KANIKO_SERVER": SERVER,
                   "KANIKO_CONFIG": str(REPOSITORY / "client-config" / "neovim" / "kaniko_lsp_0_7.lua"),
                   "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
                   "XDG_STATE_HOME": str(tmp_path / "state")}
    script = REPOSITORY / "tests" / "nvim" / "apply_seed_fix.lua"
    process = subprocess.run([NVIM, "--headless", "-n", "-i", "NONE", "-u", "NONE", "-c", f"luafile {script}"],
                             env=environment, capture_output=True, text=True, timeout=90, check=False)
    output = result.read_text() if result.exists() else ""
    assert process.returncode == 0, f"neovim exited {process.returncode}: {output} {process.stderr[-2000:]}"
    assert output.splitlines() == ["diagnostic 14:24 KL001", "applied true",
                                   "line13             workingDir: /home/jenkins/agent",
                                   "line15             workingDir: /home/jenkins/agent"]
