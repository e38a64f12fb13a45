"""One shell command of a `RUN`, read with the state it runs in: its options, operands and the paths
its words name."""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterator

from .. import shell
from .state import StageState


class Effect(enum.Enum):
    WRITE = "writes"
    REMOVE = "removes"
    MODIFY = "modifies"
    READ = "reads"


PREFIXES = {"sudo", "nohup", "time", "exec", "nice", "stdbuf", "doas", "gosu", "su-exec", "tini", "dumb-init"}
"""Commands that run the command after them."""
VALUE_OPTIONS = {
    "mkdir": {"-m", "--mode", "--context"}, "cp": {"-t", "--target-directory", "-S", "--suffix"},
    "mv": {"-t", "--target-directory", "-S", "--suffix"}, "touch": {"-d", "-r", "-t", "--date", "--reference"},
    "install": {"-m", "--mode", "-o", "--owner", "-g", "--group", "-t", "--target-directory", "-S"},
    "chmod": {"--reference"}, "chown": {"--reference"}, "sed": {"-e", "-f", "--expression", "--file", "-l"},
    "tar": {"-C", "--directory", "-f", "--file", "-T", "-X", "--exclude"}, "unzip": {"-d", "-x"},
    "curl": {"-o", "--output", "-H", "--header", "-u", "--user", "-d", "--data", "-X", "--request", "-A",
             "--retry", "-m", "--max-time", "--connect-timeout", "-w", "-e", "-b", "-c", "-T", "--cacert"},
    "wget": {"-O", "--output-document", "-P", "--directory-prefix", "-q", "--header", "-U", "-t", "-T"},
    "useradd": {"-d", "--home-dir", "-u", "-g", "-G", "-s", "-c", "-k", "-e", "-f", "-K", "-p", "--uid",
                "--gid", "--groups", "--shell", "--comment"},
    "adduser": {"-h", "--home", "-u", "-G", "-g", "-s", "--uid", "--gid", "--shell", "--ingroup", "--gecos"},
    "ln": {"-t", "--target-directory", "-S", "--suffix"},
}
"""Options that take a value, per command (so that the value is not read as an operand)."""
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

Found = tuple[shell.Word | None, str | None, Effect, bool]
"""(the word naming the path, None for the command word; the path; the effect; a tool cache)."""


class CommandLine:
    """A command's words as written, read without any state: its name, options and operands. Shared by
    every RUN with the same script text (results are computed once and never changed)."""

    __slots__ = ("_dashed", "_operand_values", "_operands", "_options", "env", "name", "words")

    def __init__(self, words: list[shell.Word], env: dict[str, str]) -> None:
        self.words = words
        self.env = env
        """Variables assigned on the command line (`GOBIN=/x go install ...`)."""
        self.name = words[0].value.rsplit("/", 1)[-1] if words else ""
        self._options: set[str] | None = None
        self._operands: list[shell.Word] | None = None
        self._operand_values: list[str] | None = None
        self._dashed: list[tuple[int, shell.Word]] | None = None
        """Words that may be options, with their index (read once for every `option_value`)."""

    @staticmethod
    def of(command: shell.Command) -> CommandLine:
        """The command behind the prefixes (`sudo`, `env A=b`...) of a simple command."""
        words, env = unwrap(command.words)
        return CommandLine(words, env)

    def options(self) -> set[str]:
        if self._options is None:
            self._options = {w.value for w in self.words[1:] if w.value.startswith("-")}
        return self._options

    def operands(self, skip: int = 1) -> list[shell.Word]:
        """The words after the first `skip` that are neither options nor option values (never change the
        list: it is shared)."""
        if skip == 1 and self._operands is not None:
            return self._operands
        takes_value = VALUE_OPTIONS.get(self.name, set())
        operands, k, words = [], skip, self.words
        end_of_options = False
        while k < len(words):
            value = words[k].value
            if not end_of_options and value == "--":
                end_of_options = True
            elif not end_of_options and value.startswith("-") and len(value) > 1:
                if value in takes_value:
                    k += 1
            else:
                operands.append(words[k])
            k += 1
        if skip == 1:
            self._operands = operands
        return operands

    def operand_values(self) -> list[str]:
        """The text of each of `operands()` (shared too)."""
        if self._operand_values is None:
            self._operand_values = [w.value for w in self.operands()]
        return self._operand_values

    def option_value(self, *names: str) -> shell.Word | None:
        """The value of the first of `names` given (`-o x`, `-ox`, `--out x`, `--out=x`, `-Dkey=x` for a
        name ending in `=`)."""
        words = self.words
        if self._dashed is None:
            self._dashed = [(k, w) for k, w in enumerate(words) if w.value.startswith("-")]
        for k, word in self._dashed:
            value = word.value
            for name in names:
                if name.endswith("="):
                    if value.startswith(name):
                        rest = value[len(name):]
                        return shell.Word(rest, word.end - len(rest), word.end, word.dynamic)
                    continue
                if value == name and k + 1 < len(words):
                    return words[k + 1]
                if name.startswith("--") and value.startswith(name + "="):
                    rest = value[len(name) + 1:]
                    return shell.Word(rest, word.end - len(rest), word.end, word.dynamic)
                if len(name) == 2 and not name.startswith("--") and value.startswith(name) \
                        and len(value) > 2 and not value.startswith("--"):
                    rest = value[2:]
                    return shell.Word(rest, word.end - len(rest), word.end, word.dynamic)
        return None


class Command:
    """One simple command being interpreted, with the state it runs in."""

    __slots__ = ("cwd", "env", "line", "name", "state", "words")

    def __init__(self, line: CommandLine, state: StageState, cwd: str | None) -> None:
        self.line = line
        self.words = line.words
        self.name = line.name
        self.env = line.env
        self.state = state
        self.cwd = cwd

    def options(self) -> set[str]:
        return self.line.options()

    def operands(self, skip: int = 1) -> list[shell.Word]:
        return self.line.operands(skip)

    def operand_values(self) -> list[str]:
        return self.line.operand_values()

    def option_value(self, *names: str) -> shell.Word | None:
        return self.line.option_value(*names)

    def lookup(self, name: str) -> str | None:
        return self.env[name] if name in self.env else self.state.lookup(name)

    def path(self, word: shell.Word) -> str | None:
        value = word.value
        if "*" in value or "?" in value or "[" in value:
            return None
        if word.dynamic or value.startswith("~"):
            expanded = self.state.expand(value)
            if expanded is None:
                return None
            value = expanded
        if not value or value == "-":
            return None
        return self.state.absolute(value, self.cwd)

    def absolute(self, path: str) -> str | None:
        return self.state.absolute(path, self.cwd)

    def home(self, *parts: str) -> str | None:
        home = self.lookup("HOME")
        return posixpath.join(home, *parts) if home else None


def unwrap(words: list[shell.Word]) -> tuple[list[shell.Word], dict[str, str]]:
    """The command behind `sudo`, `env A=b`, `nohup`... prefixes, and the variables assigned before it
    (`words` itself when there is no prefix)."""
    env: dict[str, str] = {}
    k = 0
    while k < len(words):
        value = words[k].value
        if _ASSIGNMENT.match(value):
            name, _, assigned = value.partition("=")
            env[name] = assigned
            k += 1
        elif value.rsplit("/", 1)[-1] in PREFIXES or value == "env":
            k += 1
            while k < len(words) and words[k].value.startswith("-"):
                k += 1
        else:
            break
    return (words[k:] if k else words), env


def explicit(command: Command, words: list[shell.Word], effect: Effect) -> Iterator[Found]:
    for word in words:
        yield word, command.path(word), effect, False


def implicit(path: str | None, effect: Effect = Effect.WRITE, cache: bool = False) -> Iterator[Found]:
    if path is not None:
        yield None, path, effect, cache


def in_cwd(command: Command, *parts: str) -> Iterator[Found]:
    if command.cwd is not None:
        yield None, posixpath.join(command.cwd, *parts) if parts else command.cwd, Effect.WRITE, False
