"""Editor configurations: the VS Code extension declares the server's settings and builds to a .vsix."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import fields

import pytest

from kaniko_lsp.lsp.settings import Settings

from conftest import REPOSITORY

VSCODE = REPOSITORY / "client-config" / "vscode"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_vscode_extension_declares_every_server_setting() -> None:
    manifest = json.loads((VSCODE / "package.json").read_text())
    properties = manifest["contributes"]["configuration"]["properties"]
    server_settings = {f"kanikoLsp.{camel(f.name)}": f.default for f in fields(Settings)}
    for key, default in server_settings.items():
        assert key in properties, key
        assert properties[key]["default"] == default, key
        assert properties[key]["description"]
    assert set(properties) - set(server_settings) == {"kanikoLsp.serverPath", "kanikoLsp.pythonPath"}


def test_editor_configs_start_the_server_with_serve() -> None:
    configs = REPOSITORY / "client-config"
    for relative in ["neovim/kaniko_lsp.lua", "neovim/kaniko_lsp_0_7.lua", "neovim/lspconfig.lua",
                     "helix/languages.toml", "emacs/kaniko-lsp.el", "sublime/LSP.sublime-settings",
                     "zed/settings.json"]:
        text = (configs / relative).read_text()
        assert "kaniko-lsp" in text and "serve" in text, relative


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_vscode_extension_builds_to_a_vsix(tmp_path) -> None:
    copy = tmp_path / "vscode"
    shutil.copytree(VSCODE, copy, ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    process = subprocess.run(["bash", str(copy / "build.sh")], capture_output=True, text=True, timeout=300,
                             check=False)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    vsix = copy / "kaniko-lsp.vsix"
    assert vsix.stat().st_size > 10_000
    listing = subprocess.run(["python3", "-m", "zipfile", "-l", str(vsix)], capture_output=True, text=True,
                             check=True).stdout
    assert "extension/extension.js" in listing and "extension/node_modules/vscode-languageclient" in listing
