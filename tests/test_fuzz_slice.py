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


def test_the_fuzzer_sends_changes_a_client_can_send() -> None:
    """An incremental change never starts or ends between the CR and the LF of a CRLF: the server reads
    such a position as the end of the line, and the fuzzer's copy of the text would drift from it."""
    import random

    sys.path.insert(0, str(REPOSITORY / "scripts"))
    from fuzz import change_between
    from lsprotocol import types

    from kaniko_lsp.lsp.text_sync import apply_change

    rng = random.Random(1)
    pieces = ["a", "b", "\r\n", "\n", "\r", "é", "x\r\ny"]
    for _ in range(3000):
        old = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        new = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        change = change_between(old, new)
        span = types.Range(types.Position(**change["range"]["start"]), types.Position(**change["range"]["end"]))
        applied = apply_change(old, types.TextDocumentContentChangePartial(range=span, text=change["text"]), "utf-16")
        assert applied == new, (old, new, change)
