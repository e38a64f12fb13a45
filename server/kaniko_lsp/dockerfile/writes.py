"""What each Dockerfile instruction writes to the image filesystem, with the path token's position."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from .. import shell
from ..model import Location
from ..text import Embedded
from .parse import Instruction, Stage

_PATH_LIST_WRITERS = {"mkdir", "touch", "tee"}
_OPTIONS_WITH_VALUE = {"mkdir": {"-m", "--mode"}, "cp": {"-t", "--target-directory", "-S", "--suffix"},
                       "mv": {"-t", "--target-directory", "-S", "--suffix"}, "touch": {"-d", "-r", "-t"},
                       "tee": set()}


@dataclass(frozen=True)
class Write:
    path: str
    """Absolute, lexically cleaned path the instruction creates or changes."""
    location: Location
    """The path token in the source, or the instruction keyword when there is no token."""
    instruction: Instruction
    how: str
    """Short description for messages, e.g. `RUN mkdir`, `COPY`, `WORKDIR`."""


def _absolute(path: str, workdir: str | None) -> str | None:
    if path.startswith("/"):
        return posixpath.normpath(path).replace("//", "/")
    if workdir is None:
        return None
    return posixpath.normpath(posixpath.join(workdir, path))


def _literal(word: shell.Word) -> bool:
    return not word.dynamic and bool(word.value) and not any(c in word.value for c in "*?[~")


def _operands(command: shell.Command) -> list[shell.Word]:
    takes_value = _OPTIONS_WITH_VALUE.get(command.name, set())
    operands: list[shell.Word] = []
    words = command.words[1:]
    k = 0
    end_of_options = False
    while k < len(words):
        word = words[k]
        if not end_of_options and word.value == "--":
            end_of_options = True
        elif not end_of_options and word.value.startswith("-") and len(word.value) > 1:
            if word.value in takes_value:
                k += 1
        else:
            operands.append(word)
        k += 1
    return operands


def _target_directory(command: shell.Command) -> shell.Word | None:
    words = command.words
    for k, word in enumerate(words):
        if word.value in ("-t", "--target-directory") and k + 1 < len(words):
            return words[k + 1]
        if word.value.startswith("--target-directory="):
            return shell.Word(word.value.split("=", 1)[1], word.end - len(word.value.split("=", 1)[1]), word.end)
    return None


def shell_writes(command: shell.Command) -> Iterator[tuple[shell.Word, str]]:
    """The words of one simple command that name paths it writes, with a short description."""
    name = command.name
    for redirect in command.redirects:
        if redirect.operator in (">", ">>", ">|"):
            yield redirect.target, f"redirection {redirect.operator}"
    if name in _PATH_LIST_WRITERS:
        for word in _operands(command):
            yield word, name
    elif name in ("cp", "mv"):
        target = _target_directory(command)
        operands = _operands(command)
        if target is not None:
            yield target, name
        elif len(operands) >= 2:
            yield operands[-1], name


def _run_writes(instruction: Instruction, script: Embedded, workdir: str | None) -> Iterator[Write]:
    for command in shell.commands(script.text):
        if command.name in ("sh", "bash") and len(command.words) >= 3 and command.words[1].value == "-c":
            continue
        for word, how in shell_writes(command):
            if not _literal(word):
                continue
            path = _absolute(word.value, workdir)
            if path is None:
                continue
            start, end = word.start, word.end
            if word.quoted:
                start, end = start + 1, end - 1
            yield Write(path, script.location(start, end), instruction, f"RUN {how}")


def _copy_destination(instruction: Instruction) -> shell.Word | None:
    words = [w for w in shell.tokenize(instruction.arguments.text) if isinstance(w, shell.Word)]
    text = instruction.arguments.text.lstrip()
    if text.startswith("["):
        return None
    operands = [w for w in words if not w.value.startswith("--") and not w.value.startswith("<<")]
    return operands[-1] if len(operands) >= 2 or (operands and instruction.heredocs) else None


def stage_writes(stage: Stage) -> Iterator[Write]:
    """Every write of `stage` whose absolute path is known, in instruction order."""
    workdir: str | None = None
    for instruction in stage.instructions:
        args = instruction.arguments
        if instruction.keyword == "WORKDIR":
            value = args.text.strip()
            lead = len(args.text) - len(args.text.lstrip())
            if value and "$" not in value:
                path = _absolute(value.strip("\"'"), workdir or "/")
                if path is not None:
                    workdir = path
                    yield Write(path, args.location(lead, lead + len(value)), instruction, "WORKDIR")
            else:
                workdir = None
        elif instruction.keyword in ("COPY", "ADD"):
            word = _copy_destination(instruction)
            if word is not None and _literal(word):
                path = _absolute(word.value, workdir)
                if path is not None:
                    yield Write(path, args.location(word.start, word.end), instruction, instruction.keyword)
        elif instruction.keyword == "RUN":
            text = args.text.lstrip()
            if text.startswith("["):
                continue
            yield from _run_writes(instruction, args, workdir)
            for heredoc in instruction.heredocs:
                yield from _run_writes(instruction, heredoc.body, workdir)
