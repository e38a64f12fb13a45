"""`kaniko-lsp` as CI engineers use it, through the installed command: what it reads, exit statuses,
rule selection, standard input, diffs and fixes, statistics, rule pages and usage errors."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, REPOSITORY

CLI = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"


def kaniko(*arguments: str | Path, cwd: Path | None = None, stdin: str | None = None) \
        -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *map(str, arguments)], capture_output=True, text=True, cwd=cwd, input=stdin,
                          timeout=60, check=False, env={**os.environ, "NO_COLOR": "1"})


def seed(tmp_path: Path) -> Path:
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    return root


def test_files_named_like_pipelines_are_read_only_when_they_are_groovy(tmp_path: Path) -> None:
    (tmp_path / "syntaxes").mkdir()
    (tmp_path / "syntaxes" / "jenkinsfile.tmLanguage.json").write_text('{"name": "x", "patterns": []}\n')
    (tmp_path / "Jenkinsfile.md").write_text("# notes about the Jenkinsfile\n")
    process = kaniko("check", ".", cwd=tmp_path)
    assert (process.returncode, process.stdout) == (0, "")
    assert process.stderr == ("kaniko-lsp: no pipeline found (Jenkinsfile, Jenkinsfile.*, *.jenkinsfile, pipeline "
                              "*.groovy; YAML of Tekton, Argo Workflows, Kubernetes workloads or GitLab CI that runs "
                              "kaniko)\n")
    readme = kaniko("check", "Jenkinsfile.md", cwd=tmp_path)
    assert readme.returncode == 2
    assert readme.stderr == ("kaniko-lsp: Jenkinsfile.md: not a pipeline, Dockerfile or pod YAML (kaniko-lsp reads "
                             "Jenkinsfiles, *.jenkinsfile and pipeline *.groovy files, Dockerfiles and YAML)\n")


def test_exit_status_follows_the_fail_level(tmp_path: Path) -> None:
    root = seed(tmp_path)
    assert [kaniko("check", ".", "--fail-level", level, cwd=root).returncode
            for level in ("error", "warning", "info", "never")] == [1, 1, 1, 0]
    info_only = kaniko("check", ".", "--select", "KL011", cwd=EXAMPLES / "seed-fixed")
    assert info_only.returncode == 0
    (root / "half.Jenkinsfile").write_text("pipeline { stages { stage('a') { steps { sh 'x' ) } } } }\n")
    syntax = kaniko("check", "half.Jenkinsfile", "--fail-level", "error", cwd=root)
    assert syntax.returncode == 1 and "note: not read: unexpected ')'" in syntax.stdout, \
        "a place that could not be read counts as an error"
    assert kaniko("check", "half.Jenkinsfile", "--fail-level", "never", cwd=root).returncode == 0


def test_select_and_ignore_override_the_configuration(tmp_path: Path) -> None:
    root = seed(tmp_path)
    (root / ".kaniko-lsp.yaml").write_text("ignore: [KL001]\n")
    assert kaniko("check", ".", cwd=root).stdout == "All clear: 1 pipeline checked, no findings.\n"
    selected = kaniko("check", ".", "--format", "json", "--ignore", "KL004", cwd=root)
    assert json.loads(selected.stdout)["findings"] == []
    (root / ".kaniko-lsp.yaml").unlink()
    assert json.loads(kaniko("check", ".", "--format", "json", "--ignore", "KL001", cwd=root).stdout)["findings"] == []
    assert {f["rule"] for f in json.loads(kaniko("check", ".", "--format", "json", "--select", "kl001",
                                                 cwd=root).stdout)["findings"]} == {"KL001"}
    unknown = kaniko("check", ".", "--select", "KL999", cwd=root)
    assert (unknown.returncode, unknown.stderr) == (2, "kaniko-lsp: --select: unknown rule KL999 (see `kaniko-lsp "
                                                       "rules`)\n")


def test_standard_input_stands_for_a_file_of_the_repository(tmp_path: Path) -> None:
    root = seed(tmp_path)
    (root / ".git").mkdir()
    text = (root / "Jenkinsfile").read_text().replace("workingDir: /home/jenkins", "workingDir: /tmp/jenkins")
    process = kaniko("check", "-", "--stdin-filename", "Jenkinsfile", "--format", "json", cwd=root, stdin=text)
    assert json.loads(process.stdout)["findings"] == [], "the text read, not the file on disk (which has KL001)"
    assert kaniko("check", "Jenkinsfile", cwd=root).returncode == 1
    assert kaniko("check", "-", cwd=root, stdin=text).returncode == 2


def test_diff_prints_the_fixes_and_changes_nothing(tmp_path: Path) -> None:
    root = seed(tmp_path)
    before = (root / "Jenkinsfile").read_text()
    process = kaniko("check", ".", "--diff", cwd=root)
    assert process.returncode == 1
    assert process.stdout.splitlines()[:2] == ["--- a/Jenkinsfile", "+++ b/Jenkinsfile"]
    assert "-            workingDir: /home/jenkins\n+            workingDir: /home/jenkins/agent\n" in process.stdout
    assert (root / "Jenkinsfile").read_text() == before
    clean = kaniko("check", ".", "--diff", cwd=EXAMPLES / "seed-fixed")
    assert (clean.returncode, clean.stdout) == (0, "")


def test_fix_names_every_file_it_changes(tmp_path: Path) -> None:
    seed(tmp_path)
    process = kaniko("check", ".", "--fix", cwd=tmp_path)
    assert process.stderr.splitlines()[:2] == ["kaniko-lsp: fixed seed/Jenkinsfile", "kaniko-lsp: fixed 1 file"]
    assert process.returncode == 0 and process.stdout == "All clear: 1 pipeline checked, no findings.\n"


def test_statistics_count_findings_per_rule(tmp_path: Path) -> None:
    process = kaniko("check", ".", "--statistics", cwd=seed(tmp_path))
    assert process.stdout == "    2  KL001  [*] change-lost-under-mount\n"


def test_rules_and_rule_pages() -> None:
    table = kaniko("rules").stdout.splitlines()
    assert table[0].split() == ["rule", "severity", "name", "finds"]
    assert [line.split()[0] for line in table[1:]] == [f"KL{n:03d}" for n in range(1, 13)]
    page = kaniko("rule", "kl001").stdout
    assert page == (REPOSITORY / "docs" / "rules" / "KL001.md").read_text()
    missing = kaniko("rule", "KL999")
    assert (missing.returncode, missing.stderr) == (2, "kaniko-lsp: unknown rule 'KL999' (see `kaniko-lsp rules`)\n")


def test_usage_errors_are_one_line_or_the_commands_own_usage(tmp_path: Path) -> None:
    bogus = kaniko("check", "--bogus")
    assert bogus.returncode == 2 and bogus.stderr.startswith("usage: kaniko-lsp check ")
    assert "unrecognized arguments: --bogus" in bogus.stderr
    config = kaniko("check", ".", "--config", "/nonexistent.yaml", cwd=tmp_path)
    assert (config.returncode, config.stderr) == (2, "kaniko-lsp: --config /nonexistent.yaml: No such file or "
                                                     "directory\n")
    address = kaniko("serve", "--tcp", "foo")
    assert address.returncode == 2 and "expected HOST:PORT with a port from 1 to 65535, not 'foo'" in address.stderr


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    root = seed(tmp_path)
    process = subprocess.run(f"'{CLI}' check . --format json | head -1", shell=True, cwd=root, capture_output=True,
                             text=True, timeout=60, check=False)
    assert process.stdout == "{\n" and process.stderr == ""


def test_bare_command_on_a_terminal_prints_help() -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal on stdin and stdout
        os.execv(CLI, [CLI])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"usage: kaniko-lsp" in output and b"{check,serve,rules,rule}" in output


def test_suppressing_every_change_clears_the_pipeline_side_and_the_exit_status(tmp_path: Path) -> None:
    root = seed(tmp_path)
    text = (root / "Jenkinsfile").read_text()
    (root / "Jenkinsfile").write_text(text.replace("            RUN mkdir /home/jenkins/.m2",
                                                   "            # kaniko-lsp ignore=KL001\n"
                                                   "            RUN mkdir /home/jenkins/.m2"))
    process = kaniko("check", ".", cwd=root)
    assert (process.returncode, process.stdout) == (0, "All clear: 1 pipeline checked, no findings.\n")
