"""Suppression comments and `.kaniko-lsp.yaml`: ignore, severity, ignorePaths, preferredWorkingDirs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kaniko_lsp.config import parse_config, pragma_lines
from kaniko_lsp.rules import RULES

from helpers import declarative, fix_all, kaniko_container, kaniko_step, run

LOSING_DOCKERFILE = "FROM alpine\nRUN mkdir -p /tmp/b/x \\\n    && touch /tmp/b/y\nRUN touch /var/run/z\n"


def workspace(make_workspace, dockerfile: str = LOSING_DOCKERFILE, config: str | None = None,
              jenkinsfile: str | None = None) -> Path:
    files = {"Jenkinsfile": jenkinsfile or declarative(kaniko_container("/tmp/b"), kaniko_step()),
             "Dockerfile": dockerfile}
    if config is not None:
        files[".kaniko-lsp.yaml"] = config
    return make_workspace(files)


def rules(root: Path) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.range.start.line) for f in run(root).findings]


def test_without_suppression(make_workspace) -> None:
    assert rules(workspace(make_workspace)) == [("KL001", "Dockerfile", 1), ("KL001", "Dockerfile", 2),
                                                ("KL003", "Dockerfile", 3), ("KL001", "Jenkinsfile", 10)]


def test_dockerfile_pragma_covers_the_whole_next_instruction(make_workspace) -> None:
    pragma = "# kaniko-lsp ignore=KL001 # build cache, on purpose\n"
    dockerfile = LOSING_DOCKERFILE.replace("RUN mkdir", pragma + "RUN mkdir")
    assert rules(workspace(make_workspace, dockerfile)) == [("KL003", "Dockerfile", 4)], \
        "every change it counted is suppressed: the Jenkinsfile side goes too"
    only_one = LOSING_DOCKERFILE.replace("RUN touch /var/run", pragma + "RUN touch /var/run").replace(
        "    && touch /tmp/b/y\n", "\n").replace("RUN mkdir", pragma.replace("KL001", "KL001") + "RUN mkdir") + \
        "RUN touch /tmp/b/kept\n"
    assert ("KL001", "Jenkinsfile", 10) in rules(workspace(make_workspace, only_one)), \
        "one change left: the Jenkinsfile side stays"


def test_pragma_lists_several_rules(make_workspace) -> None:
    dockerfile = "FROM alpine\n# kaniko-lsp ignore=KL001,KL003\nRUN touch /tmp/b/x /var/run/y\n"
    assert rules(workspace(make_workspace, dockerfile)) == []


def test_groovy_pragma_suppresses_the_next_line(make_workspace) -> None:
    jenkinsfile = declarative(kaniko_container("/home/jenkins"), kaniko_step())
    assert ("KL004", "Jenkinsfile", 10) in rules(workspace(make_workspace, "FROM alpine\n", jenkinsfile=jenkinsfile))
    jenkinsfile = jenkinsfile.replace("            workingDir: /home/jenkins\n",
                                      "            # kaniko-lsp ignore=KL004\n            workingDir: /home/jenkins\n")
    jenkinsfile = "// kaniko-lsp ignore=KL004\n" + jenkinsfile
    assert rules(workspace(make_workspace, "FROM alpine\n", jenkinsfile=jenkinsfile)) == []


def test_config_ignore_and_severity(make_workspace) -> None:
    root = workspace(make_workspace, config="ignore: [KL003]\nseverity:\n  KL001: warning\n")
    findings = run(root).findings
    assert {(f.rule, f.severity.value) for f in findings} == {("KL001", "warning")}


def test_config_ignore_paths(make_workspace) -> None:
    root = workspace(make_workspace, config="ignorePaths: [Dockerfile]\n")
    assert rules(root) == [("KL001", "Jenkinsfile", 10)]


def test_preferred_working_dirs_feed_the_fix(make_workspace) -> None:
    dockerfile = "FROM alpine\nRUN touch /home/jenkins/agent/x /tmp/jenkins/y\n"
    root = workspace(make_workspace, dockerfile, config="preferredWorkingDirs: [/build]\n",
                     jenkinsfile=declarative(kaniko_container(), kaniko_step()))
    fix_all(root)
    assert "            workingDir: /build\n" in (root / "Jenkinsfile").read_text()
    assert run(root).findings == []


def test_invalid_config_is_reported_and_defaults_apply(make_workspace) -> None:
    config, problems = parse_config("ignore: [KL999]\nseverity: {KL001: fatal}\ncolour: red\n", set(RULES))
    assert problems == ["ignore: unknown rule 'KL999'", "severity: KL001: 'fatal' is not one of error, warning, info",
                        "unknown or malformed setting 'colour'"]
    assert config.ignore == frozenset() and config.severity == {}
    root = workspace(make_workspace, config="ignore: [KL001\n")
    cli = Path(sys.executable).parent / "kaniko-lsp"
    process = subprocess.run([str(cli), "check", str(root)], capture_output=True, text=True, check=False)
    assert process.returncode == 1
    assert "kaniko-lsp: .kaniko-lsp.yaml: invalid YAML" in process.stderr
    assert "KL001" in process.stdout


def test_pragma_lines_apply_to_the_next_code_line() -> None:
    text = "a\n# kaniko-lsp ignore=KL001\n\n# other comment\nb  \nc # kaniko-lsp ignore=kl003\n"
    assert pragma_lines(text) == {4: {"KL001"}, 5: {"KL003"}}
