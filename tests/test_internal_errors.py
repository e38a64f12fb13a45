"""A defect of kaniko-lsp met on one pipeline is reported on that pipeline, never taken for a clean result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kaniko_lsp import cli, unit
from kaniko_lsp.engine import Engine
from kaniko_lsp.workspace import Workspace

from conftest import EXAMPLES


def _broken(*_: object, **__: object) -> None:
    raise TypeError("a defect")


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "seed", tmp_path / "seed")
    return tmp_path / "seed"


@pytest.mark.parametrize("stage", ["link", "run_rules"])
def test_check_names_the_pipeline_it_could_not_analyse_and_fails(
        seed: Path, stage: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(unit, stage, _broken)
    status = cli.main(["check", str(seed)])
    output = capsys.readouterr().out
    assert status == 1
    assert f"{seed / 'Jenkinsfile'}: error not analyzed: internal error TypeError('a defect')" in output
    assert "Found 1 file not read." in output


def test_the_editor_shows_the_defect_on_the_pipeline(seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unit, "run_rules", _broken)
    engine = Engine(Workspace(seed))
    engine.scan()
    engine.refresh()
    jenkinsfile = "Jenkinsfile"
    assert engine.unreadable_reason(jenkinsfile) == "not analyzed: internal error TypeError('a defect')"
    assert engine.findings_in(jenkinsfile) == []
