#!/usr/bin/env python3
"""Times the language server as an editor feels it (not a test: figures vary by machine).

Usage: benchmarks/bench_lsp.py [--edits 30]

Starts `kaniko-lsp serve` over stdio on a copy of examples/seed, then reports: start-up to the first
diagnostics of the opened Jenkinsfile, and for each edit the time from `didChange` to the matching
`publishDiagnostics` (the 150 ms debounce included, and shown apart), and a hover and code action
round trip on the unchanged document.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

REPOSITORY = Path(__file__).resolve().parent.parent
SERVER = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"


async def main(edits: int) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "seed"
        shutil.copytree(REPOSITORY / "examples" / "seed", root)
        uri = from_fs_path(str(root / "Jenkinsfile"))
        client = LanguageClient("bench", "1")
        published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            published.put_nowait(params)

        started = time.perf_counter()
        await client.start_io(SERVER, "serve")
        await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name="seed")]))
        client.initialized(types.InitializedParams())
        text = (root / "Jenkinsfile").read_text()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="groovy", version=1, text=text)))
        while (await published.get()).uri != uri:
            pass
        print(f"start-up to first diagnostics: {(time.perf_counter() - started) * 1000:7.1f} ms")

        line = types.Range(start=types.Position(line=14, character=24), end=types.Position(line=14, character=37))
        latencies = []
        for version in range(2, edits + 2):
            value = "/tmp/jenkins" if version % 2 else "/home/jenkins"
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=line, text=value)]))
            line = types.Range(start=line.start, end=types.Position(line=14, character=24 + len(value)))
            while True:
                params = await published.get()
                if params.uri == uri and params.version == version:
                    break
            latencies.append((time.perf_counter() - sent) * 1000)
        median = statistics.median(latencies)
        print(f"edit to diagnostics:           {median:7.1f} ms median ({median - 150:.1f} ms after the "
              f"150 ms debounce), worst {max(latencies):.1f} ms over {edits} edits")

        for name, request in (
            ("hover", lambda: client.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=14, character=26)))),
            ("code actions", lambda: client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri), range=line,
                context=types.CodeActionContext(diagnostics=[])))),
        ):
            times = []
            for _ in range(20):
                sent = time.perf_counter()
                await request()
                times.append((time.perf_counter() - sent) * 1000)
            print(f"{name + ':':31s}{statistics.median(times):7.1f} ms median")
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    asyncio.run(main(parser.parse_args().edits))
