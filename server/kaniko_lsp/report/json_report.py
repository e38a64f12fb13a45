"""`--format json`: one JSON object, positions 0-based in UTF-16 code units."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..model import Finding, Location, Range
from .positions import PositionEncoder

JSON_VERSION = 1


def range_json(range_: Range) -> dict[str, Any]:
    return {"start": {"line": range_.start.line, "character": range_.start.character},
            "end": {"line": range_.end.line, "character": range_.end.character}}


def finding_json(finding: Finding, encoder: PositionEncoder) -> dict[str, Any]:
    def place(path: str, range_: Range) -> dict[str, Any]:
        return {"path": path, "range": range_json(encoder.range(path, range_))}

    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        **place(finding.location.path, finding.location.range),
        "message": finding.message,
        "related": [{**place(r.location.path, r.location.range), "message": r.message} for r in finding.related],
        "fixes": [{"title": fix.title,
                   "edits": [{**place(e.path, e.range), "newText": e.new_text} for e in fix.edits]}
                  for fix in finding.fixes],
    }


def render(findings: list[Finding], encoder: PositionEncoder, unreadable: dict[str, str],
           problems: Sequence[tuple[Location, str]] = ()) -> str:
    document: dict[str, Any] = {"version": JSON_VERSION, "findings": [finding_json(f, encoder) for f in findings]}
    if unreadable:
        document["unreadable"] = [{"path": p, "reason": r} for p, r in sorted(unreadable.items())]
    if problems:
        document["notRead"] = [
            {"path": location.path, "range": range_json(encoder.range(location.path, location.range)),
             "message": message} for location, message in problems]
    return json.dumps(document, indent=2, ensure_ascii=False)


def merge(documents: list[str]) -> str:
    """One JSON object for several PATH arguments."""
    merged: dict[str, Any] = {"version": JSON_VERSION, "findings": []}
    for document in documents:
        data = json.loads(document)
        merged["findings"].extend(data["findings"])
        for key in ("unreadable", "notRead"):
            if key in data:
                merged.setdefault(key, []).extend(data[key])
    return json.dumps(merged, indent=2, ensure_ascii=False)
