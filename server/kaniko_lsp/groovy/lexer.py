"""A tolerant Groovy tokenizer: never raises, records what it could not read as syntax problems.

Strings are decoded (escapes applied) and keep the file offset of every character, so text embedded
in a Jenkinsfile (pod YAML, a Dockerfile, a shell script) maps back to exact file positions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ..text import OffsetMap

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "\\": "\\", "'": "'", '"': '"',
            "$": "$", "/": "/"}
_OPERATORS = sorted(
    ["?.", "?:", "->", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*.", "..",
     "<<", ">>", "=~", "==~", "**", "::", ".&", "...", "..<",
     "{", "}", "(", ")", "[", "]", ",", ":", ";", ".", "=", "+", "-", "*", "/", "%", "!", "?",
     "<", ">", "&", "|", "^", "~", "@"],
    key=len, reverse=True,
)


class Kind(enum.Enum):
    IDENT = "identifier"
    NUMBER = "number"
    STRING = "string"
    OP = "operator"
    NEWLINE = "newline"
    EOF = "end of file"


class Interpolation(NamedTuple):
    """A `${expr}` or `$name` inside a GString: `start`/`end` index the decoded value."""

    start: int
    end: int
    expression: str


@dataclass(slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    value: str = ""
    offsets: Sequence[int] = field(default_factory=list)
    interpolations: list[Interpolation] | None = field(default_factory=list)
    """None when not computed yet: `find_interpolations(value)` gives them."""
    quote: str = ""

    @staticmethod
    def plain(kind: Kind, text: str, start: int, end: int) -> Token:
        """A token that is not a string (no offsets or interpolations to allocate)."""
        return Token(kind, text, start, end, "", _NO_OFFSETS, _NO_INTERPOLATIONS)


class Problem(NamedTuple):
    message: str
    start: int
    end: int


@dataclass
class Lexed:
    tokens: list[Token]
    problems: list[Problem]


def _is_ident_start(c: str) -> bool:
    return c.isalpha() or c in "_$"


def _is_ident_part(c: str) -> bool:
    return c.isalnum() or c in "_$"


_VALUE_END = {Kind.IDENT, Kind.NUMBER, Kind.STRING}
_NO_OFFSETS: list[int] = []
_NO_INTERPOLATIONS: list[Interpolation] = []
_MASTER = re.compile(  # ordered by how often each kind occurs in Jenkinsfiles
    r"[ \t\f\ufeff]*(?://[^\r\n]*)?(?:"  # blanks and a line comment are skipped
    r"(?P<ident>(?:[^\W\d]|\$(?!/))[\w$]*)"
    r"|(?P<single>'[^'\\\r\n]*')(?!')"
    r'|(?P<double>"[^"\\\r\n$]*")(?!")'
    r"""|(?P<quote>'''|\"\"\"|['"])"""
    r"|(?P<newline>\r\n|[\r\n])"
    r"|(?P<op>[{}()\[\],;@~^]|\?[.:]?|->|--|-=?|==~|==?|=~|!=?|<=|>=|<<|>>|[<>]|&&?|\|\|?|\+[+=]?|\*[.*]?"
    r"|\.\.[<.]?|\.&?|::?|%)"
    r"|(?P<block_comment>/\*)"
    r"|(?P<dollar_slashy>\$/)"
    r"|(?P<slash>/)"
    r"|(?P<number>\d\w*(?:\.\d\w*)*)"
    r"|(?P<continuation>\\(?:\r\n|\r|\n))"
    r"|(?P<blank>\Z))"
)
_BLANKS = re.compile(r"[ \t\f\ufeff]*")
_KINDS = {"ident": Kind.IDENT, "op": Kind.OP, "number": Kind.NUMBER, "newline": Kind.NEWLINE}
_PLAIN_STRING = {
    "'": re.compile(r"([^'\\\r\n]*)'"),
    '"': re.compile(r'([^"\\\r\n]*)"'),
    "'''": re.compile(r"((?:[^'\\]|'(?!''))*)'''"),
    '"""': re.compile(r'((?:[^"\\]|"(?!""))*)"""'),
}
_SIMPLE_INTERPOLATION = re.compile(r"\$\{([^{}\"']*)\}|\$([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")
_ORDINARY = {
    "'": re.compile(r"[^'\\\r\n]*"), '"': re.compile(r'[^"\\$\r\n]*'), "'''": re.compile(r"[^'\\]*"),
    '"""': re.compile(r'[^"\\$]*'), "/": re.compile(r"[^/\\$]*"),
}


class _Lexer:
    def __init__(self, source: str) -> None:
        self.s = source
        self.n = len(source)
        self.i = 0
        self.tokens: list[Token] = []
        self.problems: list[Problem] = []

    def run(self) -> Lexed:
        s, n = self.s, self.n
        if s.startswith("#!"):
            self.i = s.find("\n") if "\n" in s else n
        tokens, master = self.tokens, _MASTER
        while self.i < n:
            match = master.match(s, self.i)
            if match is None:
                blanks = _BLANKS.match(s, self.i)
                at = blanks.end() if blanks is not None else self.i
                self.problems.append(Problem(f"unexpected character {s[at]!r}", at, at + 1))
                self.i = at + 1
                continue
            kind = match.lastgroup
            assert kind is not None  # every alternative of the pattern is a named group
            start, end = match.start(kind), match.end()
            self.i = start
            if kind in ("blank", "continuation"):
                self.i = end
            elif kind in _KINDS:
                self.i = end
                tokens.append(Token(_KINDS[kind], s[start:end], start, end, "", _NO_OFFSETS, _NO_INTERPOLATIONS))
            elif kind == "single" or kind == "double":
                self.i = end
                tokens.append(Token(Kind.STRING, s[start:end], start, end, s[start + 1:end - 1],
                                    range(start + 1, end), _NO_INTERPOLATIONS, s[start]))
            elif kind == "quote":
                text = match.group(kind)
                self._string(text, multiline=len(text) == 3)
            elif kind == "block_comment":
                self._block_comment()
            elif kind == "dollar_slashy":
                self._dollar_slashy()
            elif self._slash_starts_string():
                self._string("/", multiline=True)
            else:
                self.i = end
                tokens.append(Token.plain(Kind.OP, "/", start, end))
        tokens.append(Token(Kind.EOF, "", n, n))
        return Lexed(tokens, self.problems)

    def _block_comment(self) -> None:
        s, start = self.s, self.i
        end = s.find("*/", start + 2)
        if end < 0:
            self.problems.append(Problem("unterminated comment", start, start + 2))
            end = self.n
        else:
            end += 2
        newline = s.find("\n", start, end)
        if newline >= 0:
            self._add(Kind.NEWLINE, newline, newline + 1)
        self.i = end

    def _add(self, kind: Kind, start: int, end: int | None = None) -> Token:
        end = self.i if end is None else end
        token = Token.plain(kind, self.s[start:end], start, end)
        self.tokens.append(token)
        return token

    def _slash_starts_string(self) -> bool:
        prev = next((t for t in reversed(self.tokens) if t.kind is not Kind.NEWLINE), None)
        if prev is None:
            return True
        if prev.kind in _VALUE_END:
            return False
        return not (prev.kind is Kind.OP and prev.text in (")", "]", "}"))

    def _string(self, quote: str, multiline: bool) -> None:
        if quote in _PLAIN_STRING and self._plain_string(quote):
            return
        s, n = self.s, self.n
        start = self.i
        self.i += len(quote)
        gstring = quote[0] in "\"/"
        value: list[str] = []
        offsets: list[int] = []
        interpolations: list[Interpolation] = []
        closed = False
        ordinary = _ORDINARY[quote]
        while self.i < n:
            ordinary_run = ordinary.match(s, self.i)
            run = ordinary_run.end() if ordinary_run is not None else self.i
            if run > self.i:
                value.append(s[self.i:run])
                offsets.extend(range(self.i, run))
                self.i = run
                if self.i >= n:
                    break
            if s.startswith(quote, self.i):
                closed = True
                break
            c = s[self.i]
            if c in "\r\n" and not multiline:
                break
            if c == "\\":
                self._escape(quote, value, offsets)
                continue
            if c == "$" and gstring:
                self._interpolation(value, offsets, interpolations)
                continue
            value.append(c)
            offsets.append(self.i)
            self.i += 1
        if not closed:
            self.problems.append(Problem(f"unterminated string (missing {quote})", start, start + len(quote)))
            offsets.append(self.i)
        else:
            offsets.append(self.i)
            self.i += len(quote)
        token = self._add(Kind.STRING, start)
        token.value = "".join(value)
        token.offsets = OffsetMap.join([offsets])
        token.interpolations = interpolations
        token.quote = quote

    def _plain_string(self, quote: str) -> bool:
        """Reads a string without escapes in one step; False when the careful reader is needed."""
        s, start = self.s, self.i
        content_start = start + len(quote)
        match = _PLAIN_STRING[quote].match(s, content_start)
        if match is None:
            return False
        content = match.group(1)
        interpolations: list[Interpolation] | None = _NO_INTERPOLATIONS
        if quote[0] == '"' and "$" in content:
            if content.count("${") > content.count("}"):
                return False
            interpolations = None
        end = match.end()
        offsets = range(content_start, content_start + len(content) + 1)
        self.tokens.append(Token(Kind.STRING, s[start:end], start, end, content, offsets, interpolations, quote))
        self.i = end
        return True

    def _escape(self, quote: str, value: list[str], offsets: list[int]) -> None:
        s = self.s
        at = self.i
        nxt = s[at + 1] if at + 1 < self.n else ""
        if quote == "/":
            if nxt == "/":
                value.append("/")
                offsets.append(at)
                self.i += 2
            else:
                value.append("\\")
                offsets.append(at)
                self.i += 1
            return
        if nxt in "\r\n":
            self.i += 3 if s.startswith("\r\n", at + 1) else 2
            return
        if nxt == "u" and len(s) >= at + 6:
            try:
                value.append(chr(int(s[at + 2:at + 6], 16)))
                offsets.append(at)
                self.i += 6
                return
            except ValueError:
                pass
        if nxt in _ESCAPES:
            value.append(_ESCAPES[nxt])
            offsets.append(at)
            self.i += 2
            return
        value.append("\\")
        offsets.append(at)
        self.i += 1

    def _interpolation(self, value: list[str], offsets: list[int], found: list[Interpolation]) -> None:
        s, at = self.s, self.i
        if s.startswith("${", at):
            depth, k, limit = 0, at + 1, min(self.n, at + 500)
            while k < limit:
                if s[k] == "{":
                    depth += 1
                elif s[k] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            if k >= limit:
                value.append("$")
                offsets.append(at)
                self.i += 1
                return
            end = k + 1
            expression = s[at + 2:end - 1].strip()
        else:
            k = at + 1
            if k < self.n and _is_ident_start(s[k]) and s[k] != "$":
                while k < self.n and (_is_ident_part(s[k]) or (s[k] == "." and k + 1 < self.n
                                                                and _is_ident_start(s[k + 1]))):
                    k += 1
            end = k
            expression = s[at + 1:end]
        if not expression:
            value.append("$")
            offsets.append(at)
            self.i += 1
            return
        begin = len(offsets)
        value.append(s[at:end])
        offsets.extend(range(at, end))
        found.append(Interpolation(begin, len(offsets), expression))
        self.i = end

    def _dollar_slashy(self) -> None:
        s, n = self.s, self.n
        start = self.i
        self.i += 2
        value: list[str] = []
        offsets: list[int] = []
        interpolations: list[Interpolation] = []
        closed = False
        while self.i < n:
            if s.startswith("/$", self.i):
                closed = True
                break
            if s.startswith(("$$", "$/"), self.i):
                value.append(s[self.i + 1])
                offsets.append(self.i)
                self.i += 2
                continue
            if s[self.i] == "$":
                self._interpolation(value, offsets, interpolations)
                continue
            value.append(s[self.i])
            offsets.append(self.i)
            self.i += 1
        offsets.append(self.i)
        if closed:
            self.i += 2
        else:
            self.problems.append(Problem("unterminated string (missing /$)", start, start + 2))
        token = self._add(Kind.STRING, start)
        token.value = "".join(value)
        token.offsets = OffsetMap.join([offsets])
        token.interpolations = interpolations
        token.quote = "$/"


def find_interpolations(value: str) -> list[Interpolation]:
    """The `${expr}` and `$name` parts of a GString's text (for strings read without escapes)."""
    found = []
    for match in _SIMPLE_INTERPOLATION.finditer(value):
        expression = (match.group(1) or match.group(2) or "").strip()
        if expression:
            found.append(Interpolation(match.start(), match.end(), expression))
    return found


def tokenize(source: str) -> Lexed:
    """Splits Groovy source into tokens and problems (comments are skipped); never raises."""
    return _Lexer(source).run()
