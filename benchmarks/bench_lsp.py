#!/usr/bin/env python3
"""Times kaniko-lsp as an editor and a CI job feel it, next to docker-langserver (not a test: figures vary
by machine; run it on an otherwise idle machine).

Usage: benchmarks/bench_lsp.py [--edits 200] [--pipelines 700] [--peer PATH] [--skip-monorepo]

One LSP client drives every server over stdio. For each workspace it reports: cold start (spawn ->
`initialize` result), the initial index (`initialized` -> the end of the indexing progress), didOpen ->
diagnostics, didChange -> diagnostics (p50 / p95 over `--edits` edits that alternate between two texts), and
the server's peak RSS; on the monorepo also p99 and max over a long stretch of typing after a pause, and hover
and code action latency while the whole workspace is analysed. The workspaces are a copy of examples/seed with
an on-disk Dockerfile pair, and a generated monorepo (benchmarks/monorepo.py). docker-langserver (npm
`dockerfile-language-server-nodejs`; `--peer`, else found on PATH or in ./node_modules/.bin) is measured on
the same Dockerfile in the same run, and ratios are printed. Last, `kaniko-lsp check` on the monorepo with one
and two jobs: wall time, relevant files per second and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

REPOSITORY = Path(__file__).resolve().parent.parent
SERVER = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"
sys.path.insert(0, str(REPOSITORY / "benchmarks"))
sys.path.insert(0, str(REPOSITORY / "server"))

from monorepo import generate  # noqa: E402

QUIET_SECONDS = 8.0
"""A pause in typing long enough for the server's housekeeping (a full collection when it is quiet)."""
LONG_TYPING = 2000
"""Edits of a long stretch of typing: enough for Python's own full collection to come due."""
SMALL_DOCKERFILE = "FROM alpine\nRUN apk add git\nRUN mkdir -p /tmp/b/cache\n"
SMALL_PIPELINE = """pipeline {
  agent { kubernetes { yaml '''
    spec:
      containers:
      - name: kaniko
        image: gcr.io/kaniko-project/executor:debug
        workingDir: /tmp/b
  ''' } }
  stages { stage('image') { steps { container('kaniko') {
    sh '/kaniko/executor --context `pwd`/pair --dockerfile `pwd`/pair/Dockerfile --no-push'
  } } } }
}
"""


@dataclass
class Session:
    """One server process and what it told the client."""

    command: list[str]
    cache: Path | None = None
    """The findings cache the server reads and writes (default: a new empty folder: a cold start)."""
    client: LanguageClient = field(init=False)
    published: asyncio.Queue[types.PublishDiagnosticsParams] = field(default_factory=asyncio.Queue)
    progress_ended: asyncio.Event = field(default_factory=asyncio.Event)
    progress: list[types.ProgressParams] = field(default_factory=list)
    cold_start_ms: float = 0.0

    async def start(self, root: Path, pull: bool = False) -> None:
        client = self.client = LanguageClient("bench", "1")

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

        @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @client.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            self.progress.append(params)
            if isinstance(params.value, dict) and params.value.get("kind") == "end":
                self.progress_ended.set()

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

        @client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[object]:
            return [None for _ in params.items]

        cache = self.cache or Path(tempfile.mkdtemp(prefix="kaniko-lsp-cache-"))
        started = time.perf_counter()
        await client.start_io(*self.command, env={**os.environ, "KANIKO_LSP_CACHE_DIR": str(cache)})
        await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(
                window=types.WindowClientCapabilities(work_done_progress=True),
                workspace=types.WorkspaceClientCapabilities(configuration=True),
                text_document=types.TextDocumentClientCapabilities(
                    diagnostic=types.DiagnosticClientCapabilities()) if pull else None),
            root_uri=from_fs_path(str(root)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name=root.name)]))
        self.cold_start_ms = (time.perf_counter() - started) * 1000
        client.initialized(types.InitializedParams())

    @property
    def pid(self) -> int | None:
        process = getattr(self.client, "_server", None)
        return process.pid if process is not None else None

    def peak_rss_mb(self) -> float | None:
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except (OSError, TypeError):
            return None
        line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), None)
        return int(line.split()[1]) / 1024 if line else None

    async def wait_for(self, uri: str, version: int | None = None, timeout: float = 60) -> None:
        async def wait() -> None:
            while True:
                params = await self.published.get()
                if params.uri == uri and (version is None or params.version in (None, version)):
                    return

        await asyncio.wait_for(wait(), timeout)

    async def open(self, path: Path, language: str) -> float:
        """didOpen -> the first diagnostics of the document, in ms."""
        uri = from_fs_path(str(path))
        started = time.perf_counter()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id=language, version=1, text=path.read_text())))
        await self.wait_for(uri, 1)
        return (time.perf_counter() - started) * 1000

    async def edits(self, path: Path, old: str, new: str, count: int) -> list[float]:
        """didChange -> diagnostics of that version, alternating `old` and `new` (one line each) where `old`
        first stands, in ms."""
        uri = from_fs_path(str(path))
        text = path.read_text()
        offset = text.index(old)
        line = text[:offset].count("\n")
        character = offset - (text.rfind("\n", 0, offset) + 1)
        current = old
        latencies = []
        for version in range(2, count + 2):
            replacement = new if current == old else old
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=line, character=character),
                                  end=types.Position(line=line, character=character + len(current))),
                text=replacement)
            started = time.perf_counter()
            self.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change]))
            await self.wait_for(uri, version)
            latencies.append((time.perf_counter() - started) * 1000)
            current = replacement
        return latencies

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            await self.client.stop()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def row(name: str, values: list[float] | float | None, unit: str = "ms") -> str:
    if values is None:
        return f"| {name} | n/a |"
    if isinstance(values, list):
        return f"| {name} | p50 {statistics.median(values):.1f} {unit}, p95 {percentile(values, 0.95):.1f} {unit} |"
    return f"| {name} | {values:.1f} {unit} |"


def find_peer(given: str | None) -> str | None:
    if given:
        return given
    for candidate in (shutil.which("docker-langserver"), str(Path.cwd() / "node_modules/.bin/docker-langserver"),
                      str(REPOSITORY / "node_modules/.bin/docker-langserver")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


async def small(edits: int, peer: str | None, lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "seed"
        shutil.copytree(REPOSITORY / "examples" / "seed", root)
        (root / "pair").mkdir()
        (root / "pair" / "Jenkinsfile").write_text(SMALL_PIPELINE)
        (root / "pair" / "Dockerfile").write_text(SMALL_DOCKERFILE)
        session = Session([SERVER, "serve"])
        started = time.perf_counter()
        await session.start(root)
        await asyncio.wait_for(session.progress_ended.wait(), 60)
        ready = (time.perf_counter() - started) * 1000
        opened = await session.open(root / "Jenkinsfile", "groovy")
        jenkinsfile = await session.edits(root / "Jenkinsfile", "workingDir: /home/jenkins", "workingDir: /tmp/jenkins",
                                          edits)
        await session.open(root / "pair" / "Dockerfile", "dockerfile")
        dockerfile = await session.edits(root / "pair" / "Dockerfile", "/tmp/b/cache", "/srv/cache", edits)
        rss = session.peak_rss_mb()
        cold = session.cold_start_ms
        await session.stop()
        lines += ["", "Small workspace (examples/seed + an on-disk pair):", "", "| kaniko-lsp | figure |", "|---|---|",
                  row("cold start (spawn -> initialize result)", cold),
                  row("spawn -> index ready (end of the indexing progress)", ready),
                  row("didOpen -> diagnostics (Jenkinsfile)", opened),
                  row(f"didChange -> diagnostics, seed Jenkinsfile ({edits} edits)", jenkinsfile),
                  row(f"didChange -> diagnostics, Dockerfile ({edits} edits)", dockerfile),
                  row("peak RSS", rss, "MB")]
        if peer:
            other = Session([peer, "--stdio"])
            await other.start(root)
            peer_open = await other.open(root / "pair" / "Dockerfile", "dockerfile")
            peer_edits = await other.edits(root / "pair" / "Dockerfile", "/tmp/b/cache", "/srv/cache", edits)
            peer_rss = other.peak_rss_mb()
            await other.stop()
            ratio = percentile(dockerfile, 0.95) / percentile(peer_edits, 0.95)
            lines += ["", "| docker-langserver, same Dockerfile | figure |", "|---|---|",
                      row("cold start (spawn -> initialize result)", other.cold_start_ms),
                      row("didOpen -> diagnostics", peer_open),
                      row(f"didChange -> diagnostics ({edits} edits)", peer_edits),
                      row("peak RSS", peer_rss, "MB"),
                      f"| kaniko-lsp p95 / docker-langserver p95 (Dockerfile edits) | {ratio:.2f} |"]


async def large(edits: int, pipelines: int, peer: str | None, lines: list[str]) -> Path:
    root = Path(tempfile.mkdtemp()) / "monorepo"
    counts = generate(root, pipelines=pipelines)
    shared = next(p for p in sorted(root.glob("services/*/Jenkinsfile.release")))
    dockerfile = shared.parent / "Dockerfile"
    jenkinsfile = root / "services" / "svc-0003" / "Jenkinsfile"
    session = Session([SERVER, "serve"])
    started = time.perf_counter()
    await session.start(root)
    await asyncio.wait_for(session.progress_ended.wait(), 600)
    index_ms = (time.perf_counter() - started) * 1000 - session.cold_start_ms
    open_jenkinsfile = await session.open(jenkinsfile, "groovy")
    jenkinsfile_edits = await session.edits(jenkinsfile, "kubernetes {", "kubernetes  {", edits)
    typing_after_index = await session.edits(jenkinsfile, "kubernetes {", "kubernetes  {", LONG_TYPING)
    open_dockerfile = await session.open(dockerfile, "dockerfile")
    dockerfile_edits = await session.edits(dockerfile, "USER root", "USER root ", edits)
    await asyncio.sleep(QUIET_SECONDS)
    long_typing = await session.edits(jenkinsfile, "kubernetes {", "kubernetes  {", LONG_TYPING)
    rss = session.peak_rss_mb()
    cold = session.cold_start_ms
    await session.stop()
    every, partials, files = await pull_everything(root)
    hovers, actions = await requests_while_analysing(root, jenkinsfile)
    lines += ["", f"Generated workspace: {counts['files']} files, {counts['pipelines']} pipelines, "
                  f"{counts['dockerfiles']} Dockerfiles of 200-300 lines ({shared.parent.name}/Dockerfile is built "
                  "by two pipelines):", "", "| kaniko-lsp | figure |", "|---|---|",
              row("cold start (spawn -> initialize result)", cold),
              row("initial index (initialize result -> progress end: the scan, and the files each pipeline reads)",
                  index_ms),
              row("didOpen -> diagnostics (Jenkinsfile)", open_jenkinsfile),
              row(f"didChange -> diagnostics, Jenkinsfile ({edits} edits)", jenkinsfile_edits),
              row("didOpen -> diagnostics (Dockerfile built by two pipelines)", open_dockerfile),
              row(f"didChange -> diagnostics, that Dockerfile ({edits} edits)", dockerfile_edits),
              f"| didChange -> diagnostics, Jenkinsfile, {LONG_TYPING} more edits right after those (no pause since "
              f"the index) | p99 {percentile(typing_after_index, 0.99):.1f} ms, max {max(typing_after_index):.1f} ms |",
              f"| didChange -> diagnostics, Jenkinsfile, {LONG_TYPING} edits after {QUIET_SECONDS:.0f} s without "
              f"any | p99 {percentile(long_typing, 0.99):.1f} ms, max {max(long_typing):.1f} ms |",
              row("server peak RSS", rss, "MB"),
              row(f"spawn -> workspace/diagnostic answered (every pipeline analysed; {files} files in "
                  f"{partials} partial results)", every),
              *(f"| {name} while that analysis runs ({len(taken)} requests, hover and code actions in turn, one every "
                f"10 ms) | p50 {statistics.median(taken):.1f} ms, p99 {percentile(taken, 0.99):.1f} ms, max "
                f"{max(taken):.1f} ms |" for name, taken in (("hover", hovers), ("code actions", actions)))]
    if peer:
        other = Session([peer, "--stdio"])
        await other.start(root)
        await other.open(dockerfile, "dockerfile")
        peer_edits = await other.edits(dockerfile, "USER root", "USER root ", edits)
        await other.stop()
        lines += [row(f"docker-langserver: didChange -> diagnostics, same Dockerfile ({edits} edits)", peer_edits),
                  f"| kaniko-lsp p95 / docker-langserver p95 (Dockerfile edits) | "
                  f"{percentile(dockerfile_edits, 0.95) / percentile(peer_edits, 0.95):.2f} |"]
    return root


async def pull_everything(root: Path, cache: Path | None = None) -> tuple[float, int, int]:
    """Spawn -> the answer to a `workspace/diagnostic` pull with a partial result token, in ms; and how many
    partial results and files with diagnostics it streamed."""
    session = Session([SERVER, "serve"], cache)
    started = time.perf_counter()
    await session.start(root, pull=True)
    await session.client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(
        previous_result_ids=[], partial_result_token="everything"))
    elapsed = (time.perf_counter() - started) * 1000
    await session.stop()
    partials = [len(p.value.get("items", [])) for p in session.progress
                if p.token == "everything" and isinstance(p.value, dict)]
    return elapsed, len(partials), sum(partials)


async def requests_while_analysing(root: Path, document: Path) -> tuple[list[float], list[float]]:
    """Hover and code action latencies (ms), one request every 10 ms on an open Jenkinsfile, hover and code
    actions in turn, from spawn until a `workspace/diagnostic` pull that waits for the whole workspace is
    answered (the first hover, which also waits for the protocol library to load, is left out)."""
    session = Session([SERVER, "serve"])
    await session.start(root, pull=True)
    uri = from_fs_path(str(document))
    session.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
        uri=uri, language_id="groovy", version=1, text=document.read_text())))
    document_id = types.TextDocumentIdentifier(uri=uri)
    hover = types.HoverParams(text_document=document_id, position=types.Position(line=3, character=5))
    actions = types.CodeActionParams(text_document=document_id, context=types.CodeActionContext(diagnostics=[]),
                                     range=types.Range(types.Position(0, 0), types.Position(60, 0)))
    await session.client.text_document_hover_async(hover)
    everything = asyncio.ensure_future(session.client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[], partial_result_token="hovers")))
    latencies: tuple[list[float], list[float]] = ([], [])
    while not everything.done():
        for kind, request in enumerate((session.client.text_document_hover_async(hover),
                                        session.client.text_document_code_action_async(actions))):
            started = time.perf_counter()
            await request
            latencies[kind].append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)
    await session.stop()
    return latencies


def relevant_files(root: Path) -> int:
    """Files `check` reads to analyse the workspace: pipelines and every file they read that exists."""
    from kaniko_lsp.engine import Engine
    from kaniko_lsp.workspace import Workspace

    engine = Engine(Workspace(root))
    engine.scan()
    engine.refresh()
    return len({p for p in engine.readers if engine.workspace.read(p) is not None} | engine.pipelines)


_TIMER = """
import resource, subprocess, sys, time
started = time.perf_counter()
output = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
wall = time.perf_counter() - started
sys.stderr.write(f"{wall} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.stdout.buffer.write(output)
"""


def timed(command: list[str]) -> tuple[bytes, float, float]:
    """(stdout, wall seconds, peak RSS in MB) of a command, started from a small process: a child forked
    from this one would count this process's memory in its peak."""
    process = subprocess.run([sys.executable, "-S", "-c", _TIMER, *command], capture_output=True, check=False)
    wall, rss = process.stderr.split()
    return process.stdout, float(wall), int(rss) / 1024


async def check(root: Path, lines: list[str]) -> None:
    relevant = relevant_files(root)
    lines += ["", f"`kaniko-lsp check` on the generated workspace ({relevant} relevant files):", "",
              "| run | jobs | wall | relevant files/s | peak RSS |", "|---|---|---|---|---|"]
    outputs = []
    with tempfile.TemporaryDirectory() as cache:
        runs = [("no cache (`--no-cache`)", 1, ["--no-cache"]), ("no cache (`--no-cache`)", 2, ["--no-cache"]),
                ("first run, filling an empty cache", 1, ["--cache-dir", cache]),
                ("next run, nothing changed", 1, ["--cache-dir", cache]),
                ("next run, one Dockerfile changed (two pipelines build it)", 1, ["--cache-dir", cache])]
        for name, jobs, flags in runs:
            if name.startswith("next run, one"):
                changed = next(iter(sorted(root.glob("services/*/Jenkinsfile.release")))).parent / "Dockerfile"
                changed.write_text(changed.read_text() + "RUN true\n")
            output, wall, rss = timed([SERVER, "check", str(root), "--jobs", str(jobs), "--format", "json", *flags])
            outputs.append(output)
            lines.append(f"| {name} | {jobs} | {wall:.2f} s | {relevant / wall:.0f} | {rss:.0f} MB |")
        warm = (await pull_everything(root, Path(cache)))[0]
    findings = len(json.loads(outputs[0])["findings"])
    lines.append(f"\nOutput identical with one and two jobs, and with the cache: "
                 f"{len(set(outputs[:4])) == 1} ({findings} findings).")
    lines.append(f"\nThe server started on the same workspace with that cache (the one `check` fills): spawn -> "
                 f"workspace/diagnostic answered in {warm:.1f} ms.")


def compile_bytecode() -> str:
    """Writes the bytecode of the kaniko_lsp that `SERVER` runs, as installing a wheel does: an editable
    install run with PYTHONDONTWRITEBYTECODE set would compile every module again in every process (about
    90 ms a start here), which no installed copy does."""
    beside = Path(SERVER).parent / "python"
    python = str(beside) if beside.exists() else sys.executable
    found = subprocess.run([python, "-c", "import kaniko_lsp, os; print(os.path.dirname(kaniko_lsp.__file__))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", found], check=True, stdout=subprocess.DEVNULL)
    return found


async def main(options: argparse.Namespace) -> None:
    global SERVER
    SERVER = options.server
    peer = find_peer(options.peer)
    package = compile_bytecode()
    lines = [f"kaniko-lsp benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python "
             f"{sys.version.split()[0]}; docker-langserver: {peer or 'not found'}; bytecode of {package} "
             f"compiled first, as a wheel install has it"]
    await small(options.edits, peer, lines)
    if not options.skip_monorepo:
        root = await large(options.edits, options.pipelines, peer, lines)
        await check(root, lines)
        shutil.rmtree(root.parent, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--pipelines", type=int, default=700)
    parser.add_argument("--peer", help="the docker-langserver executable")
    parser.add_argument("--server", default=SERVER, help="the kaniko-lsp executable (default: next to this Python)")
    parser.add_argument("--skip-monorepo", action="store_true")
    asyncio.run(main(parser.parse_args()))
