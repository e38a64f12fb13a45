"""How kaniko-lsp is installed and wired into CI: the pre-commit hook (run by the real pre-commit), the
GitHub Action's shape, and the rule pages the package carries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import EXAMPLES, REPOSITORY

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
CLI = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"


def git(repository: Path, *arguments: str) -> None:
    subprocess.run(["git", *arguments], cwd=repository, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


@pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None, reason="pre-commit or git is not installed")
def test_pre_commit_hook_fails_on_the_seed_and_passes_after_fix(tmp_path: Path) -> None:
    if not (REPOSITORY / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository")
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "seed", project)
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "seed")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run([PRE_COMMIT, "try-repo", str(REPOSITORY), "kaniko-lsp", "--all-files"], cwd=project,
                              capture_output=True, text=True, timeout=900, check=False, env=environment)

    failing = try_repo()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Jenkinsfile:15:25: error KL001" in failing.stdout
    subprocess.run([CLI, "check", ".", "--fix"], cwd=project, capture_output=True, check=True)
    git(project, "commit", "-q", "-am", "fixed")
    passing = try_repo()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "kaniko-lsp" in passing.stdout and "Passed" in passing.stdout


def test_pre_commit_hook_definition() -> None:
    (hook,) = YAML(typ="safe").load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["args"], hook["language"]) == ("kaniko-lsp", "kaniko-lsp check", ["."],
                                                                          "python")
    import re

    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("Jenkinsfile", "ci/build.jenkinsfile", "vars/build.groovy",
                                           "images/api/Dockerfile", "app.Dockerfile", "ci/pod.yaml"))
    assert not any(pattern.search(p) for p in ("README.md", "src/main.py"))


def test_github_action_installs_checks_and_uploads_sarif() -> None:
    action = YAML(typ="safe").load((REPOSITORY / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert "pip install" in steps[0]["run"] and "github.action_path" in steps[0]["run"]
    assert steps[1]["uses"].startswith("actions/cache@") and steps[1]["with"]["path"] == "~/.cache/kaniko-lsp"
    assert steps[1]["with"]["key"].endswith("${{ github.sha }}") and steps[1]["if"] == "inputs.cache == 'true'"
    assert "--format sarif" in steps[2]["run"] and "--format github" in steps[2]["run"]
    assert steps[3]["uses"].startswith("github/codeql-action/upload-sarif@")
    assert set(action["inputs"]) == {"path", "args", "upload-sarif", "cache"}


def test_the_package_carries_its_rule_pages(tmp_path: Path) -> None:
    """A wheel built from this checkout holds docs/rules, which finding links point at."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path), str(REPOSITORY)], capture_output=True, text=True, timeout=300, check=False)
    if built.returncode != 0:
        pytest.skip(f"the wheel could not be built here: {built.stderr[-300:]}")
    (wheel,) = tmp_path.glob("kaniko_lsp-*.whl")
    listing = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheel)], capture_output=True, text=True,
                             check=True).stdout
    assert "kaniko_lsp/docs/rules/KL001.md" in listing and "kaniko_lsp/docs/rules/README.md" in listing
