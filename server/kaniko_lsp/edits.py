"""Applying text edits to file contents, and writing files so that no byte is lost."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .model import Finding, TextEdit
from .text import LineIndex, decode


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


class NotWritten(Exception):
    """Why a file was left as it was (the message completes "<file>: not fixed: ...")."""


def rewrite(path: Path, seen: str, edits: Iterable[TextEdit]) -> None:
    """Applies `edits` to the file whose text was `seen`, keeping every byte outside them (undecodable
    bytes included). The new content goes to a temporary file beside the file, is synced, then renamed
    over it; a symlink stays a symlink (its target is rewritten). Raises NotWritten, leaving the file
    untouched, when it changed since it was read, is read-only, or has other hard links."""
    target = Path(os.path.realpath(path))
    try:
        data = target.read_bytes()
        status = target.stat()
    except OSError as error:
        raise NotWritten(f"cannot be read ({error.strerror or error})") from None
    if decode(data) != seen:
        raise NotWritten("it changed since it was read; run again")
    if status.st_nlink > 1:
        raise NotWritten(f"it has {status.st_nlink} hard links, which a rewrite would break")
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise NotWritten("it is read-only")
    content = apply(data.decode("utf-8", "surrogateescape"), edits).encode("utf-8", "surrogateescape")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise NotWritten(f"its folder is not writable ({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, status.st_mode & 0o7777)
        if target.read_bytes() != data:
            raise NotWritten("it changed while being fixed; run again")
        os.replace(temporary, target)
    except OSError as error:
        raise NotWritten(f"cannot be written ({error.strerror or error})") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
