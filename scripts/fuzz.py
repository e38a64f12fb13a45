"""Fuzzes kaniko-lsp with mutated real files, through the analysis and through the running server.

Seeds: the pipelines, Dockerfiles and pod YAML of ../shared/corpus when it is there, else examples/.
Each input is a seed mutated a few times: byte flips, splices of two seeds, and insertions of `${`,
backslashes, quotes, heredoc markers, NUL, invalid UTF-8, very long lines and every kind of line break
(LSP's and the ones it does not count). Each goes through `Engine` in-process, then to `kaniko-lsp serve`
as the new text of an open document, followed by a hover and a code action.

Counted: crashes (an exception, the server gone), slow requests (over 2 s), desyncs (a published
version that is not the latest), and ranges outside the document. Exit status 1 when any is not zero.

    python scripts/fuzz.py --count 100000 --seed 1      # a long run
    python scripts/fuzz.py --count 300                  # the slice CI runs (tests/test_fuzz_slice.py)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tests"))

from kaniko_lsp.engine import Engine  # noqa: E402
from kaniko_lsp.text import LineIndex, decode  # noqa: E402
from kaniko_lsp.workspace import Workspace  # noqa: E402
from raw_client import RawClient  # noqa: E402

INSERTS = [b"${", b"${A:-", b"\\", b"\\\\\n", b"'", b'"', b"'''", b'"""', b"<<EOF\n", b"\nEOF\n", b"<<-'X'\n",
           b"\x00", b"\xe9", b"\xff\xfe", b"\xc3", b"\r", b"\r\n", b"\n", b"\x0b", b"\x0c", b"\x1c", b"\xc2\x85",
           b"\xe2\x80\xa8", b"x" * 5000, b"$A" * 50, b"{", b"}", b"/kaniko/executor --context . ", b"RUN mkdir /x\n",
           b"workingDir: /home/jenkins\n"]
REQUEST_LIMIT = 2.0


@dataclass
class Tally:
    inputs: int = 0
    crashes: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    desyncs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    slowest: float = 0.0

    def failures(self) -> int:
        return len(self.crashes) + len(self.slow) + len(self.desyncs) + len(self.outside)


def seeds() -> list[tuple[str, bytes]]:
    corpus = REPOSITORY.parent / "shared" / "corpus"
    folders = [corpus] if corpus.is_dir() else [REPOSITORY / "examples"]
    folders.append(REPOSITORY / "tests" / "data" / "launchers")  # Tekton files, read as pipelines
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            name = path.name
            kind = ("Jenkinsfile" if "jenkinsfile" in name.lower() or name.endswith(".groovy") else
                    "Dockerfile" if "dockerfile" in name.lower() else
                    "pod.yaml" if name.endswith((".yaml", ".yml")) else None)
            if kind and path.is_file() and path.stat().st_size < 200_000:
                found.append((kind, path.read_bytes()))
    return found


def mutate(data: bytes, other: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(data))
        choice = rng.random()
        if choice < 0.3 and data:
            flip = rng.randrange(len(data))
            data = data[:flip] + bytes([data[flip] ^ (1 << rng.randrange(8))]) + data[flip + 1:]
        elif choice < 0.4 and other:
            cut = rng.randint(0, len(other))
            data = data[:at] + other[cut:cut + rng.randint(1, 400)] + data[at:]
        elif choice < 0.5:
            data = data[:at] + data[at + rng.randint(1, 50):]
        else:
            data = data[:at] + rng.choice(INSERTS) + data[at:]
    return data


def inside(text: str, range_: dict) -> bool:
    index = LineIndex(text)
    lines = len(index.starts)
    start, end = range_["start"], range_["end"]
    return 0 <= start["line"] < lines and 0 <= end["line"] < lines and \
        (start["line"], start["character"]) <= (end["line"], end["character"])


def through_analysis(root: Path, kind: str, text: str, tally: Tally, label: str) -> None:
    engine = Engine(Workspace(root))
    engine.set_buffer(kind, text)
    try:
        result = engine.result(["Jenkinsfile"] if kind == "Jenkinsfile" else None)
    except Exception as error:
        tally.crashes.append(f"{label}: analysis raised {error!r}")
        return
    for finding in result.findings:
        if finding.location.path == kind:
            index = LineIndex(text)
            if finding.location.range.end.line >= len(index.starts):
                tally.outside.append(f"{label}: analysis range {finding.location.range}")


def position(text: str, offset: int) -> dict[str, int]:
    """An offset as an LSP position (UTF-16 columns)."""
    index = LineIndex(text)
    at = index.position(offset)
    line = index.text[index.starts[at.line]:offset]
    return {"line": at.line, "character": len(line.encode("utf-16-le", "surrogatepass")) // 2}


def change_between(old: str, new: str) -> dict:
    """One incremental change turning `old` into `new` (the differing middle replaced)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    # never split a CRLF: LSP counts it as one line break, and a position between its two characters is
    # not one a client can send (the server reads it as the end of the line, before the CR)
    while start and old[start - 1] == "\r":
        start -= 1
    while end and old[len(old) - end] == "\n" and len(old) - end > 0 and old[len(old) - end - 1] == "\r":
        end -= 1
    return {"range": {"start": position(old, start), "end": position(old, len(old) - end)},
            "text": new[start:len(new) - end]}


class Session:
    """One open document per kind in the server, and the texts of its recent versions."""

    def __init__(self, client: RawClient, root: Path) -> None:
        self.client = client
        self.uris: dict[str, str] = {}
        self.texts: dict[str, dict[int, str]] = {}
        client.initialize(root)
        for kind in ("Jenkinsfile", "Dockerfile", "pod.yaml"):
            self.uris[kind] = (root / kind).as_uri()
            self.texts[self.uris[kind]] = {1: ""}
            client.open(self.uris[kind], "", "groovy")

    def change(self, kind: str, text: str, version: int, incremental: bool) -> None:
        uri = self.uris[kind]
        versions = self.texts[uri]
        previous = versions[max(versions)]
        change = change_between(previous, text) if incremental else {"text": text}
        versions[version] = text
        for old in sorted(versions)[:-20]:
            del versions[old]
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                      "contentChanges": [change]})

    def check_published(self, tally: Tally, label: str) -> None:
        """Every diagnostic published so far lies inside the text of the version it names."""
        while (message := self.client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics",
                                           timeout=0.001)) is not None:
            params = message["params"]
            versions = self.texts.get(params["uri"], {})
            text = versions.get(params.get("version"))
            if text is None:
                if params.get("version") is not None and params["version"] > max(versions, default=0):
                    tally.desyncs.append(f"{label}: published version {params['version']} was never sent")
                continue
            for diagnostic in params["diagnostics"]:
                if not inside(text, diagnostic["range"]):
                    tally.outside.append(f"{label}: published range {diagnostic['range']}")


def through_server(session: Session, kind: str, text: str, version: int, tally: Tally, label: str,
                   incremental: bool) -> None:
    client = session.client
    uri = session.uris[kind]
    session.change(kind, text, version, incremental)
    for method, params in (("textDocument/hover", {"position": {"line": 3, "character": 4}}),
                           ("textDocument/codeAction", {"range": {"start": {"line": 0, "character": 0},
                                                                  "end": {"line": 5, "character": 0}},
                                                        "context": {"diagnostics": []}})):
        started = time.monotonic()
        answer = client.response(client.request(method, {"textDocument": {"uri": uri}, **params}), timeout=30)
        elapsed = time.monotonic() - started
        tally.slowest = max(tally.slowest, elapsed)
        if answer is None:
            tally.crashes.append(f"{label}: no answer to {method} (server {client.process.poll()})")
            return
        if elapsed > REQUEST_LIMIT:
            tally.slow.append(f"{label}: {method} took {elapsed:.2f} s")
    session.check_published(tally, label)


def run(count: int, seed: int, server: bool = True) -> Tally:
    rng = random.Random(seed)
    pool = seeds()
    tally = Tally()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        client = RawClient() if server else None
        session = Session(client, root) if client is not None else None
        for n in range(count):
            kind, data = rng.choice(pool)
            other = rng.choice(pool)[1]
            text = decode(mutate(data, other, rng))
            label = f"input {n} (seed {seed}, {kind})"
            tally.inputs += 1
            through_analysis(root, kind, text, tally, label)
            if client is not None and session is not None:
                if client.process.poll() is not None:
                    tally.crashes.append(f"{label}: the server exited ({client.process.returncode})")
                    break
                through_server(session, kind, text, n + 2, tally, label, incremental=rng.random() < 0.5)
        if client is not None:
            stderr = client.close()
            if "Traceback" in stderr:
                tally.crashes.append("the server logged a traceback:\n" + stderr[-2000:])
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-server", action="store_true", help="only the in-process analysis")
    arguments = parser.parse_args()
    os.environ["KANIKO_LSP_CACHE_DIR"] = tempfile.mkdtemp(prefix="kaniko-lsp-cache-")  # the server's: not the user's
    started = time.monotonic()
    tally = run(arguments.count, arguments.seed, server=not arguments.no_server)
    print(f"{tally.inputs} inputs in {time.monotonic() - started:.0f} s: {len(tally.crashes)} crashes, "
          f"{len(tally.slow)} requests over {REQUEST_LIMIT:.0f} s (slowest {tally.slowest * 1000:.0f} ms), "
          f"{len(tally.desyncs)} desyncs, {len(tally.outside)} ranges outside the document")
    for problem in (tally.crashes + tally.slow + tally.desyncs + tally.outside)[:20]:
        print("  " + problem)
    return 1 if tally.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
