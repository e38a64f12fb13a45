"""What `kaniko-lsp check` reports, in the terms every output format shares: paths as the user names
them (relative to the current directory, absolute outside it), 0-based lines and UTF-16 columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Finding, Location, Range, Severity
from .positions import PositionEncoder

RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def display_path(absolute: Path, base: Path) -> str:
    """`absolute` relative to `base` when it lies under it, else absolute; POSIX separators; characters
    that are not valid text (undecodable file names) escaped."""
    try:
        shown = absolute.relative_to(base).as_posix()
    except ValueError:
        shown = absolute.as_posix()
    return visible(shown)


def visible(text: str) -> str:
    """`text` as valid Unicode: the bytes of an undecodable file name (held as surrogate escapes) and any
    other lone surrogate written as backslash escapes (`caf\\xe9`), so every output format stays valid."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class Report:
    """Findings and problems of every analysed root, placed for output."""

    base: Path
    """The directory paths are shown relative to (the current directory)."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    not_read: list[dict[str, Any]] = field(default_factory=list)
    severities: list[Severity] = field(default_factory=list)
    """The severity of each finding, in order (for exit statuses and colours)."""

    def add(self, root: Path, read: Callable[[str], str | None], findings: list[Finding],
            unreadable: dict[str, str], problems: list[tuple[Location, str]], docs: Callable[[str], str]) -> None:
        encoder = PositionEncoder(read)

        def path(relative: str) -> str:
            return display_path(root / relative, self.base)

        def place(location: Location) -> dict[str, Any]:
            return {"path": path(location.path), "range": _range(encoder.range(location.path, location.range))}

        for finding in findings:
            self.severities.append(finding.severity)
            self.findings.append({
                "rule": finding.rule, "severity": finding.severity.value, **place(finding.location),
                "message": visible(finding.message),
                "related": [{**place(r.location), "message": visible(r.message)} for r in finding.related],
                "fixes": [{"title": visible(fix.title),
                           "edits": [{"path": path(e.path), "range": _range(encoder.range(e.path, e.range)),
                                      "newText": visible(e.new_text)} for e in fix.edits]}
                          for fix in finding.fixes],
                "url": docs(finding.rule),
            })
        self.unreadable.extend({"path": path(p), "reason": visible(r)} for p, r in sorted(unreadable.items()))
        self.not_read.extend({**place(location), "message": visible(message)} for location, message in problems)

    def sort(self) -> None:
        def key(item: dict[str, Any]) -> tuple[Any, ...]:
            start = item["range"]["start"]
            return item["path"], start["line"], start["character"], item.get("rule", ""), item["message"]

        order = sorted(range(len(self.findings)), key=lambda n: key(self.findings[n]))
        self.findings = [self.findings[n] for n in order]
        self.severities = [self.severities[n] for n in order]
        self.not_read.sort(key=key)
        self.unreadable.sort(key=lambda u: u["path"])

    def worst(self) -> int:
        """The rank of the most severe finding (-1 when there is none)."""
        return max((RANK[s] for s in self.severities), default=-1)


def _range(range_: Range) -> dict[str, Any]:
    return {"start": {"line": range_.start.line, "character": range_.start.character},
            "end": {"line": range_.end.line, "character": range_.end.character}}

