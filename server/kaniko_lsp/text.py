"""Source text helpers: offsets to positions, and text embedded in another file."""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

from .model import Location, Position, Range

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

BYTEWISE = "kaniko-lsp-bytewise"
"""Decoding error handler: one U+FFFD per undecodable byte, so that the text lines up character for
character with the same bytes decoded with `surrogateescape` (what `--fix` writes back)."""


def _bytewise(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "\ufffd" * (error.end - error.start), error.end


codecs.register_error(BYTEWISE, _bytewise)


_LONE_CR = re.compile(r"\r(?!\n)")


def decode(data: bytes) -> str:
    """File content as the analysis reads it: UTF-8, each undecodable byte one U+FFFD, lone CRs as LFs."""
    return lone_cr_as_lf(data.decode("utf-8", errors=BYTEWISE))


def lone_cr_as_lf(text: str) -> str:
    """`text` with each CR that ends a line alone (old Mac line ends) read as LF: the readers split lines
    at LF, and since one character replaces one, every offset and LSP position stays the same."""
    return _LONE_CR.sub("\n", text) if "\r" in text else text


class LineIndex:
    """Maps string offsets to (line, character) and back; `\\n`, `\\r\\n` and `\\r` end lines."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def starts(self) -> list[int]:
        """Offset of each line's first character (found on first use: most files need no position)."""
        return [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]

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
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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


class OffsetMap(Sequence[int]):
    """Host-file offsets of the characters of an embedded text, stored as runs instead of one integer per
    character: run k starts at index `starts[k]` and maps index i to `bases[k] + (i - starts[k]) * steps[k]`
    (step 1 for text copied from the host, 0 for characters that all point at one place)."""

    __slots__ = ("bases", "length", "starts", "steps")

    def __init__(self, starts: list[int], bases: list[int], steps: list[int], length: int) -> None:
        self.starts, self.bases, self.steps, self.length = starts, bases, steps, length

    @staticmethod
    def join(parts: Iterable[Sequence[int]]) -> OffsetMap:
        """The concatenation of offset sequences (ranges, lists or maps), merging adjacent runs."""
        starts: list[int] = []
        bases: list[int] = []
        steps: list[int] = []
        length = 0

        def add(base: int, step: int, count: int) -> None:
            nonlocal length
            if count <= 0:
                return
            if starts:
                last = len(starts) - 1
                run = length - starts[last]
                if steps[last] == step and bases[last] + run * step == base:
                    length += count
                    return
                difference = base - bases[last]
                if run == 1 and difference in (0, 1) and (count == 1 or difference == step):
                    steps[last] = difference
                    length += count
                    return
            starts.append(length)
            bases.append(base)
            steps.append(step)
            length += count

        for part in parts:
            if isinstance(part, range) and part.step == 1:
                add(part.start, 1, len(part))
            elif isinstance(part, OffsetMap):
                for k, start in enumerate(part.starts):
                    end = part.starts[k + 1] if k + 1 < len(part.starts) else part.length
                    add(part.bases[k], part.steps[k], end - start)
            else:
                for value in part:
                    add(value, 1, 1)
        return OffsetMap(starts, bases, steps, length)

    @staticmethod
    def constant(offset: int, count: int) -> OffsetMap:
        return OffsetMap([0], [offset], [0], count) if count > 0 else OffsetMap([], [], [], 0)

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> OffsetMap: ...

    def __getitem__(self, index: int | slice) -> int | OffsetMap:
        if isinstance(index, slice):
            start, stop, _ = index.indices(self.length)
            return self._slice(start, max(start, stop))
        if index < 0:
            index += self.length
        if not 0 <= index < self.length:
            raise IndexError(index)
        k = bisect.bisect_right(self.starts, index) - 1
        return self.bases[k] + (index - self.starts[k]) * self.steps[k]

    def _slice(self, start: int, stop: int) -> OffsetMap:
        if start >= stop:
            return OffsetMap([], [], [], 0)
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, stop - 1) - 1
        starts = [max(s, start) - start for s in self.starts[first:last + 1]]
        bases = [self.bases[k] + (max(self.starts[k], start) - self.starts[k]) * self.steps[k]
                 for k in range(first, last + 1)]
        return OffsetMap(starts, bases, self.steps[first:last + 1], stop - start)

    def __iter__(self) -> Iterator[int]:
        for k, start in enumerate(self.starts):
            end = self.starts[k + 1] if k + 1 < len(self.starts) else self.length
            base, step = self.bases[k], self.steps[k]
            yield from (base + i * step for i in range(end - start))


@dataclass(unsafe_hash=True)
class Embedded:
    """A piece of text (a decoded string literal, a file) with the file offset of each character.

    `offsets[i]` is the offset in the host file of `text[i]`; `offsets[len(text)]` is the offset
    just past the last character. `offsets is None` means the text is the whole host file. Never changed
    once built (hashable, but not frozen: a frozen dataclass is built several times slower, and reading
    a Dockerfile builds one per instruction).
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

    def host_offsets(self, start: int = 0, end: int | None = None) -> Sequence[int]:
        """Host offsets of `text[start:end]` (one past the text's end is `len(text)`)."""
        end = len(self.text) + 1 if end is None else end
        return range(start, end) if self.offsets is None else self.offsets[start:end]

    def __add__(self, other: Embedded) -> Embedded:
        """This text followed by `other` (which must come from the same host file)."""
        offsets = OffsetMap.join([self.host_offsets(0, len(self.text)), other.host_offsets()])
        return Embedded(self.text + other.text, self.path, self.host, offsets)

    @staticmethod
    def at(text: str, path: str, host: LineIndex, offset: int) -> Embedded:
        """Text that is not in the host file as written (an escape's result, a separator), placed at `offset`."""
        return Embedded(text, path, host, OffsetMap.constant(offset, len(text) + 1))
