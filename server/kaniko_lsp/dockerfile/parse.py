"""Reading a Dockerfile into stages and instructions, keeping exact positions.

Handles the `# escape=` directive, line continuations (with comments and blank lines inside), heredocs,
and leading indentation (Dockerfiles written by a Jenkins `writeFile` step are usually indented).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..text import Embedded, OffsetMap

_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NON_SPACE = re.compile(r"\S+")


@dataclass
class Heredoc:
    name: str
    body: Embedded


@dataclass
class Instruction:
    keyword: str
    arguments: Embedded
    """The text after the keyword, continuations joined into one line (positions still exact)."""
    start: int
    end: int
    """Offsets of the whole instruction in the Dockerfile text (keyword to end of last line)."""
    heredocs: list[Heredoc] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    """Comment lines directly above the instruction (for suppression pragmas)."""


@dataclass
class Stage:
    base: str
    name: str | None
    index: int
    instructions: list[Instruction] = field(default_factory=list)


@dataclass
class Dockerfile:
    source: Embedded
    stages: list[Stage]
    preamble: list[Instruction]
    escape: str = "\\"

    def stage(self, target: str | None) -> Stage | None:
        """The stage a build produces: `--target` when given, else the last stage."""
        if not self.stages:
            return None
        if target:
            match = next((s for s in self.stages if s.name and s.name.lower() == target.lower()), None)
            if match is not None:
                return match
        return self.stages[-1]


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each line, end excluding the line break."""
    spans = []
    start = 0
    if "\r" not in text:  # only LF line breaks: split at them
        for line in text.split("\n"):
            spans.append((start, start + len(line)))
            start += len(line) + 1
        if len(spans) > 1 and text.endswith("\n"):
            spans.pop()
        return spans
    for match in _LINE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text) or not spans:
        spans.append((start, len(text)))
    return spans


def parse(source: Embedded) -> Dockerfile:
    """Reads `source` as a Dockerfile; never raises (unknown lines become instructions as written)."""
    text = source.text
    lines = _lines(text)
    contents = [text[start:end] for start, end in lines]
    escape = "\\"
    for content in contents:
        match = _DIRECTIVE.match(content.strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            escape = match.group(2)
    instructions: list[Instruction] = []
    comments: list[str] = []
    k, count = 0, len(lines)
    while k < count:
        line = contents[k]
        stripped = line.strip()
        if not stripped or stripped[0] == "#":
            if stripped:
                comments.append(stripped)
            k += 1
            continue
        start, end = lines[k]
        indent = len(line) - len(line.lstrip())
        first = start + indent
        keyword = _NON_SPACE.match(line, indent)
        keyword_end = start + (keyword.end() if keyword else indent)
        pieces: list[tuple[int, int]] = []
        piece_start, last_end = keyword_end, end
        while True:
            body = text[piece_start:end].rstrip()
            continued = body.endswith(escape)
            pieces.append((piece_start, piece_start + len(body) - 1 if continued else end))
            last_end = end
            k += 1
            if not continued:
                break
            while k < count and (not (following := contents[k].strip()) or following[0] == "#"):
                k += 1
            if k >= count:
                break
            piece_start, end = lines[k]
        arguments = source.slice(*pieces[0]) if len(pieces) == 1 else _join(source, pieces)
        instruction = Instruction(text[first:keyword_end].upper(), arguments, first, last_end,
                                  comments=comments)
        comments = []
        if "<<" in arguments.text:
            k = _read_heredocs(source, lines, k, instruction)
        instructions.append(instruction)
    return _stages(source, instructions, escape)


def _read_heredocs(source: Embedded, lines: list[tuple[int, int]], k: int, instruction: Instruction) -> int:
    """Attaches the here-documents an instruction opens (its bodies start at line `k`); returns the
    line after the last one."""
    text = source.text
    for heredoc in _HEREDOC.finditer(instruction.arguments.text):
        strip_tabs, name = heredoc.group(1) == "-", heredoc.group(3)
        body_start = lines[k][0] if k < len(lines) else len(text)
        body_end = body_start
        while k < len(lines):
            line_start, line_end = lines[k]
            k += 1
            content = text[line_start:line_end]
            if (content.lstrip("\t") if strip_tabs else content) == name:
                instruction.end = line_end
                break
            body_end = line_end
        instruction.heredocs.append(Heredoc(name, source.slice(body_start, max(body_start, body_end))))
    return k


def _join(source: Embedded, pieces: list[tuple[int, int]]) -> Embedded:
    """Joins continuation pieces with a single space standing where each line break was."""
    text = " ".join(source.text[start:end] for start, end in pieces)
    if source.offsets is None:  # the whole file: a run for each piece and each separator
        starts, bases, steps = [], [], []
        at = 0
        for n, (start, end) in enumerate(pieces):
            if n:
                starts.append(at)
                bases.append(start)
                steps.append(0)
                at += 1
            starts.append(at)
            bases.append(start)
            steps.append(1)
            at += end - start
        starts.append(at)
        bases.append(pieces[-1][1])
        steps.append(0)
        return Embedded(text, source.path, source.host, OffsetMap(starts, bases, steps, at + 1))
    offsets: list[Sequence[int]] = []
    for n, (start, end) in enumerate(pieces):
        if n:
            offsets.append((source.host_offset(start),))
        offsets.append(source.host_offsets(start, end))
    offsets.append((source.host_offset(pieces[-1][1]),))
    return Embedded(text, source.path, source.host, OffsetMap.join(offsets))


def _stages(source: Embedded, instructions: list[Instruction], escape: str) -> Dockerfile:
    stages: list[Stage] = []
    preamble: list[Instruction] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.text.split() if not w.startswith("--")]
            base = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(base, name, len(stages)))
        if stages:
            stages[-1].instructions.append(instruction)
        else:
            preamble.append(instruction)
    return Dockerfile(source, stages, preamble, escape)
