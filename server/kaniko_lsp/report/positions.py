"""Converting internal positions (code points) to UTF-16 columns for files on disk or in buffers."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Position, Range
from ..text import LineIndex, encode_character


class PositionEncoder:
    """Encodes ranges of workspace files in a given column unit, indexing each text once (a file whose
    text changed is indexed again)."""

    def __init__(self, read: Callable[[str], str | None], encoding: str = "utf-16") -> None:
        self.read = read
        self.encoding = encoding
        self.indexes: dict[str, LineIndex] = {}
        self.ascii: dict[str, bool] = {}

    def _index(self, path: str) -> LineIndex | None:
        text = self.read(path)
        if text is None:
            return None
        index = self.indexes.get(path)
        if index is None or index.text is not text:
            index = self.indexes[path] = LineIndex(text)
            self.ascii[path] = text.isascii()
        return index

    def position(self, path: str, position: Position) -> Position:
        index = self._index(path)
        if index is None or self.ascii[path]:
            return position  # every column unit counts an ASCII character as one
        start = index.starts[min(position.line, len(index.starts) - 1)]
        prefix = index.text[start:start + position.character]
        return Position(position.line, encode_character(prefix, position.character, self.encoding))

    def range(self, path: str, range_: Range) -> Range:
        return Range(self.position(path, range_.start), self.position(path, range_.end))
