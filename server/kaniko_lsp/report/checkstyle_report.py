"""`--format checkstyle`: Checkstyle XML, read by Jenkins' Warnings Next Generation plugin and many CI tools."""

from __future__ import annotations

from .output import Report


def render(report: Report) -> str:
    from xml.sax.saxutils import quoteattr  # imported here: it loads urllib and ssl, 20 ms of every run

    files: dict[str, list[str]] = {}
    for f in report.findings:
        start = f["range"]["start"]
        files.setdefault(f["path"], []).append(
            f"    <error line=\"{start['line'] + 1}\" column=\"{start['character'] + 1}\" "
            f"severity={quoteattr(f['severity'])} message={quoteattr(f['message'])} "
            f"source={quoteattr('kaniko-lsp.' + f['rule'])}/>")
    for u in report.unreadable:
        files.setdefault(u["path"], []).append(
            f"    <error line=\"1\" severity=\"error\" message={quoteattr(u['reason'])} "
            "source=\"kaniko-lsp.not-read\"/>")
    body = "".join(f"  <file name={quoteattr(path)}>\n" + "\n".join(errors) + "\n  </file>\n"
                   for path, errors in files.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<checkstyle version="4.3">\n{body}</checkstyle>'
