"""`--format text`: one line per finding, `path:line:col: severity KLxxx message` (1-based), like
compilers; `[*]` marks what `--fix` repairs; a summary with the rule pages ends the output."""

from __future__ import annotations

from collections import Counter

from .output import Report

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "note": "\033[2m", "path": "\033[1m"}
_RESET = "\033[0m"


def render(report: Report, colour: bool = False, summary: bool = True) -> str:
    def paint(kind: str, text: str) -> str:
        return f"{_COLOURS[kind]}{text}{_RESET}" if colour else text

    lines = []
    notes = [(n["path"], n["range"]["start"]["line"], n["range"]["start"]["character"], "note", n) for n in
             report.not_read]
    entries = [(f["path"], f["range"]["start"]["line"], f["range"]["start"]["character"], "finding", f)
               for f in report.findings]
    for path, line, character, kind, item in sorted(entries + notes, key=lambda e: e[:3]):
        place = paint("path", f"{path}:{line + 1}:{character + 1}:")
        if kind == "note":
            lines.append(f"{place} {paint('note', 'note: not read: ' + item['message'])}")
            continue
        fixable = " [*]" if item["fixes"] else ""
        lines.append(f"{place} {paint(item['severity'], item['severity'])} {item['rule']}{fixable} {item['message']}")
    for unreadable in report.unreadable:
        lines.append(f"{paint('path', unreadable['path'] + ':')} {paint('error', 'error')} {unreadable['reason']}")
    if summary and (report.findings or report.unreadable or report.not_read):
        lines.append("")
        lines.append(_summary(report))
        for rule, url in sorted({(f["rule"], f["url"]) for f in report.findings}):
            lines.append(f"  {rule}: {url}")
    return "\n".join(lines)


def _summary(report: Report) -> str:
    counts = Counter(f["severity"] for f in report.findings)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in ("error", "warning", "info")
             if counts[s]]
    if report.unreadable:
        parts.append(f"{len(report.unreadable)} file{'s' if len(report.unreadable) != 1 else ''} not read")
    if report.not_read:
        parts.append(f"{len(report.not_read)} place{'s' if len(report.not_read) != 1 else ''} not read")
    fixable = sum(1 for f in report.findings if f["fixes"])
    found = ", ".join(parts) if parts else "no findings"
    return f"Found {found}" + (f" ({fixable} fixable with --fix)." if fixable else ".")


def statistics(report: Report) -> str:
    counts = Counter(f["rule"] for f in report.findings)
    fixable = Counter(f["rule"] for f in report.findings if f["fixes"])
    return "\n".join(f"{count:5d}  {rule}  {'[*] ' if fixable[rule] else '    '}{_names().get(rule, '')}"
                     for rule, count in sorted(counts.items(), key=lambda i: (-i[1], i[0])))


def _names() -> dict[str, str]:
    from ..rules import RULES

    return {code: rule.name for code, rule in RULES.items()}
