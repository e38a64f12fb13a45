"""The text of open documents, kept by the server itself.

Documents are keyed by the URI exactly as the client sent it (escapes included), so that diagnostics go
back to that URI and a buffer in a folder whose name holds `%`, `#` or a space is found again. Changes
are applied with LSP's line breaks (`\\n`, `\\r\\n`, `\\r` only: not the other characters `str.splitlines`
breaks at) and columns in the negotiated position encoding; positions past a line's end or the
document's end are clamped to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from lsprotocol import types

from ..text import LineIndex, decode_character

log = logging.getLogger(__name__)


@dataclass
class OpenDocument:
    uri: str
    text: str
    version: int | None


def _offset(index: LineIndex, position: types.Position, encoding: str) -> int:
    if position.line >= len(index.starts):
        return len(index.text)
    start = index.starts[position.line]
    end = index.starts[position.line + 1] if position.line + 1 < len(index.starts) else len(index.text)
    line = index.text[start:end].rstrip("\r\n")
    return start + decode_character(line, position.character, encoding)


def apply_change(text: str, change: types.TextDocumentContentChangeEvent, encoding: str) -> str:
    """`text` after one content change (a whole new text, or a range replaced)."""
    if isinstance(change, types.TextDocumentContentChangeWholeDocument):
        return change.text
    index = LineIndex(text)
    start = _offset(index, change.range.start, encoding)
    end = max(start, _offset(index, change.range.end, encoding))
    return text[:start] + change.text + text[end:]


class Documents:
    """Open documents by the client's URI."""

    def __init__(self) -> None:
        self.open: dict[str, OpenDocument] = {}

    def __contains__(self, uri: object) -> bool:
        return uri in self.open

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.open))

    def get(self, uri: str) -> OpenDocument | None:
        return self.open.get(uri)

    def did_open(self, item: types.TextDocumentItem) -> None:
        self.open[item.uri] = OpenDocument(item.uri, item.text, item.version)

    def did_change(self, params: types.DidChangeTextDocumentParams, encoding: str) -> bool:
        """Applies the changes; False (and a log line) for a document that is not open."""
        document = self.open.get(params.text_document.uri)
        if document is None:
            log.warning("change of %s ignored: the document is not open", params.text_document.uri)
            return False
        for change in params.content_changes:
            document.text = apply_change(document.text, change, encoding)
        document.version = params.text_document.version
        return True

    def did_close(self, uri: str) -> bool:
        return self.open.pop(uri, None) is not None
