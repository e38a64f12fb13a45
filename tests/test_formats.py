"""Every output format of `kaniko-lsp check`: a golden copy of its output on the seed example, and a check
of its structure (SARIF against the 2.1.0 schema shipped in tests/data, XML and JSON shapes)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest

from conftest import EXAMPLES

CLI = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"
GOLDEN = Path(__file__).parent / "golden"
SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json"
DOCS = "https://docs.example.com/kaniko-lsp/rules"
FORMATS = ["text", "json", "sarif", "github", "gitlab", "checkstyle"]


def output(form: str, tmp_path: Path, *extra: str) -> tuple[str, int]:
    """The seed example checked in `form`, from a copy, with the machine-specific base address replaced."""
    root = tmp_path / "seed"
    if not root.exists():
        shutil.copytree(EXAMPLES / "seed", root)
        (root / "broken.Jenkinsfile").write_text("pipeline { stages { stage('x') { steps { sh 'a' ) } } } }\n")
    process = subprocess.run([CLI, "check", ".", "--format", form, "--docs-url", DOCS, *extra], cwd=root,
                             capture_output=True, text=True, timeout=60, check=False,
                             env={**os.environ, "NO_COLOR": "1"})
    return process.stdout.replace(root.as_uri(), "file:///ROOT"), process.returncode


@pytest.mark.parametrize("form", FORMATS)
def test_each_format_matches_its_golden_copy(form: str, tmp_path: Path) -> None:
    text, status = output(form, tmp_path)
    assert status == 1
    golden = GOLDEN / f"seed.{form}"
    if os.environ.get("KANIKO_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"regenerate with KANIKO_UPDATE_GOLDEN=1 if the change is intended ({form})"


def test_sarif_follows_the_schema_and_names_its_base(tmp_path: Path) -> None:
    document = json.loads(output("sarif", tmp_path)[0])
    jsonschema.validate(document, json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker())
    run = document["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///ROOT/"}}
    locations = [loc for r in run["results"] for loc in r["locations"] + r["relatedLocations"]]
    assert all(loc["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for loc in locations)
    assert {r["helpUri"] for r in run["tool"]["driver"]["rules"]} >= {f"{DOCS}/KL001.md"}
    (fix,) = run["results"][0]["fixes"]
    assert fix["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "/home/jenkins/agent"
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"] == "not read: unexpected ')'"
    assert notice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.Jenkinsfile"


def test_github_annotations_gitlab_code_quality_and_checkstyle_shapes(tmp_path: Path) -> None:
    lines = output("github", tmp_path)[0].splitlines()
    assert all(re.fullmatch(r"::(error|warning|notice) (\w+=[^,:]*,)*\w+=[^,:]*::.+", line) for line in lines)
    assert lines[0].startswith("::error file=Jenkinsfile,line=15,col=25,endLine=15,endColumn=38,title=KL001 ")
    issues = json.loads(output("gitlab", tmp_path)[0])
    assert {i["severity"] for i in issues} == {"major"} and len({i["fingerprint"] for i in issues}) == len(issues)
    assert all({"description", "check_name", "fingerprint", "severity", "location"} <= set(i) for i in issues)
    assert issues[0]["location"] == {"path": "Jenkinsfile", "positions": {"begin": {"line": 15, "column": 25},
                                                                          "end": {"line": 15, "column": 38}}}
    tree = ElementTree.fromstring(output("checkstyle", tmp_path)[0])
    assert tree.tag == "checkstyle"
    errors = [(f.get("name"), e.get("line"), e.get("source")) for f in tree for e in f]
    assert ("Jenkinsfile", "15", "kaniko-lsp.KL001") in errors


def test_text_is_coloured_on_request_and_marks_fixable_findings(tmp_path: Path) -> None:
    plain, _ = output("text", tmp_path)
    assert "\033[" not in plain and "KL001 [*]" in plain
    coloured, _ = output("text", tmp_path, "--color", "always")
    assert "\033[31merror\033[0m" in coloured
