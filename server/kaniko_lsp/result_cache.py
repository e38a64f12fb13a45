"""What `kaniko-lsp check` found per pipeline, kept on disk between runs.

An entry holds a pipeline's findings with a digest of every input its analysis read (files, missing files,
folder listings). The next run reuses the entry when each input still has the same digest, and analyses
the pipeline again otherwise. Entries live in one JSON file per workspace, kaniko-lsp build and
configuration, under the user's cache folder: nothing is written into the repository.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .model import Finding, Fix, Location, Position, Range, Related, Severity, TextEdit
from .workspace import GLOB, Workspace

FORMAT = 1
"""Bumped when the layout of the file changes."""
UNUSED_DAYS = 30
"""Cache files not written for this long are removed when another one is written."""


@dataclass
class PipelinePart:
    """What one pipeline adds to a workspace's result."""

    findings: list[Finding] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)
    config_problems: dict[str, list[str]] = field(default_factory=dict)
    problems: list[tuple[Location, str]] = field(default_factory=list)
    """Places the pipeline's reader skipped."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Each input read, with its digest (see `input_digest`)."""


def default_directory() -> Path:
    """`$KANIKO_LSP_CACHE_DIR`, else `$XDG_CACHE_HOME/kaniko-lsp`, else `~/.cache/kaniko-lsp`."""
    chosen = os.environ.get("KANIKO_LSP_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kaniko-lsp"


def input_digest(workspace: Workspace, path: str) -> str:
    """A digest of an input as it is now: a file's bytes as read, its absence, why it could not be read,
    or the paths a folder listing matches."""
    text = workspace.read_input(path)
    if path.startswith(GLOB):
        return "glob " + _digest(text or "")
    unreadable = workspace.unreadable.get(path)
    if unreadable is not None:
        return "unreadable " + unreadable.reason
    return "missing" if text is None else "text " + _digest(text)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class ResultCache:
    """The entries of one workspace, read from and written back to one file."""

    def __init__(self, directory: Path, workspace: Workspace, config: Config | None) -> None:
        self.directory = directory
        self.file = directory / f"check-{_key(workspace.root, config)}.json"
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("pipelines"), dict):
                self.entries = data["pipelines"]
        except (OSError, ValueError):  # no cache yet, or one that cannot be used: start afresh
            pass

    def reuse(self, workspace: Workspace, pipeline: str) -> PipelinePart | None:
        """The cached part of `pipeline` when every input it read is unchanged."""
        entry = self.entries.get(pipeline)
        if not isinstance(entry, dict):
            return None
        try:
            inputs = entry["inputs"]
            if any(input_digest(workspace, path) != digest for path, digest in inputs.items()):
                return None
            return _part(entry)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):  # another shape: analyse again
            return None

    def store(self, pipeline: str, part: PipelinePart) -> None:
        self.entries[pipeline] = _entry(part)
        self.changed = True

    def keep_only(self, pipelines: set[str]) -> None:
        """Forgets the pipelines a full scan no longer found."""
        for gone in set(self.entries) - pipelines:
            del self.entries[gone]
            self.changed = True

    def save(self) -> None:
        """Writes the entries back (atomically); a cache that cannot be written is left as it was."""
        entries = self.snapshot()
        if entries is not None:
            self.write(entries)

    def snapshot(self) -> dict[str, dict[str, Any]] | None:
        """The entries to write (None when nothing changed since the last snapshot)."""
        if not self.changed:
            return None
        self.changed = False
        return dict(self.entries)

    def write(self, entries: dict[str, dict[str, Any]]) -> None:
        """Writes a snapshot (only files are touched: it may run in another thread)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".check-", dir=self.directory)
            with os.fdopen(handle, "w", encoding="utf-8") as output:
                output.write(encode(entries))
            os.replace(temporary, self.file)
        except OSError:
            return
        self._prune()

    def _prune(self) -> None:
        cutoff = time.time() - UNUSED_DAYS * 86400
        for other in self.directory.glob("check-*.json"):
            try:
                if other != self.file and other.stat().st_mtime < cutoff:
                    other.unlink()
            except OSError:
                pass


def encode(entries: dict[str, dict[str, Any]]) -> str:
    """The cache file's text: `{"format": ..., "pipelines": entries}` as compact JSON, each entry encoded
    by one call of the C encoder. `json.dump` to a file encodes in Python, four to six times slower; in the
    server's writing thread that held the interpreter lock for about 80 ms on 700 pipelines, slowing the
    answers of the event loop meanwhile."""
    pipelines = ",".join(f"{json.dumps(name)}:{json.dumps(entry, separators=(',', ':'))}"
                         for name, entry in entries.items())
    return f'{{"format":{json.dumps(FORMAT)},"pipelines":{{{pipelines}}}}}'


def _key(root: Path, config: Config | None) -> str:
    """What the findings depend on besides the inputs: this build of kaniko-lsp, the workspace, the
    configuration given on the command line."""
    digest = hashlib.blake2b(digest_size=16)
    settings = None if config is None else json.dumps(dataclasses.asdict(config), sort_keys=True, default=sorted)
    digest.update(json.dumps([FORMAT, __version__, sys.version_info[:2], str(root), settings]).encode())
    digest.update(_build_digest().encode())
    return digest.hexdigest()


_BUILD: str | None = None


def _build_digest() -> str:
    """A digest of kaniko-lsp's own code, so that an upgrade or a local change never reuses old findings."""
    global _BUILD
    if _BUILD is None:
        digest = hashlib.blake2b(digest_size=16)
        package = Path(__file__).parent
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
        _BUILD = digest.hexdigest()
    return _BUILD


# --- JSON form of a part -------------------------------------------------------------------------------

def _entry(part: PipelinePart) -> dict[str, Any]:
    return {"inputs": part.inputs, "findings": [_finding(f) for f in part.findings],
            "unreadable": part.unreadable, "config_problems": part.config_problems,
            "problems": [[_location(location), message] for location, message in part.problems]}


def _part(entry: dict[str, Any]) -> PipelinePart:
    return PipelinePart([_read_finding(f) for f in entry["findings"]], dict(entry["unreadable"]),
                        {path: list(problems) for path, problems in entry["config_problems"].items()},
                        [(_read_location(location), message) for location, message in entry["problems"]],
                        dict(entry["inputs"]))


def _range(value: Range) -> list[int]:
    return [value.start.line, value.start.character, value.end.line, value.end.character]


def _read_range(value: list[int]) -> Range:
    start_line, start_character, end_line, end_character = (int(v) for v in value)
    return Range(Position(start_line, start_character), Position(end_line, end_character))


def _location(location: Location) -> list[Any]:
    return [location.path, _range(location.range)]


def _read_location(value: list[Any]) -> Location:
    return Location(str(value[0]), _read_range(value[1]))


def _finding(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity.value, "location": _location(finding.location),
            "message": finding.message,
            "related": [[_location(r.location), r.message] for r in finding.related],
            "fixes": [[fix.title, [[e.path, _range(e.range), e.new_text] for e in fix.edits]]
                      for fix in finding.fixes],
            "parts": [_location(p) for p in finding.parts]}


def _read_finding(value: dict[str, Any]) -> Finding:
    return Finding(str(value["rule"]), Severity(value["severity"]), _read_location(value["location"]),
                   str(value["message"]),
                   tuple(Related(_read_location(location), str(message)) for location, message in value["related"]),
                   tuple(Fix(str(title), tuple(TextEdit(str(path), _read_range(edit_range), str(text))
                                               for path, edit_range, text in edits))
                         for title, edits in value["fixes"]),
                   tuple(_read_location(p) for p in value["parts"]))
