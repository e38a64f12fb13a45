"""A bounded slice of scripts/fuzz.py in every test run: 300 mutated files through the analysis and the
server, with no crash, no request over 2 s, no desync and no range outside its document."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPOSITORY


def test_three_hundred_fuzzed_inputs_pass_cleanly() -> None:
    process = subprocess.run([sys.executable, str(REPOSITORY / "scripts" / "fuzz.py"), "--count", "300",
                              "--seed", "3"], capture_output=True, text=True, timeout=600, check=False)
    assert process.returncode == 0, process.stdout + process.stderr[-3000:]
    assert process.stdout.startswith("300 inputs in ")
    assert ": 0 crashes, 0 requests over 2 s" in process.stdout
    assert "0 desyncs, 0 ranges outside the document" in process.stdout
