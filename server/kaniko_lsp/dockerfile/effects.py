"""What each Dockerfile instruction does to the filesystem: paths written, removed, modified or read.

Every effect keeps the source range of the path token that names it (or of the command word when the
path is implied, like `npm ci` filling `node_modules`). Paths are absolute and lexically cleaned, after
ARG/ENV/HOME substitution; a path that depends on something unknown is left out rather than guessed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from .. import shell
from ..model import Location
from ..text import Embedded
from .command import Command, CommandLine, Effect, Found, explicit, in_cwd
from .parse import Dockerfile, Instruction
from .state import StageState, initial_state
from .tools import installer_effects, tool_effects

__all__ = ["BuildEffects", "Effect", "PathEffect", "Span", "analyze"]


class Span(NamedTuple):
    """A stretch of an embedded text: where an effect's path (or command) is written."""

    source: Embedded
    start: int
    end: int

    @property
    def location(self) -> Location:
        return self.source.location(self.start, self.end)


@dataclass
class PathEffect:
    """One thing an instruction does to one path. Never changed once built (not frozen only because a
    frozen dataclass is built several times slower, and a monorepo's Dockerfiles make tens of thousands)."""

    path: str
    effect: Effect
    span: Span = field(compare=False, repr=False)
    instruction: Instruction = field(compare=False, repr=False)
    how: str
    """Short description for messages, e.g. `RUN mkdir`, `COPY`, `WORKDIR`."""
    stage: int
    cache: bool = False
    """A tool cache under $HOME filled implicitly (`~/.m2` by mvn): the purpose of a cache mount."""
    volumes: tuple[str, ...] = ()
    """Paths of `VOLUME` instructions earlier in the same stage."""
    root_file_system: bool = False
    """A COPY/ADD of a whole root file system (`COPY --from=stage / /`, `ADD rootfs/ /`) onto the path."""

    @cached_property
    def location(self) -> Location:
        """Where the path is named (computed on first use: only reported effects need it)."""
        return self.span.location


@dataclass
class BuildEffects:
    effects: list[PathEffect] = field(default_factory=list)
    built_stage: int | None = None
    """Index of the stage that becomes the image (`--target`, else the last)."""
    stage_count: int = 0


def _command_effects(command: Command) -> Iterator[Found]:
    """What a file utility does to the paths it names; for any other command, what the tool table says."""
    name = command.name
    if name in ("mkdir", "touch", "tee"):
        yield from explicit(command, command.operands(), Effect.WRITE)
    elif name in ("cp", "mv", "ln", "install"):
        operands = command.operands()
        target = command.option_value("-t", "--target-directory")
        if name == "install" and "-d" in command.options():
            yield from explicit(command, operands, Effect.WRITE)
            return
        destination = [target] if target else operands[-1:] if len(operands) >= 2 else []
        sources = operands if target else operands[:-1]
        if name == "ln" and len(operands) == 1:
            yield from in_cwd(command)
        yield from explicit(command, destination, Effect.WRITE)
        if name == "mv":
            yield from explicit(command, sources, Effect.REMOVE)
        elif name == "cp":
            yield from explicit(command, sources, Effect.READ)
    elif name in ("rm", "rmdir"):
        for word in command.operands():
            if any(c in word.value for c in "*?["):
                parent = word.value.split("*")[0].split("?")[0].split("[")[0].rstrip("/")
                resolved = command.path(shell.Word(parent or "/", word.start, word.end))
                if resolved is not None:
                    yield word, resolved + "/*", Effect.REMOVE, False
            else:
                yield word, command.path(word), Effect.REMOVE, False
    elif name in ("chmod", "chown", "chgrp"):
        yield from explicit(command, command.operands()[1:], Effect.MODIFY)
    elif name == "sed":
        if any(o == "-i" or o.startswith(("-i", "--in-place")) for o in command.options()):
            scripted = command.option_value("-e", "--expression", "-f", "--file") is not None
            operands = command.operands()
            yield from explicit(command, operands if scripted else operands[1:], Effect.MODIFY)
    elif name == "tar":
        if _tar_extracts(command):
            directory = command.option_value("-C", "--directory")
            yield from explicit(command, [directory], Effect.WRITE) if directory is not None else in_cwd(command)
    elif name == "unzip":
        directory = command.option_value("-d")
        yield from explicit(command, [directory], Effect.WRITE) if directory else in_cwd(command)
    elif name == "curl":
        output = command.option_value("-o", "--output")
        if output is not None:
            yield from explicit(command, [output], Effect.WRITE)
        elif command.options() & {"-O", "--remote-name", "-LO", "-sLO", "-fsSLO", "-fLO", "-sO"}:
            yield from in_cwd(command)
        yield from installer_effects(command)
    elif name == "wget":
        output = command.option_value("-O", "--output-document")
        prefix = command.option_value("-P", "--directory-prefix")
        if output is not None and output.value != "-":
            yield from explicit(command, [output], Effect.WRITE)
        elif prefix is not None:
            yield from explicit(command, [prefix], Effect.WRITE)
        elif output is None:
            yield from in_cwd(command)
        yield from installer_effects(command)
    elif name == "git" and command.operands()[:1] and command.operands()[0].value == "clone":
        rest = command.operands(2)
        if len(rest) >= 2:
            yield from explicit(command, rest[1:2], Effect.WRITE)
        elif rest:
            yield from in_cwd(command, rest[0].value.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"))
    elif name in ("useradd", "adduser"):
        yield from _user_home(command, name, command.operands(), command.options())
    else:
        yield from tool_effects(command)


def _tar_extracts(command: Command) -> bool:
    words = [w.value for w in command.words[1:]]
    if any(w in ("-x", "--extract", "--get") for w in words):
        return True
    first = words[0] if words else ""
    return "x" in first.lstrip("-") and not first.startswith("--")


def _user_home(command: Command, name: str, operands: list[shell.Word], options: set[str]) -> Iterator[Found]:
    user = operands[-1].value if operands else None
    home_word = command.option_value("-d", "--home-dir") if name == "useradd" else \
        command.option_value("-h", "--home")
    creates = name == "adduser" or options & {"-m", "--create-home"}
    if home_word is not None:
        home = command.path(home_word)
        if user and home:
            command.state.homes[user] = home
        if creates:
            yield home_word, home, Effect.WRITE, False
    elif user and creates and not (options & {"-M", "--no-create-home", "-H"}):
        command.state.homes[user] = f"/home/{user}"
        yield operands[-1], f"/home/{user}", Effect.WRITE, False


def _quoted_script(text: str, word: shell.Word) -> int | None:
    """Where the text inside a quoted `sh -c '...'` argument starts, when it is written plainly."""
    inner = word.start + 1
    if word.quoted and text[word.start] in "'\"" and text[inner:inner + len(word.value)] == word.value:
        return inner
    return None


@lru_cache(maxsize=4096)
def _command_lines(text: str) -> tuple[tuple[shell.Command, CommandLine], ...]:
    """Each simple command of a script with its words read (shared by every RUN of the same text)."""
    return tuple((raw, CommandLine.of(raw)) for raw in shell.commands(text))


ScriptEffect = tuple[int, int, str, Effect, str, bool]
"""(start, end, path, effect, description, cache) of one effect of a script, offsets in the script."""


def _script_effects(text: str, base: int, state: StageState) -> Iterator[ScriptEffect]:
    """The effects of the RUN script `text`, which starts at `base` in the script being read."""
    cwd = state.workdir
    for raw, line in _command_lines(text):
        command = Command(line, state, cwd)
        words = line.words
        for redirect in raw.redirects:
            if redirect.operator in (">", ">>", ">|"):
                path = command.path(redirect.target)
                if path is not None and not path.startswith("/dev/"):
                    start, end = _word_span(text, redirect.target)
                    yield base + start, base + end, path, Effect.WRITE, f"RUN redirection {redirect.operator}", False
        if not words:
            continue
        name = command.name
        if name == "cd":
            cwd = command.path(words[1]) if len(words) > 1 else state.lookup("HOME")
            continue
        if name in ("sh", "bash", "ash", "dash", "zsh") and len(words) >= 3 and words[1].value == "-c":
            inner = _quoted_script(text, words[2])
            if inner is not None:
                nested = state.copy()
                nested.workdir = cwd
                yield from _script_effects(text[inner:inner + len(words[2].value)], base + inner, nested)
            continue
        for word, path, effect, cache in _command_effects(command):
            if path is None:
                continue
            start, end = _word_span(text, word or words[0])
            yield base + start, base + end, path, effect, f"RUN {name}", cache


class _Outcome(NamedTuple):
    """What a RUN script did in one state, and the parts of that state it read."""

    workdir: str | None
    reads: tuple[tuple[str, str | None], ...]
    """Each variable looked up, with its value."""
    homes: dict[str, str]
    """Home directories it created (`useradd -m`)."""
    effects: tuple[ScriptEffect, ...]


_OUTCOMES: dict[str, list[_Outcome]] = {}
"""Outcomes by script text: Dockerfiles repeat RUN scripts in states that differ only in what the script
never reads (other variables), so the outcome is reused when every value it read is the same."""
OUTCOMES_LIMIT = 4096
"""Scripts remembered (the least recently used are forgotten first)."""
STATES_LIMIT = 8
"""Outcomes remembered per script (the oldest are forgotten first)."""


def _run_effects(text: str, state: StageState) -> tuple[ScriptEffect, ...]:
    """The effects of a RUN script, reused from an earlier RUN of the same text that read the same values."""
    outcomes = _OUTCOMES.pop(text, None)
    if outcomes is not None:
        _OUTCOMES[text] = outcomes  # now the most recently used
        for outcome in outcomes:
            if outcome.workdir == state.workdir and all(state.lookup(name) == value
                                                        for name, value in outcome.reads):
                state.homes.update(outcome.homes)
                return outcome.effects
    homes = dict(state.homes)
    reads: list[str] = []
    state.reads = reads
    try:
        effects = tuple(_script_effects(text, 0, state))
    finally:
        state.reads = None
    created = {user: home for user, home in state.homes.items() if homes.get(user) != home}
    read = tuple((name, state.lookup(name)) for name in dict.fromkeys(reads))
    if outcomes is None:
        if len(_OUTCOMES) >= OUTCOMES_LIMIT:
            del _OUTCOMES[next(iter(_OUTCOMES))]
        outcomes = _OUTCOMES[text] = []
    elif len(outcomes) >= STATES_LIMIT:
        del outcomes[0]
    outcomes.append(_Outcome(state.workdir, read, created, effects))
    return effects


def _word_span(text: str, word: shell.Word) -> tuple[int, int]:
    """Where a word's text is in `text`, inside its quotes when it is one quoted string."""
    start, end = word.start, word.end
    if word.quoted and end - start >= 2 and text[start] in "'\"" and text[end - 1] == text[start]:
        start, end = start + 1, end - 1
    return start, end


def _exec_form(text: str) -> list[str] | None:
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def _instruction_words(instruction: Instruction) -> list[shell.Word]:
    return [w for w in shell.tokenize(instruction.arguments.text) if isinstance(w, shell.Word)]


def analyze(dockerfile: Dockerfile, target: str | None = None,
            build_args: dict[str, str] | None = None) -> BuildEffects:
    """The effects of every stage of `dockerfile` and which stage the image is built from."""
    build_args = build_args or {}
    result = BuildEffects(stage_count=len(dockerfile.stages))
    built = dockerfile.stage(target)
    result.built_stage = built.index if built else None
    global_args: dict[str, str | None] = {}
    for instruction in dockerfile.preamble:
        if instruction.keyword == "ARG":
            for name, default in _declarations(instruction.arguments.text):
                global_args[name] = build_args.get(name, default)
    finished: dict[str, StageState] = {}
    for stage in dockerfile.stages:
        base = StageState(variables=dict(global_args)).expand(stage.base) or stage.base
        state = initial_state(base, finished)
        for instruction in stage.instructions:
            if instruction.keyword in _WITH_EFFECTS:
                result.effects.extend(_instruction_effects(instruction, state, stage.index))
            else:
                _apply(instruction, state, global_args, build_args)
        finished[str(stage.index)] = state
        if stage.name:
            finished[stage.name.lower()] = state
    return result


def _declarations(text: str) -> list[tuple[str, str | None]]:
    found = []
    for word in shell.tokenize(text):
        if isinstance(word, shell.Word):
            name, sep, value = word.value.partition("=")
            found.append((name, value if sep else None))
    return found


_WITH_EFFECTS = {"WORKDIR", "COPY", "ADD", "RUN"}
"""Instructions that touch files; the others only change the state later ones run in."""


def _apply(instruction: Instruction, state: StageState, global_args: dict[str, str | None],
           build_args: dict[str, str]) -> None:
    """What an instruction without filesystem effects changes in the stage's state."""
    keyword = instruction.keyword
    args = instruction.arguments
    if keyword == "ARG":
        for name, default in _declarations(args.text):
            value = build_args.get(name, default if default is not None else global_args.get(name))
            state.variables[name] = state.expand(value) if value is not None else None
    elif keyword == "ENV":
        words = _instruction_words(instruction)
        pairs = [(w.value.partition("=")[0], w.value.partition("=")[2]) for w in words] \
            if words and "=" in words[0].value else ([(words[0].value, " ".join(w.value for w in words[1:]))]
                                                     if words else [])
        for name, value in pairs:
            state.variables[name] = state.expand(value)
            if name == "HOME":
                state.home = state.variables[name]
    elif keyword == "USER":
        user = state.expand(args.text.strip())
        if user:
            state.set_user(user)
        else:
            state.user = state.home = None
    elif keyword == "SHELL":
        shell_form = _exec_form(args.text) or [""]
        state.posix_shell = shell_form[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash", "zsh", "busybox")
    elif keyword == "VOLUME":
        paths = _exec_form(args.text) or args.text.split()
        state.volumes.extend(p for v in paths if (e := state.expand(v)) and (p := state.absolute(e, "/")))


def _instruction_effects(instruction: Instruction, state: StageState, stage: int) -> Iterator[PathEffect]:
    keyword = instruction.keyword
    args = instruction.arguments
    volumes = tuple(state.volumes)

    def effect(path: str, kind: Effect, span: Span, how: str, cache: bool = False, root: bool = False) -> PathEffect:
        return PathEffect(path, kind, span, instruction, how, stage, cache, volumes, root)

    if keyword == "WORKDIR":
        text = args.text.strip().strip("\"'")
        lead = len(args.text) - len(args.text.lstrip())
        expanded = state.expand(text)
        path = state.absolute(expanded, state.workdir or "/") if expanded else None
        state.workdir = path
        if path is not None:
            yield effect(path, Effect.WRITE, Span(args, lead, lead + len(args.text.strip())), "WORKDIR")
    elif keyword in ("COPY", "ADD"):
        yield from _copy_effects(instruction, state, effect)
    elif keyword == "RUN":
        exec_form = _exec_form(args.text)
        scripts: list[Embedded] = []
        if exec_form is None and not state.posix_shell:
            return
        if exec_form is None:
            scripts.append(args)
            scripts.extend(h.body for h in instruction.heredocs)
        elif len(exec_form) >= 3 and exec_form[1] == "-c":
            start = args.text.find(json.dumps(exec_form[2])[1:-1])
            if start >= 0:
                scripts.append(args.slice(start, start + len(exec_form[2])))
        for script in scripts:
            for start, end, path, kind, how, cache in _run_effects(script.text, state):
                yield effect(path, kind, Span(script, start, end), how, cache)


def _whole_root(sources: list[str]) -> bool:
    """Sources that hold a root file system: `/` (of a stage or image) or a `rootfs` folder."""
    return any(s.strip("/") == "" or s.rstrip("/").rsplit("/", 1)[-1] == "rootfs" for s in sources if s)


def _copy_effects(instruction: Instruction, state: StageState,
                  effect: Callable[..., PathEffect]) -> Iterator[PathEffect]:
    args = instruction.arguments
    exec_form = _exec_form(args.text)
    if exec_form is not None:
        if len(exec_form) >= 2:
            destination = exec_form[-1]
            start = args.text.rfind(json.dumps(destination)[1:-1])
            expanded = state.expand(destination)
            path = state.absolute(expanded, state.workdir) if expanded else None
            if path is not None and start >= 0:
                yield effect(path, Effect.WRITE, Span(args, start, start + len(destination)),
                             instruction.keyword, root=_whole_root(exec_form[:-1]))
        return
    words = [w for w in _instruction_words(instruction) if not w.value.startswith("--")
             and not w.value.startswith("<<")]
    if not words or (len(words) < 2 and not instruction.heredocs):
        return
    last = words[-1]
    expanded = state.expand(last.value)
    path = state.absolute(expanded, state.workdir) if expanded else None
    if path is not None:
        yield effect(path, Effect.WRITE, Span(args, *_word_span(args.text, last)), instruction.keyword,
                     root=_whole_root([w.value for w in words[:-1]]))
