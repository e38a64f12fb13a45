"""Builders for small pipelines used across tests."""

from __future__ import annotations

from pathlib import Path

from kaniko_lsp.analysis import Result, analyze
from kaniko_lsp.edits import apply, preferred_edits
from kaniko_lsp.workspace import Workspace


def declarative(containers: str, steps: str) -> str:
    """A declarative Jenkinsfile with an inline pod (`containers` is the YAML list, 10-space indented)."""
    return (
        "pipeline {\n"
        "  agent {\n"
        "    kubernetes {\n"
        "      yaml '''\n"
        "        apiVersion: v1\n"
        "        kind: Pod\n"
        "        spec:\n"
        "          containers:\n"
        f"{containers}"
        "      '''\n"
        "    }\n"
        "  }\n"
        "  stages {\n"
        "    stage('build') {\n"
        "      steps {\n"
        f"{steps}"
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n"
    )


def kaniko_container(working_dir: str | None = None, mounts: str = "") -> str:
    text = "          - name: kaniko\n            image: gcr.io/kaniko-project/executor:debug\n"
    if working_dir:
        text += f"            workingDir: {working_dir}\n"
    return text + mounts


def kaniko_step(flags: str = "--context `pwd` --dockerfile `pwd`/Dockerfile") -> str:
    return (
        "        container(name: 'kaniko', shell: '/busybox/sh') {\n"
        f"          sh '/kaniko/executor {flags} --no-push'\n"
        "        }\n"
    )


def run(root: Path) -> Result:
    return analyze(Workspace(root))


def fix_all(root: Path) -> None:
    """Applies every preferred fix in place, as `kaniko-lsp check --fix` does."""
    workspace = Workspace(root)
    for path, edits in preferred_edits(analyze(workspace).findings).items():
        target = root / path
        target.write_text(apply(target.read_text(encoding="utf-8"), edits), encoding="utf-8", newline="")


def summary(result: Result) -> list[tuple[str, str, int, int, int]]:
    """(rule, path, line, start character, end character) of every finding."""
    return [(f.rule, f.location.path, f.location.range.start.line, f.location.range.start.character,
             f.location.range.end.character) for f in result.findings]


def launcher_findings(root: Path) -> list[dict]:
    """The findings of `kaniko-lsp check --format json` run in `root` (the installed CLI)."""
    import json

    from test_cli import check

    process = check(root, "--format", "json")
    assert process.returncode in (0, 1), process.stderr
    return json.loads(process.stdout)["findings"]


def place(finding: dict) -> tuple[str, str, int, int]:
    """A JSON finding's rule, path and 0-based start."""
    start = finding["range"]["start"]
    return finding["rule"], finding["path"], start["line"], start["character"]

