"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning (1-based lines and UTF-16 columns)."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model import Finding, Location, Severity
from ..rules import RULES
from .positions import PositionEncoder

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _location(location: Location, encoder: PositionEncoder, message: str | None = None) -> dict[str, Any]:
    range_ = encoder.range(location.path, location.range)
    found: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": location.path, "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": range_.start.line + 1, "startColumn": range_.start.character + 1,
                   "endLine": range_.end.line + 1, "endColumn": range_.end.character + 1},
    }}
    if message is not None:
        found["message"] = {"text": message}
    return found


def render(parts: list[tuple[list[Finding], PositionEncoder]]) -> str:
    """One SARIF run holding the findings of every analysed root (each with its own encoder)."""
    rules = sorted(RULES.values(), key=lambda r: r.code)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kaniko-lsp", "version": __version__, "semanticVersion": __version__,
                "rules": [{"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
                           "helpUri": r.url(), "defaultConfiguration": {"level": _LEVELS[r.severity]}}
                          for r in rules],
            }},
            "columnKind": "utf16CodeUnits",
            "results": [{
                "ruleId": f.rule,
                "ruleIndex": [r.code for r in rules].index(f.rule),
                "level": _LEVELS[f.severity],
                "message": {"text": f.message},
                "locations": [_location(f.location, encoder)],
                "relatedLocations": [{"id": n, **_location(r.location, encoder, r.message)}
                                     for n, r in enumerate(f.related)],
            } for findings, encoder in parts for f in findings],
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
