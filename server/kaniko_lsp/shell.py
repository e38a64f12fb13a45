"""A small POSIX shell word splitter that keeps where each word came from.

Used for `sh` steps (to find kaniko executor calls) and Dockerfile `RUN` commands (to find what they
write). It does not run or expand anything: a word keeps `$VAR`, `$(...)` and backquotes verbatim in
`value` (quotes removed), and `dynamic` tells that it held an expansion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

CONTROL_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
REDIRECTIONS = (">>", ">|", ">&", ">", "<<<", "<<-", "<<", "<&", "<>", "<")


@dataclass(slots=True)
class Word:
    value: str
    start: int
    end: int
    dynamic: bool = False
    quoted: bool = False
    heredoc: bool = False


@dataclass
class Redirect:
    operator: str
    target: Word
    body: Word | None = None
    """For a here-document (`<<EOF`), its text; `start`/`end` span it in the script."""


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.words[0].value.rsplit("/", 1)[-1] if self.words else ""


def _matching(text: str, i: int, opening: str, closing: str) -> int:
    """Index just past the `closing` that balances the `opening` at `i`."""
    depth = 0
    quote = ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
        elif c in "'\"":
            quote = c
        elif c == "\\":
            i += 1
        elif c == opening:
            depth += 1
        elif c == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


_PLAIN = re.compile(r"[^\s;&|()<>\\'\"`$]+")
_DOUBLE_PLAIN = re.compile(r'[^"\\$`]+')
_SIMPLE_WORD = r"""(?:[^\s;&|()<>\\'"`$]+|'[^']*'|"[^"\\$`]*"|\$(?:[A-Za-z_]\w*|\{[^{}'"\\`$]*\}))+"""
"""A word without escapes, command substitutions or nested expansions: read in one step."""
_TOKEN = re.compile(
    r"(?:[ \t\r\f\v]|\\[\r\n])*(?:"
    r"(?P<newline>\n)"
    r"|(?P<comment>(?<![^ \t\n;&|(])#[^\n]*)"
    r"|(?P<redirect>\d?(?:>>|>\||>&|>|<<<|<<-|<<|<&|<>|<))"
    r"|(?P<operator>&&|\|\||;;|[;|&()])"
    rf"|(?P<word>{_SIMPLE_WORD})"
    r"|(?P<other>.))?"
)
_WORD_END = " \t\r\n\f\v;&|()<>"
_QUOTES = re.compile(r"""'([^']*)'|"([^"]*)\"""")
_SINGLE_QUOTED = re.compile(r"'[^']*'")


def tokenize(text: str) -> list[Word | str]:
    """Splits `text` into words and operator strings (`\\n` stands for a line break).

    A here-document body follows its line's `\\n` as one `Word` with `heredoc=True`.
    """
    out: list[Word | str] = []
    pending: list[tuple[str, bool]] = []
    heredoc_operator = ""
    i, n = 0, len(text)
    token = _TOKEN.match
    while i < n:
        match = token(text, i)
        if match is None or (kind := match.lastgroup) is None:  # blanks up to the end (it always matches)
            break
        start, i = match.start(kind), match.end()
        if kind == "word":
            if i < n and text[i] not in _WORD_END:
                word, i = _word(text, start)
            else:
                word = _simple_word(match.group(kind), start)
        elif kind == "other":
            word, i = _word(text, start)
        elif kind == "newline":
            out.append("\n")
            heredoc_operator = ""
            for delimiter, strip_tabs in pending:
                i = _heredoc_body(text, i, delimiter, strip_tabs, out)
            pending = []
            continue
        elif kind == "comment":
            continue
        else:
            operator = match.group(kind)
            operator = operator[1:] if operator[0].isdigit() else operator
            out.append(operator)
            heredoc_operator = operator if operator == "<<" or operator == "<<-" else ""
            continue
        if heredoc_operator:
            pending.append((word.value, heredoc_operator == "<<-"))
            heredoc_operator = ""
        out.append(word)
    return out


def _heredoc_body(text: str, i: int, delimiter: str, strip_tabs: bool, out: list[Word | str]) -> int:
    """Appends the here-document starting at `i` as a word; returns the index after its delimiter line."""
    n = len(text)
    body_start = body_end = i
    while i < n:
        line_end = text.find("\n", i)
        line_end = n if line_end < 0 else line_end
        line = text[i:line_end].rstrip("\r")
        if (line.lstrip("\t") if strip_tabs else line).strip() == delimiter:
            i = min(line_end + 1, n)
            break
        i = body_end = min(line_end + 1, n)
    out.append(Word(text[body_start:body_end], body_start, body_end, heredoc=True))
    return i


def _simple_word(raw: str, start: int) -> Word:
    """A word matched by `_SIMPLE_WORD`, its quotes removed."""
    if "'" not in raw and '"' not in raw:
        return Word(raw, start, start + len(raw), "$" in raw)
    value = _QUOTES.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), raw)
    return Word(value, start, start + len(raw), "$" in _SINGLE_QUOTED.sub("", raw), True)


def _word(text: str, i: int) -> tuple[Word, int]:
    """The word starting at `i` (quotes removed, expansions kept verbatim) and the index after it."""
    n = len(text)
    start = i
    chars: list[str] = []
    dynamic = quoted = False
    while i < n:
        plain = _PLAIN.match(text, i)
        if plain is not None:
            chars.append(plain.group())
            i = plain.end()
            continue
        c = text[i]
        if c in " \t\r\n\f\v" or (c in ";&|()<>" and not (c == "(" and chars and chars[-1] == "$")):
            break
        if c == "\\":
            if i + 1 < n and text[i + 1] in "\r\n":
                i += 2
                continue
            if i + 1 < n:
                chars.append(text[i + 1])
            i += 2
            continue
        if c == "'":
            quoted = True
            end = text.find("'", i + 1)
            end = n if end < 0 else end
            chars.append(text[i + 1:end])
            i = end + 1
            continue
        if c == '"':
            quoted = True
            i += 1
            while i < n and text[i] != '"':
                run = _DOUBLE_PLAIN.match(text, i)
                if run is not None:
                    chars.append(run.group())
                    i = run.end()
                    continue
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`':
                    i += 1
                elif text[i] in "$`":
                    dynamic = True
                chars.append(text[i])
                i += 1
            i += 1
            continue
        if c == "`":
            dynamic = True
            end = text.find("`", i + 1)
            end = n - 1 if end < 0 else end
            chars.append(text[i:end + 1])
            i = end + 1
            continue
        if c != "$":  # a `(` right after a `$` that expands nothing
            chars.append(c)
            i += 1
            continue
        dynamic = True
        if text.startswith("$(", i):
            end = _matching(text, i + 1, "(", ")")
            chars.append(text[i:end])
            i = end
            continue
        if text.startswith("${", i):
            end = _matching(text, i + 1, "{", "}")
            chars.append(text[i:end])
            i = end
            continue
        chars.append(c)
        i += 1
    return Word("".join(chars), start, i, dynamic, quoted), i


@lru_cache(maxsize=4096)
def commands(text: str) -> tuple[Command, ...]:
    """Simple commands of `text`, in order, with their redirections (`&&`, `;`, pipes all split).

    Results are shared by every caller with the same text (Dockerfiles repeat their RUN lines): they are
    read, never changed.
    """
    result: list[Command] = []
    current = Command()
    tokens = tokenize(text)
    k = 0
    heredocs: list[Redirect] = []
    while k < len(tokens):
        token = tokens[k]
        if isinstance(token, Word) and token.heredoc:
            if heredocs:
                heredocs.pop(0).body = token
        elif isinstance(token, Word):
            current.words.append(token)
        elif token in REDIRECTIONS:
            target = tokens[k + 1] if k + 1 < len(tokens) else None
            if isinstance(target, Word) and not target.heredoc:
                redirect = Redirect(token, target)
                current.redirects.append(redirect)
                if token in ("<<", "<<-"):
                    heredocs.append(redirect)
                k += 1
        else:
            if current.words or current.redirects:
                result.append(current)
            current = Command()
        k += 1
    if current.words or current.redirects:
        result.append(current)
    return tuple(result)
