"""`kaniko-lsp check --fix` never loses a byte, and output stays valid whatever the files are called.

Each case is a defect a stress run found: invalid UTF-8 rewritten as U+FFFD, a symlink replaced by a
copy, hard links broken, a read-only file modified, a read-only folder crashing the run, a file fixed
from a stale reading, non-UTF-8 file names printed as invalid UTF-8 or crashing the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from kaniko_lsp.edits import NotWritten, rewrite
from kaniko_lsp.model import Position, Range, TextEdit
from test_cli import CLI, check

from conftest import EXAMPLES

SEED = (EXAMPLES / "seed" / "Jenkinsfile").read_bytes()
LATIN1_COMMENT = "// réglé par l'équipe\n".encode("latin-1")
FIXED_LINE = b"workingDir: /home/jenkins/agent"


def seed_with_latin1(root: Path, name: str = "Jenkinsfile") -> Path:
    path = root / name
    path.write_bytes(LATIN1_COMMENT + SEED)
    return path


def test_bytes_outside_the_fix_are_kept_exactly(tmp_path: Path) -> None:
    path = seed_with_latin1(tmp_path)
    process = check(tmp_path, "--fix")
    assert process.returncode == 0, process.stderr
    fixed = path.read_bytes()
    assert fixed.startswith(LATIN1_COMMENT)  # 0xE9 stays 0xE9, not EF BF BD
    assert fixed.count(FIXED_LINE) == 2
    assert fixed.replace(FIXED_LINE, b"workingDir: /home/jenkins") == LATIN1_COMMENT + SEED


def test_a_symlink_stays_a_symlink_and_its_target_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "build.jenkinsfile"
    target.write_bytes(SEED)
    workspace = tmp_path / "repo"
    workspace.mkdir()
    (workspace / "Jenkinsfile").symlink_to(target)
    process = check(workspace, "--fix")
    assert process.returncode == 0, process.stderr
    assert (workspace / "Jenkinsfile").is_symlink()
    assert target.read_bytes().count(FIXED_LINE) == 2


def test_a_hard_linked_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "Jenkinsfile"
    path.write_bytes(SEED)
    os.link(path, tmp_path / "copy.txt")
    process = check(tmp_path, "--fix")
    assert process.returncode == 2
    assert "Jenkinsfile: not fixed: it has 2 hard links, which a rewrite would break" in process.stderr
    assert path.read_bytes() == SEED and os.stat(path).st_nlink == 2


def test_a_read_only_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "Jenkinsfile"
    path.write_bytes(SEED)
    path.chmod(0o444)
    process = check(tmp_path, "--fix")
    assert process.returncode == 2
    assert "kaniko-lsp: Jenkinsfile: not fixed: it is read-only" in process.stderr
    assert path.read_bytes() == SEED and path.stat().st_mode & 0o777 == 0o444


def edit_of_seed() -> list[TextEdit]:
    start = Position(14, 24)
    return [TextEdit("Jenkinsfile", Range(start, Position(14, 37)), "/home/jenkins/agent")]


def test_a_file_changed_since_it_was_read_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "Jenkinsfile"
    path.write_bytes(SEED + b"// saved by the editor meanwhile\n")
    with pytest.raises(NotWritten, match="it changed since it was read"):
        rewrite(path, SEED.decode(), edit_of_seed())
    assert path.read_bytes() == SEED + b"// saved by the editor meanwhile\n"


def test_a_folder_that_cannot_take_a_new_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Jenkinsfile"
    path.write_bytes(SEED)

    def denied(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(NotWritten, match=r"its folder is not writable \(Permission denied\)"):
        rewrite(path, SEED.decode(), edit_of_seed())
    assert path.read_bytes() == SEED


def test_rewrite_keeps_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "Jenkinsfile"
    path.write_bytes(SEED)
    path.chmod(0o640)
    rewrite(path, SEED.decode(), edit_of_seed())
    assert path.read_bytes().count(FIXED_LINE) == 1
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Jenkinsfile"]


@pytest.mark.parametrize("form", ["text", "json", "sarif", "github", "gitlab", "checkstyle"])
def test_a_file_name_that_is_not_utf8_prints_as_valid_utf8(tmp_path: Path, form: str) -> None:
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(folder)
    with open(folder + b"/build.jenkinsfile", "wb") as stream:
        stream.write(SEED)
    process = subprocess.run([CLI, "check", "--format", form, "caf\udce9"], capture_output=True, cwd=tmp_path,
                             env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=60, check=False)
    assert process.returncode == 1, process.stderr
    output = process.stdout.decode("utf-8")  # strict: raises on invalid UTF-8
    if form == "json":
        assert {f["path"] for f in json.loads(output)["findings"]} == {"caf\\xe9/build.jenkinsfile"}
    elif form == "gitlab":
        assert {issue["location"]["path"] for issue in json.loads(output)} == {"caf\\xe9/build.jenkinsfile"}
    elif form == "sarif":
        assert '"uri": "caf%E9/build.jenkinsfile"' in output
    else:
        assert "caf\\xe9/build.jenkinsfile" in output


def test_a_pipeline_with_cr_line_ends_is_read_and_fixed_keeping_them(tmp_path: Path) -> None:
    path = tmp_path / "Jenkinsfile"
    path.write_bytes(SEED.replace(b"\n", b"\r"))
    process = check(tmp_path, "--format", "json")
    assert [f["range"]["start"]["line"] for f in json.loads(process.stdout)["findings"]] == [14, 35]
    assert check(tmp_path, "--fix").returncode == 0
    fixed = path.read_bytes()
    assert b"\n" not in fixed and fixed.count(b"\r") == SEED.count(b"\n") and fixed.count(FIXED_LINE) == 2


def test_a_binary_file_without_nul_bytes_is_one_note(tmp_path: Path) -> None:
    (tmp_path / "Jenkinsfile").write_bytes(SEED.replace(b'writeFile file: "Dockerfile"',
                                                        b'writeFile file: "Dockerfile.unused"'))
    rng = __import__("random").Random(1)
    (tmp_path / "Dockerfile").write_bytes(bytes(rng.randrange(1, 256) for _ in range(16000)))
    result = json.loads(check(tmp_path, "--format", "json").stdout)
    assert result["unreadable"] == [{"path": "Dockerfile", "reason": "not read: binary content"}]
    assert "notRead" not in result


def test_a_folder_that_cannot_be_listed_is_one_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from kaniko_lsp.cli import main

    (tmp_path / "Jenkinsfile").write_bytes(SEED)
    (tmp_path / "private").mkdir()
    listing = os.scandir

    def scandir(path: object = ".") -> object:
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["unreadable"] == [{"path": "private",
                                     "reason": "not read: the folder cannot be listed (Permission denied)"}]
