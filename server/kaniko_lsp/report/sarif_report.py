"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers: 1-based lines, UTF-16
columns, paths relative to `%SRCROOT%` (the current directory), fixes, and a notification for every
file or place that was not read."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..rules import RULES
from .output import Report

SRCROOT = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(path: str) -> dict[str, Any]:
    """A location's file as a URI: percent-encoded, with the bytes of an undecodable name (which the
    report shows as `\\xe9`) encoded as themselves."""
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]), path.encode("utf-8"))
    if path.startswith("/"):
        return {"uri": "file://" + quote(raw)}
    return {"uri": quote(raw), "uriBaseId": SRCROOT}


def _region(range_: dict[str, Any]) -> dict[str, int]:
    start, end = range_["start"], range_["end"]
    return {"startLine": start["line"] + 1, "startColumn": start["character"] + 1,
            "endLine": end["line"] + 1, "endColumn": end["character"] + 1}


def _location(item: dict[str, Any], message: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"physicalLocation": {"artifactLocation": _artifact(item["path"]),
                                                  "region": _region(item["range"])}}
    if message is not None:
        found["message"] = {"text": message}
    return found


def _fix(fix: dict[str, Any]) -> dict[str, Any]:
    by_path: dict[str, list[dict[str, Any]]] = {}
    for edit in fix["edits"]:
        by_path.setdefault(edit["path"], []).append({"deletedRegion": _region(edit["range"]),
                                                     "insertedContent": {"text": edit["newText"]}})
    return {"description": {"text": fix["title"]},
            "artifactChanges": [{"artifactLocation": _artifact(path), "replacements": replacements}
                                for path, replacements in by_path.items()]}


def render(report: Report, docs: dict[str, str]) -> str:
    """The report as one SARIF log (`docs`: each rule's page address)."""
    rules = sorted(RULES.values(), key=lambda r: r.code)
    index = {rule.code: n for n, rule in enumerate(rules)}
    notifications = [{"level": "error", "message": {"text": u["reason"]},
                      "locations": [{"physicalLocation": {"artifactLocation": _artifact(u["path"])}}]}
                     for u in report.unreadable]
    notifications += [{"level": "warning", "message": {"text": f"not read: {n['message']}"},
                       "locations": [_location(n)]} for n in report.not_read]
    document: dict[str, Any] = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kaniko-lsp", "version": __version__, "semanticVersion": __version__,
                "informationUri": docs.get("", ""),
                "rules": [{"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
                           "fullDescription": {"text": r.summary}, "helpUri": docs[r.code],
                           "help": {"text": f"{r.summary}. See {docs[r.code]}"},
                           "defaultConfiguration": {"level": _LEVELS[r.severity.value]}} for r in rules],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": report.base.as_uri().rstrip("/") + "/"}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "columnKind": "utf16CodeUnits",
            "results": [{
                "ruleId": f["rule"],
                "ruleIndex": index[f["rule"]],
                "level": _LEVELS[f["severity"]],
                "message": {"text": f["message"]},
                "locations": [_location(f)],
                "relatedLocations": [{"id": n, **_location(r, r["message"])} for n, r in enumerate(f["related"])],
                "fixes": [_fix(fix) for fix in f["fixes"]],
            } for f in report.findings],
        }],
    }
    if not document["runs"][0]["tool"]["driver"]["informationUri"]:
        del document["runs"][0]["tool"]["driver"]["informationUri"]
    return json.dumps(document, indent=2, ensure_ascii=False)
