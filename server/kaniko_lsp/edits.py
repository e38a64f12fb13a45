"""Applying text edits to file contents, and writing files atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .model import Finding, TextEdit
from .text import LineIndex


def preferred_edits(findings: Iterable[Finding]) -> dict[str, list[TextEdit]]:
    """The edits of each finding's first (preferred) fix, grouped by file, duplicates removed."""
    by_path: dict[str, list[TextEdit]] = {}
    for finding in findings:
        if finding.fixes:
            for edit in finding.fixes[0].edits:
                edits = by_path.setdefault(edit.path, [])
                if edit not in edits:
                    edits.append(edit)
    return by_path


def apply(text: str, edits: Iterable[TextEdit]) -> str:
    """`text` with `edits` applied; an edit overlapping an earlier one is skipped."""
    index = LineIndex(text)
    spans = sorted((index.offset(e.range.start), index.offset(e.range.end), e.new_text) for e in edits)
    out: list[str] = []
    cursor = 0
    for start, end, new_text in spans:
        if start < cursor:
            continue
        out.append(text[cursor:start])
        out.append(new_text)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def write_atomically(path: Path, text: str) -> None:
    """Replaces `path` with `text` (UTF-8, newlines untouched) so that it is never half written."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
