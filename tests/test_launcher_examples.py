"""Reproductions of public pipeline files of other launchers (tests/data/launchers/README.md names the
originals): each is read without a crash and gives the findings written down before the tool ran."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import check

EXAMPLES = Path(__file__).parent / "data" / "launchers"
CASES = sorted(p.parent for p in EXAMPLES.glob("*/*/expected.json"))


@pytest.mark.parametrize("root", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_each_example_gives_the_findings_written_down(root: Path) -> None:
    process = check(root, "--format", "json")
    assert process.returncode in (0, 1), process.stderr
    report = json.loads(process.stdout)
    assert report.get("notRead", []) == [] and report.get("unreadable", []) == []
    found = [(f["rule"], f["path"], f["range"]["start"]["line"] + 1, f["message"]) for f in report["findings"]]
    expected = json.loads((root / "expected.json").read_text())
    assert len(found) == len(expected), found
    for (rule, path, line, message), (want_rule, want_path, want_line, prefix) in zip(found, expected, strict=True):
        assert (rule, path, line) == (want_rule, want_path, want_line), found
        assert message.startswith(prefix), message
