"""Hostile inputs stay cheap and their reports stay short (each case took seconds to minutes, or printed
thousands of lines, before): notes capped per file, deep paths, instructions writing thousands of paths.
The subprocess timeout only guards against a hang; the figures are in benchmarks/ and the README."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import check

from conftest import EXAMPLES

SEED = (EXAMPLES / "seed" / "Jenkinsfile").read_text()
BUILDS_DOCKERFILE_ON_DISK = SEED.replace('writeFile file: "Dockerfile"', 'writeFile file: "Dockerfile.unused"')


def report(root: Path) -> dict:
    process = check(root, "--format", "json")
    assert process.returncode in (0, 1), process.stderr
    return json.loads(process.stdout)


def test_thousands_of_unexpected_characters_give_five_notes_and_a_count(tmp_path: Path) -> None:
    (tmp_path / "Jenkinsfile").write_text(SEED.replace("pipeline {", "def x = 1 " + "\\" * 20000 + "\npipeline {", 1))
    result = report(tmp_path)
    notes = [n["message"] for n in result["notRead"]]
    assert len(notes) == 6 and notes[:5] == ["unexpected character '\\\\'"] * 5
    assert notes[5] == "19994 more places in this file (only the first 5 are listed)"
    assert [f["range"]["start"]["line"] for f in result["findings"]] == [15, 36]


def test_a_very_deep_workdir_chain_is_followed(tmp_path: Path) -> None:
    (tmp_path / "Jenkinsfile").write_text(BUILDS_DOCKERFILE_ON_DISK)
    (tmp_path / "Dockerfile").write_text("FROM alpine\n" + "WORKDIR a\n" * 8000 + "RUN mkdir /home/jenkins/x\n")
    result = report(tmp_path)
    assert [(f["path"], f["range"]["start"]["line"]) for f in result["findings"]] == [
        ("Dockerfile", 8001), ("Jenkinsfile", 14)]


def test_an_instruction_writing_thousands_of_paths_gives_a_bounded_report(tmp_path: Path) -> None:
    (tmp_path / "Jenkinsfile").write_text(BUILDS_DOCKERFILE_ON_DISK)
    paths = " ".join(f"/home/jenkins/f{i}" for i in range(20000))
    (tmp_path / "Dockerfile").write_text(f"FROM alpine\nRUN touch {paths}\n")
    findings = report(tmp_path)["findings"]
    assert len(findings) == 12  # ten paths one by one, one for the rest, one on the mount's side
    rest = findings[10]
    assert rest["message"].startswith("RUN touch writes 19990 more paths under the Jenkins workspace volume")
    assert "/home/jenkins/f19 and 19980 more): these changes will be missing from the image too" in rest["message"]
    mount_side = findings[11]
    assert mount_side["path"] == "Jenkinsfile" and "20000 changes by Dockerfile" in mount_side["message"]
    assert mount_side["message"].endswith("/home/jenkins/f9 and 19990 more)")
    assert len(mount_side["related"]) == 10


def test_editing_a_pipeline_keeps_one_set_of_effects_per_dockerfile(tmp_path: Path) -> None:
    """Effects were keyed by where the written Dockerfile starts in the Jenkinsfile: every insertion
    above it added an entry holding the whole old text (2.6 GB after 300 edits of a 1 MB Jenkinsfile)."""
    from kaniko_lsp.engine import Engine
    from kaniko_lsp.workspace import Workspace

    (tmp_path / "Jenkinsfile").write_text(SEED)
    engine = Engine(Workspace(tmp_path))
    for n in range(50):
        engine.set_buffer("Jenkinsfile", "x" * n + SEED)
        assert len(engine.result().findings) == 2
    assert len(engine.parsed.effects) == 1


def test_a_variable_doubled_again_and_again_stays_short(tmp_path: Path) -> None:
    """`ENV A=$A$A` 26 times made a 67-million-character path (1.7 s, 880 MB, and a report as long); a
    value longer than PATH_MAX is now unknown, so the path it would name is not guessed."""
    (tmp_path / "Jenkinsfile").write_text(BUILDS_DOCKERFILE_ON_DISK)
    (tmp_path / "Dockerfile").write_text("FROM alpine\nENV A=x\n" + "ENV A=$A$A\n" * 26
                                         + "RUN mkdir /home/jenkins/$A /home/jenkins/known\n")
    process = check(tmp_path, "--format", "json")
    assert len(process.stdout) < 20_000
    findings = json.loads(process.stdout)["findings"]
    assert [(f["path"], f["range"]["start"]["line"]) for f in findings] == [("Dockerfile", 28), ("Jenkinsfile", 14)]
    assert "/home/jenkins/known" in findings[0]["message"] and "xxxx" not in findings[0]["message"]


def test_a_dockerfile_path_of_many_unknown_parts_is_one_glob(tmp_path: Path) -> None:
    """`${WORKSPACE}$A$A...$A/Dockerfile` made a pattern of fifty `*`, and its regular expression
    backtracked for minutes; unknown runs now make one `*`, matched without a regular expression."""
    step = "--dockerfile=${WORKSPACE}" + "$A" * 50 + "/Dockerfile"
    (tmp_path / "Jenkinsfile").write_text(BUILDS_DOCKERFILE_ON_DISK.replace(
        '--context `pwd`', '--context `pwd` ' + step.replace("$", "\\\\$"), 1))
    findings = report(tmp_path)["findings"]
    assert [(f["rule"], f["message"]) for f in findings if f["rule"] == "KL011"] == [
        ("KL011", "this kaniko build is not checked: no Dockerfile found at a path matching */Dockerfile")]
