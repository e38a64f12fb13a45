"""A small POSIX shell word splitter that keeps where each word came from.

Used for `sh` steps (to find kaniko executor calls) and Dockerfile `RUN` commands (to find what they
write). It does not run or expand anything: a word keeps `$VAR`, `$(...)` and backquotes verbatim in
`value` (quotes removed), and `dynamic` tells that it held an expansion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTROL_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
REDIRECTIONS = (">>", ">|", ">&", ">", "<<<", "<<-", "<<", "<&", "<>", "<")


@dataclass
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


def tokenize(text: str) -> list[Word | str]:
    """Splits `text` into words and operator strings (`\\n` stands for a line break).

    A here-document body follows its line's `\\n` as one `Word` with `heredoc=True`.
    """
    out: list[Word | str] = []
    pending: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "\r\n":
            i += 2
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if c == "\n":
            out.append("\n")
            i += 1
            for delimiter, strip_tabs in pending:
                body_start = i
                body_end = i
                while i < n:
                    line_end = text.find("\n", i)
                    line_end = n if line_end < 0 else line_end
                    line = text[i:line_end].rstrip("\r")
                    if (line.lstrip("\t") if strip_tabs else line).strip() == delimiter:
                        i = min(line_end + 1, n)
                        break
                    i = body_end = min(line_end + 1, n)
                out.append(Word(text[body_start:body_end], body_start, body_end, heredoc=True))
            pending = []
            continue
        if c == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            while i < n and text[i] != "\n":
                i += 1
            continue
        digit_redirect = c.isdigit() and i + 1 < n and text[i + 1] in "<>"
        op_at = i + 1 if digit_redirect else i
        op = next((o for o in REDIRECTIONS + CONTROL_OPERATORS if text.startswith(o, op_at)), None)
        if op is not None:
            out.append(op)
            i = op_at + len(op)
            continue
        start = i
        chars: list[str] = []
        dynamic = quoted = False
        while i < n:
            c = text[i]
            if c in " \t\r\n" or (c in ";&|()<>" and not (c == "(" and chars and chars[-1] == "$")):
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
            if c == "$":
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
        word = Word("".join(chars), start, i, dynamic, quoted)
        if out and out[-1] in ("<<", "<<-"):
            pending.append((word.value, out[-1] == "<<-"))
        out.append(word)
    return out


def commands(text: str) -> list[Command]:
    """Simple commands of `text`, in order, with their redirections (`&&`, `;`, pipes all split)."""
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
    return result
