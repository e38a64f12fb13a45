#!/usr/bin/env python3
"""Measures the figures of README "Reliability" against `kaniko-lsp serve` over stdio (not a test:
figures vary by machine).

Usage: benchmarks/reliability.py [--edits 60000] [--documents 200]

- opening N documents (N = 25, 50, 100, 200): time until each has its diagnostics, and the number of
  publishes (linear in N means one per document);
- request latency while edits flow: a hover after every tenth edit, p50 / p99 / max;
- RSS at start, after `--edits` edits, and after the documents close.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tests"))

from raw_client import RawClient  # noqa: E402

SEED = (REPOSITORY / "examples" / "seed" / "Jenkinsfile").read_text()
FIXED = SEED.replace("workingDir: /home/jenkins\n", "workingDir: /home/jenkins/agent\n")


def rss_mb(client: RawClient) -> float:
    for line in Path(f"/proc/{client.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workspace(folder: Path, count: int) -> list[str]:
    uris = []
    for n in range(count):
        (folder / f"p{n}").mkdir(parents=True)
        (folder / f"p{n}" / "Jenkinsfile").write_text(SEED)
        uris.append((folder / f"p{n}" / "Jenkinsfile").as_uri())
    return uris


def opening(count: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as name:
        uris = workspace(Path(name), count)
        client = RawClient()
        client.initialize(Path(name))
        client.wait(lambda m: False, timeout=1.0)  # let the index settle
        started = time.monotonic()
        for uri in uris:
            client.open(uri, SEED)
        done, publishes = set(), 0
        while len(done) < count:
            message = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics", timeout=60)
            if message is None:
                break
            publishes += 1
            if message["params"].get("version") == 1:
                done.add(message["params"]["uri"])
        elapsed = time.monotonic() - started
        client.close()
        return elapsed, publishes


def editing(edits: int, documents: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as name:
        uris = workspace(Path(name), documents)
        client = RawClient()
        client.initialize(Path(name))
        for uri in uris:
            client.open(uri, SEED)
        client.wait(lambda m: False, timeout=2.0)
        figures = {"rss start": rss_mb(client)}
        latencies = []
        for n in range(edits):
            uri = uris[n % documents]
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": n + 2},
                                                     "contentChanges": [{"text": FIXED if n % 2 else SEED}]})
            if n % 10 == 0:
                started = time.monotonic()
                client.response(client.request("textDocument/hover", {
                    "textDocument": {"uri": uri}, "position": {"line": 14, "character": 26}}), timeout=30)
                latencies.append(time.monotonic() - started)
            while client.wait(lambda m: True, timeout=0) is not None:
                pass
        client.wait(lambda m: False, timeout=2.0)
        figures["rss after edits"] = rss_mb(client)
        for uri in uris:
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        client.wait(lambda m: False, timeout=2.0)
        figures["rss after close"] = rss_mb(client)
        latencies.sort()
        figures["hover p50 ms"] = statistics.median(latencies) * 1000
        figures["hover p99 ms"] = latencies[int(len(latencies) * 0.99) - 1] * 1000
        figures["hover max ms"] = latencies[-1] * 1000
        client.close()
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=60000)
    parser.add_argument("--documents", type=int, default=200)
    arguments = parser.parse_args()
    if shutil.which("kaniko-lsp") is None:
        sys.exit("kaniko-lsp is not installed in this environment")
    os.environ["KANIKO_LSP_CACHE_DIR"] = tempfile.mkdtemp(prefix="kaniko-lsp-cache-")  # cold, and not the user's
    for count in (25, 50, 100, 200):
        elapsed, publishes = opening(count)
        print(f"open {count:>3} documents: {elapsed:.2f} s, {publishes} publishes")
    figures = editing(arguments.edits, arguments.documents)
    print(f"{arguments.edits} edits over {arguments.documents} open documents, a hover every tenth edit:")
    for key, value in figures.items():
        print(f"  {key}: {value:.1f}")


if __name__ == "__main__":
    main()
