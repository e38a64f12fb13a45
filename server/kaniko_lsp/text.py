"""Source text helpers: offsets to positions, and text embedded in another file."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Location, Position, Range

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps string offsets to (line, character) and back; `\\n`, `\\r\\n` and `\\r` end lines."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def offset(self, position: Position) -> int:
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        return min(start + position.character, self.line_end(position.line))

    def line_end(self, line: int) -> int:
        """Offset of the end of `line`, before its line break."""
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        while end > self.starts[line] and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def line_text(self, line: int) -> str:
        if line >= len(self.starts):
            return ""
        return self.text[self.starts[line] : self.line_end(line)]

    def range(self, start: int, end: int) -> Range:
        return Range(self.position(start), self.position(end))

    @property
    def newline(self) -> str:
        """The file's first line break, `\\n` when it has none."""
        i = self.text.find("\n")
        return "\r\n" if i > 0 and self.text[i - 1] == "\r" else "\n"


def utf16_length(text: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def encode_character(line_text: str, character: int, encoding: str = "utf-16") -> int:
    """Converts a code-point column to the column unit of `encoding` (utf-8, utf-16 or utf-32)."""
    prefix = line_text[:character]
    if encoding == "utf-32":
        return len(prefix)
    if encoding == "utf-8":
        return len(prefix.encode("utf-8", "surrogatepass"))
    return utf16_length(prefix)


def decode_character(line_text: str, column: int, encoding: str = "utf-16") -> int:
    """Converts a column in `encoding` units to a code-point column (clamped to the line)."""
    if encoding == "utf-32":
        return min(column, len(line_text))
    units = 0
    for i, c in enumerate(line_text):
        if units >= column:
            return i
        if encoding == "utf-8":
            units += len(c.encode("utf-8", "surrogatepass"))
        else:
            units += 2 if ord(c) > 0xFFFF else 1
    return len(line_text)


@dataclass(frozen=True)
class Embedded:
    """A piece of text (a decoded string literal, a file) with the file offset of each character.

    `offsets[i]` is the offset in the host file of `text[i]`; `offsets[len(text)]` is the offset
    just past the last character. `offsets is None` means the text is the whole host file.
    """

    text: str
    path: str
    host: LineIndex
    offsets: Sequence[int] | None = None

    @staticmethod
    def whole(path: str, text: str, host: LineIndex | None = None) -> Embedded:
        return Embedded(text, path, host or LineIndex(text))

    def host_offset(self, index: int) -> int:
        index = max(0, min(index, len(self.text)))
        return index if self.offsets is None else self.offsets[index]

    def host_end(self, end: int) -> int:
        """Host offset just past `text[end - 1]` (keeps ranges tight around escapes)."""
        if end <= 0 or self.offsets is None:
            return self.host_offset(end)
        return self.offsets[end - 1] + 1 if end - 1 < len(self.text) else self.offsets[-1]

    def location(self, start: int, end: int) -> Location:
        s = self.host_offset(start)
        e = max(s, self.host_end(end))
        return Location(self.path, self.host.range(s, e))

    def slice(self, start: int, end: int) -> Embedded:
        offsets = range(start, end + 1) if self.offsets is None else self.offsets[start:end + 1]
        return Embedded(self.text[start:end], self.path, self.host, offsets)
