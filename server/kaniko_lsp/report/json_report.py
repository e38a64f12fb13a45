"""`--format json`: one JSON object, positions 0-based in UTF-16 code units."""

from __future__ import annotations

import json
from typing import Any

from .output import Report

JSON_VERSION = 1


def render(report: Report) -> str:
    document: dict[str, Any] = {"version": JSON_VERSION, "findings": [
        {key: value for key, value in finding.items() if key != "url"} for finding in report.findings]}
    if report.unreadable:
        document["unreadable"] = report.unreadable
    if report.not_read:
        document["notRead"] = report.not_read
    return json.dumps(document, indent=2, ensure_ascii=False)
