"""Editor configurations: the VS Code extension declares the server's settings and builds to a .vsix."""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import ClassVar

from kaniko_lsp.lsp.settings import CLIENT_ONLY, Settings

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
    client_only = {f"kanikoLsp.{key}" for key in CLIENT_ONLY}
    assert set(properties) - set(server_settings) == client_only


def test_editor_configs_start_the_server_with_serve() -> None:
    configs = REPOSITORY / "client-config"
    for relative in ["neovim/kaniko_lsp.lua", "neovim/kaniko_lsp_0_7.lua", "neovim/lspconfig.lua",
                     "helix/languages.toml", "emacs/kaniko-lsp.el", "sublime/LSP.sublime-settings",
                     "zed/settings.json"]:
        text = (configs / relative).read_text()
        assert "kaniko-lsp" in text and "serve" in text, relative


def test_vscode_extension_packages_for_the_marketplace(vsix: Path) -> None:
    """`vsce package` accepted the manifest (icon, repository, licence, README, CHANGELOG)."""
    assert vsix.stat().st_size > 10_000
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = archive.read("extension.vsixmanifest").decode()
    assert {"extension/extension.js", "extension/icon.png", "extension/readme.md", "extension/changelog.md",
            "extension/LICENSE.txt"} <= names, sorted(names)[:20]
    assert any(name.startswith("extension/node_modules/vscode-languageclient/") for name in names)
    assert not any("/syntaxes/" in name for name in names)  # VS Code's own Groovy language serves Jenkinsfiles
    assert 'Path="extension/icon.png"' in manifest


class StubRegistry(http.server.BaseHTTPRequestHandler):
    """An Open VSX registry that accepts one publish request and keeps what it was sent."""

    received: ClassVar[list[tuple[str, bytes]]] = []

    def log_message(self, *_: object) -> None:
        pass

    def do_POST(self) -> None:
        body = b""
        if self.headers.get("Transfer-Encoding") == "chunked":
            while size := int(self.rfile.readline().strip(), 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((self.path, body))
        answer = json.dumps({"namespace": "kaniko-lsp", "name": "kaniko-lsp", "version": "0.1.0"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def test_vscode_extension_publishes_to_open_vsx_dry_run(vsix: Path) -> None:
    """`ovsx publish` against a local stub registry: the CLI accepts the package and uploads it whole."""
    ovsx = vsix.parent / "node_modules" / ".bin" / "ovsx"
    server = http.server.HTTPServer(("127.0.0.1", 0), StubRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        process = subprocess.run([str(ovsx), "publish", "--registryUrl", f"http://127.0.0.1:{server.server_port}",
                                  "--pat", "dry-run", "--packagePath", str(vsix)],
                                 capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.shutdown()
    assert process.returncode == 0, process.stdout + process.stderr
    assert "Published kaniko-lsp.kaniko-lsp v0.1.0" in process.stdout, process.stdout
    ((path, body),) = StubRegistry.received
    assert path == "/api/-/publish?token=dry-run"
    assert body == vsix.read_bytes()
