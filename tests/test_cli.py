"""`kaniko-lsp check` as a subprocess: output formats, exit codes, and `--fix`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES
from helpers import declarative, kaniko_container, kaniko_step

CLI = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"


def check(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`kaniko-lsp check` run from `cwd`, by default the directory it checks (paths print relative to it)."""
    if cwd is None and arguments and isinstance(arguments[0], Path) and arguments[0].is_dir():
        cwd = arguments[0]
    return subprocess.run([CLI, "check", *map(str, arguments)], capture_output=True, text=True, cwd=cwd,
                          timeout=60, check=False)


def test_seed_json_has_both_sides_with_exact_ranges_and_related() -> None:
    process = check(EXAMPLES / "seed", "--format", "json")
    assert process.returncode == 1
    report = json.loads(process.stdout)
    assert report["version"] == 1
    by_line = {f["range"]["start"]["line"]: f for f in report["findings"]}
    assert sorted(by_line) == [14, 35]
    mount_side, write_side = by_line[14], by_line[35]
    assert (mount_side["rule"], mount_side["severity"], mount_side["path"]) == ("KL001", "error", "Jenkinsfile")
    assert mount_side["range"] == {"start": {"line": 14, "character": 24}, "end": {"line": 14, "character": 37}}
    assert write_side["range"] == {"start": {"line": 35, "character": 22}, "end": {"line": 35, "character": 39}}
    assert mount_side["related"][0]["range"] == write_side["range"]
    assert write_side["related"][0]["range"] == mount_side["range"]
    (fix,) = mount_side["fixes"]
    assert [e["newText"] for e in fix["edits"]] == ["/home/jenkins/agent", "/home/jenkins/agent"]


def test_seed_text_output_is_one_compiler_style_line_per_finding() -> None:
    process = check(EXAMPLES / "seed")
    lines = process.stdout.splitlines()
    assert process.returncode == 1
    assert [line.split(" ", 4)[:4] for line in lines[:2]] == [["Jenkinsfile:15:25:", "error", "KL001", "[*]"],
                                                              ["Jenkinsfile:36:23:", "error", "KL001", "[*]"]]
    assert lines[2:4] == ["", "Found 2 errors (2 fixable with --fix)."]
    assert lines[4].startswith("  KL001: file://") and lines[4].endswith("/docs/rules/KL001.md")
    assert "\033[" not in process.stdout, "no colour when the output is not a terminal"


def test_seed_fixed_is_clean() -> None:
    process = check(EXAMPLES / "seed-fixed", "--format", "json")
    assert process.returncode == 0
    assert json.loads(process.stdout) == {"version": 1, "findings": []}


def test_fix_changes_only_working_dir_values_then_check_is_clean(tmp_path: Path) -> None:
    root = tmp_path / "seed"
    shutil.copytree(EXAMPLES / "seed", root)
    before = (root / "Jenkinsfile").read_text()
    fixed = check(root, "--fix")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = (root / "Jenkinsfile").read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("            workingDir: /home/jenkins", "            workingDir: /home/jenkins/agent")] * 2
    assert check(root).returncode == 0


def test_fix_on_disk_pair_preserves_crlf_and_touches_only_the_jenkinsfile(make_workspace) -> None:
    jenkinsfile = declarative(kaniko_container("/home/jenkins"),
                              kaniko_step("--context $(pwd) --dockerfile $(pwd)/Dockerfile")).replace("\n", "\r\n")
    dockerfile = "FROM jenkins/agent\r\nRUN mkdir /home/jenkins/.m2\r\n"
    root = make_workspace({"Jenkinsfile": jenkinsfile, "Dockerfile": dockerfile})
    assert check(root).returncode == 1
    assert check(root, "--fix").returncode == 0
    assert (root / "Dockerfile").read_bytes() == dockerfile.encode()
    assert (root / "Jenkinsfile").read_bytes() == jenkinsfile.replace(
        "workingDir: /home/jenkins\r\n", "workingDir: /home/jenkins/agent\r\n").encode()


def test_file_argument_reports_that_file_and_what_it_references(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container("/tmp/b"), kaniko_step()),
        "Dockerfile": "FROM alpine\nRUN touch /tmp/b/x\n",
        "other/Dockerfile": "FROM alpine\n",
    })
    (root / ".git").mkdir()
    dockerfile_only = check(root / "Dockerfile", "--format", "json", cwd=root)
    assert {f["path"] for f in json.loads(dockerfile_only.stdout)["findings"]} == {"Dockerfile", "Jenkinsfile"}
    assert json.loads(check(root / "other" / "Dockerfile", "--format", "json").stdout)["findings"] == []
    from_elsewhere = check(root / "Dockerfile", "--format", "json", cwd=root.parent)
    assert {f["path"] for f in json.loads(from_elsewhere.stdout)["findings"]} == {
        f"{root.name}/Dockerfile", f"{root.name}/Jenkinsfile"}, "paths relative to the current directory"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert check(tmp_path / "missing").returncode == 2
    assert subprocess.run([CLI, "check", "--format", "xml"], capture_output=True, check=False).returncode == 2


def test_unreadable_files_are_reported_and_analysis_goes_on(make_workspace) -> None:
    root = make_workspace({
        "Jenkinsfile": declarative(kaniko_container("/tmp/b"), kaniko_step()),
        "Dockerfile": b"\x00\x01binary\xff",
    })
    process = check(root, "--format", "json")
    report = json.loads(process.stdout)
    assert report["unreadable"] == [{"path": "Dockerfile", "reason": "not read: binary content"}]
    assert [f["rule"] for f in report["findings"]] == ["KL011"]


def test_sarif_output_for_code_scanning() -> None:
    process = check(EXAMPLES / "seed", "--format", "sarif")
    assert process.returncode == 1
    sarif = json.loads(process.stdout)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [f"KL{n:03d}" for n in range(1, 13)]
    regions = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]) for r in run["results"]]
    assert regions == [
        ("KL001", "error", {"startLine": 15, "startColumn": 25, "endLine": 15, "endColumn": 38}),
        ("KL001", "error", {"startLine": 36, "startColumn": 23, "endLine": 36, "endColumn": 40})]
    assert run["results"][0]["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 36


def test_jobs_share_the_work_and_print_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from monorepo import generate

    counts = generate(tmp_path, pipelines=48, sources=50, seed=3)
    outputs = {}
    for jobs in ("1", "2"):
        for form in ("text", "json", "sarif"):
            process = check(tmp_path, "--jobs", jobs, "--format", form)
            assert process.returncode == 1, process.stderr
            assert process.stderr == "", (jobs, form, process.stderr)  # two jobs said "no pipeline found"
            outputs[jobs, form] = process.stdout
    for form in ("text", "json", "sarif"):
        assert outputs["1", form] == outputs["2", form], form
    findings = json.loads(outputs["1", "json"])["findings"]
    assert counts["pipelines"] == 48 and {f["rule"] for f in findings} >= {"KL001"}
    assert len({f["path"] for f in findings}) > 10
    assert check(tmp_path, "--jobs", "0").returncode == 2
