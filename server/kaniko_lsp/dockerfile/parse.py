"""Reading a Dockerfile into stages and instructions, keeping exact positions.

Handles the `# escape=` directive, line continuations (with comments and blank lines inside), heredocs,
and leading indentation (Dockerfiles written by a Jenkins `writeFile` step are usually indented).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..text import Embedded

_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")


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
    for match in re.finditer(r"[^\r\n]*(\r\n|\r|\n|$)", text):
        if match.start() == len(text) and spans:
            break
        spans.append((match.start(), match.end() - len(match.group(1))))
    return spans


def parse(source: Embedded) -> Dockerfile:
    """Reads `source` as a Dockerfile; never raises (unknown lines become instructions as written)."""
    text = source.text
    lines = _lines(text)
    escape = "\\"
    for start, end in lines:
        match = _DIRECTIVE.match(text[start:end].strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            escape = match.group(2)
    instructions: list[Instruction] = []
    comments: list[str] = []
    k = 0
    while k < len(lines):
        start, end = lines[k]
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            k += 1
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
            k += 1
            continue
        first = start + len(line) - len(line.lstrip())
        match = re.match(r"\S+", text[first:end])
        keyword_end = first + (match.end() if match else 0)
        pieces: list[tuple[int, int]] = []
        piece_start, last_end = keyword_end, end
        while True:
            body_end = end
            continued = text[piece_start:body_end].rstrip().endswith(escape)
            if continued:
                body_end = piece_start + len(text[piece_start:body_end].rstrip()) - 1
            pieces.append((piece_start, body_end))
            last_end = end
            k += 1
            if not continued:
                break
            while k < len(lines) and (not text[lines[k][0]:lines[k][1]].strip()
                                      or text[lines[k][0]:lines[k][1]].strip().startswith("#")):
                k += 1
            if k >= len(lines):
                break
            start, end = lines[k]
            piece_start = start
        arguments = _join(source, pieces)
        instruction = Instruction(text[first:keyword_end].upper(), arguments, first, last_end,
                                  comments=comments)
        comments = []
        for heredoc in _HEREDOC.finditer(arguments.text):
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
        instructions.append(instruction)
    return _stages(source, instructions, escape)


def _join(source: Embedded, pieces: list[tuple[int, int]]) -> Embedded:
    """Joins continuation pieces with a single space standing where each line break was."""
    text: list[str] = []
    offsets: list[int] = []
    for n, (start, end) in enumerate(pieces):
        if n:
            text.append(" ")
            offsets.append(source.host_offset(start))
        text.append(source.text[start:end])
        offsets.extend(source.host_offset(i) for i in range(start, end))
    last = pieces[-1][1] if pieces else 0
    offsets.append(source.host_offset(last))
    return Embedded("".join(text), source.path, source.host, offsets)


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
