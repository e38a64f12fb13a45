"""Shared helpers: example paths and a temporary workspace builder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Union

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLES = REPOSITORY / "examples"
CORPUS = REPOSITORY.parent / "shared" / "corpus"
SERVER = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"
CLIENTS = ["visual-studio-code", "neovim"]


@pytest.fixture(scope="session")
def vsix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The VS Code extension, built once from a copy of client-config/vscode with its build script."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    copy = tmp_path_factory.mktemp("vscode") / "vscode"
    shutil.copytree(REPOSITORY / "client-config" / "vscode", copy,
                    ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    process = subprocess.run(["bash", str(copy / "build.sh")], capture_output=True, text=True, timeout=300,
                             check=False)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    return copy / "kaniko-lsp.vsix"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """`kaniko-lsp check` keeps its findings in a folder of this test session, not in the user's cache."""
    folder = tmp_path_factory.mktemp("kaniko-lsp-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KANIKO_LSP_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture
def make_workspace(tmp_path: Path):
    """Writes `{relative path: text}` under a temporary root and returns the root."""

    def make(files: dict[str, str | bytes]) -> Path:
        for relative, content in files.items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return tmp_path

    return make


def tell_code_actions_from_commands(client: LanguageClient) -> None:
    """Reads a code action that carries both an edit and a command as a code action, as VS Code and Neovim do
    (lsprotocol takes anything with a `command` key for a bare Command)."""
    converter = client.protocol._converter

    def structure(data: dict, _: type) -> types.Command | types.CodeAction:
        kind = types.Command if isinstance(data.get("command"), str) else types.CodeAction
        return converter.structure(data, kind)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], structure)  # noqa: UP007


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[SERVER, "serve"]), params=CLIENTS)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest):
    """A client connected to `kaniko-lsp serve`, once per capability set (VS Code, Neovim)."""
    lsp_client.capability_set = request.param  # type: ignore[attr-defined]
    lsp_client.registrations = []  # type: ignore[attr-defined]
    tell_code_actions_from_commands(lsp_client)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    yield
    await lsp_client.shutdown_session()
