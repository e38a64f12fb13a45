"""`--format gitlab`: a GitLab Code Quality report (a JSON array of issues)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .output import Report

_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(report: Report) -> str:
    issues: list[dict[str, Any]] = []
    for f in report.findings:
        start, end = f["range"]["start"], f["range"]["end"]
        identity = f"{f['rule']}\0{f['path']}\0{start['line']}\0{start['character']}\0{f['message']}"
        issues.append({
            "type": "issue", "check_name": f["rule"], "description": f"{f['rule']} {f['message']}",
            "categories": ["Bug Risk"], "severity": _SEVERITIES[f["severity"]],
            "fingerprint": hashlib.sha256(identity.encode("utf-8")).hexdigest(),
            "location": {"path": f["path"], "positions": {
                "begin": {"line": start["line"] + 1, "column": start["character"] + 1},
                "end": {"line": end["line"] + 1, "column": end["character"] + 1}}},
        })
    for u in report.unreadable:
        issues.append({"type": "issue", "check_name": "not-read", "description": u["reason"],
                       "categories": ["Bug Risk"], "severity": "major",
                       "fingerprint": hashlib.sha256(f"not-read\0{u['path']}".encode()).hexdigest(),
                       "location": {"path": u["path"], "lines": {"begin": 1}}})
    return json.dumps(issues, indent=2, ensure_ascii=False)
