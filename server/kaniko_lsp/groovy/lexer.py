"""A tolerant Groovy tokenizer: never raises, records what it could not read as syntax problems.

Strings are decoded (escapes applied) and keep the file offset of every character, so text embedded
in a Jenkinsfile (pod YAML, a Dockerfile, a shell script) maps back to exact file positions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Interpolation:
    """A `${expr}` or `$name` inside a GString: `start`/`end` index the decoded value."""

    start: int
    end: int
    expression: str


@dataclass
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    value: str = ""
    offsets: list[int] = field(default_factory=list)
    interpolations: list[Interpolation] = field(default_factory=list)
    quote: str = ""


@dataclass(frozen=True)
class Comment:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Problem:
    message: str
    start: int
    end: int


@dataclass
class Lexed:
    tokens: list[Token]
    comments: list[Comment]
    problems: list[Problem]


def _is_ident_start(c: str) -> bool:
    return c.isalpha() or c in "_$"


def _is_ident_part(c: str) -> bool:
    return c.isalnum() or c in "_$"


_VALUE_END = {Kind.IDENT, Kind.NUMBER, Kind.STRING}


class _Lexer:
    def __init__(self, source: str) -> None:
        self.s = source
        self.n = len(source)
        self.i = 0
        self.tokens: list[Token] = []
        self.comments: list[Comment] = []
        self.problems: list[Problem] = []

    def run(self) -> Lexed:
        s, n = self.s, self.n
        if s.startswith("#!"):
            self.i = s.find("\n") if "\n" in s else n
        while self.i < n:
            c = s[self.i]
            if c in " \t\f\ufeff":
                self.i += 1
            elif c == "\\" and s.startswith(("\\\n", "\\\r"), self.i):
                self.i += 3 if s.startswith("\\\r\n", self.i) else 2
            elif c in "\r\n":
                start = self.i
                self.i += 2 if s.startswith("\r\n", self.i) else 1
                self._add(Kind.NEWLINE, start)
            elif s.startswith("//", self.i):
                end = self._line_end(self.i)
                self.comments.append(Comment(s[self.i:end], self.i, end))
                self.i = end
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end < 0:
                    self.problems.append(Problem("unterminated comment", self.i, self.i + 2))
                    end = n
                else:
                    end += 2
                self.comments.append(Comment(s[self.i:end], self.i, end))
                for k in range(self.i, end):
                    if s[k] == "\n":
                        self._add(Kind.NEWLINE, k, k + 1)
                        break
                self.i = end
            elif s.startswith(("'''", '"""'), self.i):
                self._string(s[self.i:self.i + 3], multiline=True)
            elif c in "'\"":
                self._string(c, multiline=False)
            elif s.startswith("$/", self.i):
                self._dollar_slashy()
            elif c == "/" and self._slash_starts_string():
                self._string("/", multiline=True)
            elif _is_ident_start(c):
                start = self.i
                while self.i < n and _is_ident_part(s[self.i]):
                    self.i += 1
                self._add(Kind.IDENT, start)
            elif c.isdigit():
                start = self.i
                while self.i < n and (s[self.i].isalnum() or s[self.i] in "._"):
                    if s[self.i] == "." and not (self.i + 1 < n and s[self.i + 1].isdigit()):
                        break
                    self.i += 1
                self._add(Kind.NUMBER, start)
            else:
                op = next((o for o in _OPERATORS if s.startswith(o, self.i)), None)
                start = self.i
                if op is None:
                    self.problems.append(Problem(f"unexpected character {c!r}", start, start + 1))
                    self.i += 1
                    continue
                self.i += len(op)
                self._add(Kind.OP, start)
        self.tokens.append(Token(Kind.EOF, "", n, n))
        return Lexed(self.tokens, self.comments, self.problems)

    def _line_end(self, i: int) -> int:
        while i < self.n and self.s[i] not in "\r\n":
            i += 1
        return i

    def _add(self, kind: Kind, start: int, end: int | None = None) -> Token:
        end = self.i if end is None else end
        token = Token(kind, self.s[start:end], start, end)
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
        s, n = self.s, self.n
        start = self.i
        self.i += len(quote)
        gstring = quote[0] in "\"/"
        value: list[str] = []
        offsets: list[int] = []
        interpolations: list[Interpolation] = []
        closed = False
        while self.i < n:
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
        token.offsets = offsets
        token.interpolations = interpolations
        token.quote = quote

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
        begin = len(value)
        for k in range(at, end):
            value.append(s[k])
            offsets.append(k)
        found.append(Interpolation(begin, len(value), expression))
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
        token.offsets = offsets
        token.interpolations = interpolations
        token.quote = "$/"


def tokenize(source: str) -> Lexed:
    """Splits Groovy source into tokens, comments and problems; never raises."""
    return _Lexer(source).run()
