"""Editor setups: each checked against its editor's documented format; the VS Code extension packaged and
published (to a local stand-in of Open VSX)."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import ClassVar

import pytest

from kaniko_lsp.lsp.settings import CLIENT_ONLY, Settings, merge_settings

from conftest import REPOSITORY

CONFIGS = REPOSITORY / "client-config"
VSCODE = CONFIGS / "vscode"


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


# The documented configuration formats, as facts: Helix's languages.toml
# (docs.helix-editor.com/languages.html), Sublime Text LSP's client configuration
# (sublimelsp.github.io/LSP/client_configuration/), Neovim's vim.lsp.Config and vim.filetype.add.
HELIX_SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}
HELIX_LANGUAGE_KEYS = {
    "name", "language-id", "scope", "injection-regex", "file-types", "shebangs", "roots", "auto-format",
    "comment-tokens", "block-comment-tokens", "indent", "grammar", "language-servers", "formatter",
    "soft-wrap", "text-width", "workspace-lsp-roots", "persistent-diagnostic-sources", "rulers",
    "path-completion", "word-completion", "auto-pairs", "diagnostic-severity", "debugger"}
HELIX_BUILT_IN_SERVERS = {"groovy": [], "dockerfile": ["docker-langserver"], "yaml": ["yaml-language-server"]}
SUBLIME_CLIENT_KEYS = {
    "enabled", "command", "selector", "priority_selector", "schemes", "diagnostics_mode", "tcp_port", "env",
    "experimental_capabilities", "disabled_capabilities", "initializationOptions", "settings", "file_watcher",
    "auto_complete_selector", "ignore_server_trigger_chars", "hide_non_project_diagnostics", "path_maps"}
SUBLIME_SCOPES = {"source.groovy", "source.dockerfile", "source.yaml"}
NEOVIM_CONFIG_KEYS = {"cmd", "filetypes", "root_markers", "root_dir", "init_options", "settings", "name",
                      "capabilities", "handlers", "on_attach", "on_init", "workspace_required", "cmd_env",
                      "cmd_cwd", "before_init", "reuse_client"}
NEOVIM_FILETYPE_KEYS = {"extension", "filename", "pattern"}
SERVE = ["kaniko-lsp", "serve"]


def assert_server_settings(settings: dict) -> None:
    merged, problems = merge_settings(Settings(), settings["kanikoLsp"])
    assert problems == [] and merged == Settings(), problems


def test_helix_setup_follows_the_languages_toml_format() -> None:
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((CONFIGS / "helix" / "languages.toml").read_text())
    server = config["language-server"]["kaniko-lsp"]
    assert set(server) <= HELIX_SERVER_KEYS
    assert [server["command"], *server["args"]] == SERVE
    assert_server_settings(server["config"])
    languages = {language["name"]: language for language in config["language"]}
    assert set(languages) == set(HELIX_BUILT_IN_SERVERS)
    for name, language in languages.items():
        assert set(language) <= HELIX_LANGUAGE_KEYS, name
        assert "file-types" not in language, f"{name}: a file-types list replaces Helix's own"
        assert language["language-servers"] == [*HELIX_BUILT_IN_SERVERS[name], "kaniko-lsp"], name


def test_sublime_setup_follows_the_lsp_client_format() -> None:
    text = (CONFIGS / "sublime" / "LSP.sublime-settings").read_text()
    settings = json.loads("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")))
    (name, client), = settings["clients"].items()
    assert name == "kaniko-lsp" and set(client) <= SUBLIME_CLIENT_KEYS
    assert client["command"] == SERVE and client["enabled"] is True
    assert {scope.strip() for scope in client["selector"].split("|")} == SUBLIME_SCOPES
    assert_server_settings(client["initializationOptions"])
    assert_server_settings(client["settings"])


def lua_keys(table: str) -> set[str]:
    """The keys of the top level of a Lua table constructor's text."""
    depth, keys = 0, set()
    for match in re.finditer(r"[{}]|^\s*\[?\"?([A-Za-z_][\w%.*]*)\"?\]?\s*=", table, re.MULTILINE):
        if match.group(0) in "{}":
            depth += 1 if match.group(0) == "{" else -1
        elif depth == 1:
            keys.add(match.group(1))
    return keys


def test_neovim_setups_use_the_documented_keys() -> None:
    text = (CONFIGS / "neovim" / "kaniko_lsp.lua").read_text()
    filetypes = text[text.index("vim.filetype.add(") + len("vim.filetype.add("):text.index("})") + 1]
    assert lua_keys(filetypes) == {"filename", "pattern"} <= NEOVIM_FILETYPE_KEYS
    config = text[text.index("return {") + len("return "):]
    assert {"cmd", "filetypes", "root_markers"} <= lua_keys(config) <= NEOVIM_CONFIG_KEYS
    assert 'cmd = { "kaniko-lsp", "serve" }' in config
    lspconfig = (CONFIGS / "neovim" / "lspconfig.lua").read_text()
    default = lspconfig[lspconfig.index("default_config = {") + len("default_config = "):]
    assert {"cmd", "filetypes", "root_dir"} <= lua_keys(default[:default.index("\n    },") + 6]) <= NEOVIM_CONFIG_KEYS
    assert 'cmd = { "kaniko-lsp", "serve" }' in default


def test_every_shipped_setup_is_covered() -> None:
    """Each file under client-config/ is driven in its editor or checked above; the README says which."""
    shipped = {str(p.relative_to(CONFIGS)) for p in CONFIGS.rglob("*")
               if p.is_file() and "node_modules" not in p.parts and p.suffix in {".lua", ".el", ".toml",
                                                                                  ".sublime-settings", ".js"}}
    assert shipped == {"neovim/kaniko_lsp.lua", "neovim/kaniko_lsp_0_7.lua", "neovim/lspconfig.lua",
                       "emacs/kaniko-lsp-eglot.el", "emacs/kaniko-lsp-jenkinsfile.el", "emacs/kaniko-lsp-mode.el",
                       "helix/languages.toml", "sublime/LSP.sublime-settings", "vscode/extension.js"}
    readme = (REPOSITORY / "README.md").read_text()
    for relative in shipped:
        assert f"client-config/{relative}" in readme or f"client-config/{relative.split('/')[0]}/" in readme, relative


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
