"""The server under load, through stdio: many open documents, edits with requests interleaved, opening
and closing, files deleted or renamed while open, a large file, and links out of the workspace. It must
answer every request, publish for every document, and keep working afterwards."""

from __future__ import annotations

import os
from pathlib import Path

from raw_client import RawClient

from conftest import EXAMPLES

SEED = (EXAMPLES / "seed" / "Jenkinsfile").read_text()
FIXED = SEED.replace("workingDir: /home/jenkins\n", "workingDir: /home/jenkins/agent\n")


def test_two_hundred_documents_thousands_of_edits_and_hostile_files(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    uris = []
    for n in range(200):
        (root / f"p{n}").mkdir(parents=True)
        (root / f"p{n}" / "Jenkinsfile").write_text(SEED)
        uris.append((root / f"p{n}" / "Jenkinsfile").as_uri())
    (root / "big").mkdir()
    (root / "big" / "Jenkinsfile").write_text(SEED + "// filler\n" * 1_000_000)  # 10 MB: over the read limit
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM alpine\n")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)

    client = RawClient()
    try:
        client.initialize(root)
        for uri in uris:
            client.open(uri, SEED)
        published: set[str] = set()
        publishes = 0
        while len(published) < len(uris):
            message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=30)
            assert message is not None, f"{len(published)} of {len(uris)} documents published"
            publishes += 1
            if len(message["params"]["diagnostics"]) == 2:
                published.add(message["params"]["uri"])
        # linear: each document once, not once per document opened after it (200 opens sent 20,300)
        assert publishes <= 2 * len(uris), publishes
        client.notify("textDocument/didChange", {"textDocument": {"uri": uris[7], "version": 2},
                                                 "contentChanges": [{"text": SEED + "\n"}]})
        client.response(client.request("textDocument/hover", {
            "textDocument": {"uri": uris[7]}, "position": {"line": 0, "character": 0}}))
        later = []
        while (message := client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics",
                                      timeout=1.0)) is not None:
            later.append(message["params"]["uri"])
        assert set(later) <= {uris[7]}, f"one keystroke republished {len(set(later))} documents"

        unanswered = []
        for n in range(5000):
            uri = uris[n % 40]
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": n + 2},
                                                     "contentChanges": [{"text": SEED if n % 2 else FIXED}]})
            if n % 10 == 0:
                msg_id = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                               "position": {"line": 14, "character": 26}})
                if client.response(msg_id, timeout=10) is None:
                    unanswered.append(msg_id)
        assert unanswered == []

        for n in range(2000):  # open and close
            uri = uris[100 + n % 100]
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            client.open(uri, FIXED if n % 2 else SEED)

        deleted, renamed = root / "p150" / "Jenkinsfile", root / "p151" / "Jenkinsfile"
        deleted.unlink()
        renamed.rename(root / "p151" / "Jenkinsfile.old")
        client.notify("workspace/didChangeWatchedFiles", {"changes": [
            {"uri": deleted.as_uri(), "type": 3}, {"uri": renamed.as_uri(), "type": 3},
            {"uri": (root / "p151" / "Jenkinsfile.old").as_uri(), "type": 1}]})
        big = (root / "big" / "Jenkinsfile").as_uri()
        client.open(big, (root / "big" / "Jenkinsfile").read_text())
        message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                              and m["params"]["uri"] == big, timeout=30)
        assert message is not None
        (note,) = message["params"]["diagnostics"]
        assert note["message"].startswith("kaniko-lsp could not read this: 100")
        assert "over the 2097152" in note["message"]

        # still working: a fresh edit of a document gets its diagnostics
        client.notify("textDocument/didChange", {"textDocument": {"uri": uris[0], "version": 100_000},
                                                 "contentChanges": [{"text": FIXED}]})
        message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                              and m["params"]["uri"] == uris[0] and m["params"].get("version") == 100_000)
        assert message is not None and message["params"]["diagnostics"] == []
        assert client.response(client.request("shutdown", None)) is not None
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr, stderr[-3000:]
    assert os.path.islink(root / "loop")
