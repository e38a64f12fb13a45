"""Real public pipelines (../shared/corpus, when present): read without a crash, verdicts matched."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import CORPUS, REPOSITORY

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(),
                                reason="the corpus of real pipelines (../shared/corpus) is not here")


def test_every_labelled_case_agrees_with_its_verdict() -> None:
    process = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "corpus_report.py"), str(CORPUS)],
                             capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stderr[-3000:]
    summary = process.stdout.split("=== summary", 1)[1]
    assert "DISAGREES" not in summary, summary
    assert "agrees:" in summary
