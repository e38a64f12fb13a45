"""`--format github`: GitHub Actions workflow commands, which annotate the lines in a pull request."""

from __future__ import annotations

from .output import Report

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        start, end = f["range"]["start"], f["range"]["end"]
        properties = (f"file={_property(f['path'])},line={start['line'] + 1},col={start['character'] + 1},"
                      f"endLine={end['line'] + 1},endColumn={end['character'] + 1},"
                      f"title={_property(f['rule'] + ' ' + f['url'])}")
        lines.append(f"::{_COMMANDS[f['severity']]} {properties}::{_data(f['rule'] + ' ' + f['message'])}")
    for n in report.not_read:
        start = n["range"]["start"]
        lines.append(f"::warning file={_property(n['path'])},line={start['line'] + 1},col={start['character'] + 1}"
                     f",title=kaniko-lsp::{_data('not read: ' + n['message'])}")
    for u in report.unreadable:
        lines.append(f"::error file={_property(u['path'])},title=kaniko-lsp::{_data(u['reason'])}")
    return "\n".join(lines)
