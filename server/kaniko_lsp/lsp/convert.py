"""Translating findings and fixes into LSP diagnostics and code actions (and back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path

from ..model import Finding, Fix, Location, Range, Severity
from ..report.positions import PositionEncoder
from ..rules import RULES

SOURCE = "kaniko-lsp"
SOURCE_FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.kaniko"
_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


class Converter:
    """Converts one analysis result for one workspace root into the client's terms."""

    def __init__(self, root: Path, encoder: PositionEncoder, docs_base_url: str = "") -> None:
        self.root = root
        self.encoder = encoder
        self.docs_base_url = docs_base_url

    def uri(self, path: str) -> str:
        return from_fs_path(str(self.root / path)) or ""

    def range(self, path: str, range_: Range) -> types.Range:
        encoded = self.encoder.range(path, range_)
        return types.Range(start=types.Position(line=encoded.start.line, character=encoded.start.character),
                           end=types.Position(line=encoded.end.line, character=encoded.end.character))

    def edit(self, fix: Fix) -> types.WorkspaceEdit:
        changes: dict[str, list[types.TextEdit]] = {}
        for edit in fix.edits:
            text_edit = types.TextEdit(range=self.range(edit.path, edit.range), new_text=edit.new_text)
            edits = changes.setdefault(self.uri(edit.path), [])
            if text_edit not in edits:
                edits.append(text_edit)
        return types.WorkspaceEdit(changes=changes)

    def diagnostic(self, finding: Finding) -> types.Diagnostic:
        rule = RULES.get(finding.rule)
        data: dict[str, Any] = {
            "rule": finding.rule,
            "fixes": [{"title": fix.title,
                       "edit": _json_edit(self.edit(fix))} for fix in finding.fixes],
        }
        return types.Diagnostic(
            range=self.range(finding.location.path, finding.location.range),
            message=finding.message,
            severity=_SEVERITIES[finding.severity],
            code=finding.rule,
            code_description=types.CodeDescription(href=rule.url(self.docs_base_url)) if rule else None,
            source=SOURCE,
            related_information=[
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=self.uri(r.location.path),
                                            range=self.range(r.location.path, r.location.range)),
                    message=r.message)
                for r in finding.related
            ],
            data=data,
        )


    def not_read(self, location: Location, message: str) -> types.Diagnostic:
        """A place the reader had to skip, shown so that users know it was not analyzed."""
        return types.Diagnostic(range=self.range(location.path, location.range),
                                message=f"kaniko-lsp could not read this: {message.removeprefix('not read: ')}",
                                severity=types.DiagnosticSeverity.Information, source=SOURCE)


def _json_edit(edit: types.WorkspaceEdit) -> dict[str, Any]:
    return {uri: [{"range": {"start": {"line": e.range.start.line, "character": e.range.start.character},
                             "end": {"line": e.range.end.line, "character": e.range.end.character}},
                   "newText": e.new_text} for e in edits]
            for uri, edits in (edit.changes or {}).items()}


def edit_from_json(data: Any) -> types.WorkspaceEdit | None:
    """The workspace edit stored in a diagnostic's `data`, None when it is not ours or malformed."""
    try:
        changes = {uri: [types.TextEdit(range=_range(e["range"]), new_text=e["newText"]) for e in edits]
                   for uri, edits in data.items()}
    except (AttributeError, KeyError, TypeError):
        return None
    return types.WorkspaceEdit(changes=changes)


def _range(data: dict[str, Any]) -> types.Range:
    return types.Range(start=types.Position(**data["start"]), end=types.Position(**data["end"]))


def merge_edits(edits: list[types.WorkspaceEdit]) -> types.WorkspaceEdit:
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        for uri, text_edits in (edit.changes or {}).items():
            merged = changes.setdefault(uri, [])
            merged.extend(e for e in text_edits if e not in merged)
    return types.WorkspaceEdit(changes=changes)
