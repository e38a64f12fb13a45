"""What each Dockerfile instruction does to the filesystem: paths written, removed, modified or read.

Every effect keeps the source range of the path token that names it (or of the command word when the
path is implied, like `npm ci` filling `node_modules`). Paths are absolute and lexically cleaned, after
ARG/ENV/HOME substitution; a path that depends on something unknown is left out rather than guessed.
"""

from __future__ import annotations

import enum
import json
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from .. import shell
from ..model import Location
from ..text import Embedded
from .parse import Dockerfile, Instruction
from .state import StageState, initial_state


class Effect(enum.Enum):
    WRITE = "writes"
    REMOVE = "removes"
    MODIFY = "modifies"
    READ = "reads"


class Span(NamedTuple):
    """A stretch of an embedded text: where an effect's path (or command) is written."""

    source: Embedded
    start: int
    end: int

    @property
    def location(self) -> Location:
        return self.source.location(self.start, self.end)


@dataclass(frozen=True)
class PathEffect:
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


_HARMLESS = {"echo", "printf", "true", "false", ":", "test", "[", "ls", "cat", "grep", "egrep", "env", "export",
             "set", "unset", "id", "whoami", "which", "command", "type", "exit", "sleep", "pwd", "date", "uname",
             "source", ".", "ulimit", "umask", "trap", "wait", "head", "tail", "wc", "sort", "uniq", "awk", "cut",
             "tr", "find", "stat", "file", "readlink", "basename", "dirname", "hostname", "java", "node", "python",
             "python3", "ruby", "perl", "bash", "sh", "ash", "dash", "zsh", "getent", "groups", "groupadd",
             "update-ca-certificates", "ldconfig", "locale-gen", "git", "openssl", "diff",
             "cmp", "md5sum", "sha256sum", "sha1sum", "base64", "xargs", "jq", "yq", "nproc", "df", "du",
             "ps", "kill", "sync", "mount", "umount", "dpkg-reconfigure", "systemctl", "service", "gpg", "apt-key",
             "rc-update", "setcap", "usermod", "passwd", "chpasswd", "npx", "go"}
_PREFIXES = {"sudo", "nohup", "time", "exec", "nice", "stdbuf", "doas", "gosu", "su-exec", "tini", "dumb-init"}
_VALUE_OPTIONS = {
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
    "ln": {"-t", "--target-directory", "-S", "--suffix"}, "rm": set(), "rmdir": set(),
}


@dataclass
class _Command:
    """One simple command being interpreted, with the state it runs in."""

    command: shell.Command
    script: Embedded
    state: StageState
    cwd: str | None

    @property
    def words(self) -> list[shell.Word]:
        return self.command.words

    def options(self) -> set[str]:
        return {w.value for w in self.words[1:] if w.value.startswith("-")}

    def operands(self, skip: int = 1) -> list[shell.Word]:
        takes_value = _VALUE_OPTIONS.get(self.command.name, set())
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
        return operands

    def option_value(self, *names: str) -> shell.Word | None:
        words = self.words
        for k, word in enumerate(words):
            for name in names:
                if word.value == name and k + 1 < len(words):
                    return words[k + 1]
                if name.startswith("--") and word.value.startswith(name + "="):
                    value = word.value[len(name) + 1:]
                    return shell.Word(value, word.end - len(value), word.end, word.dynamic)
                if len(name) == 2 and not name.startswith("--") and word.value.startswith(name) \
                        and len(word.value) > 2 and not word.value.startswith("--"):
                    value = word.value[2:]
                    return shell.Word(value, word.end - len(value), word.end, word.dynamic)
        return None

    def path(self, word: shell.Word) -> str | None:
        value = word.value
        if any(c in value for c in "*?["):
            return None
        if word.dynamic or value.startswith("~"):
            expanded = self.state.expand(value)
            if expanded is None:
                return None
            value = expanded
        if not value or value == "-":
            return None
        return self.state.absolute(value, self.cwd)

    def home(self, *parts: str) -> str | None:
        home = self.state.lookup("HOME")
        return posixpath.join(home, *parts) if home else None


# (word or None for the command word, explicit path or None, effect, cache)
_Found = tuple[shell.Word | None, str | None, Effect, bool]


def _explicit(command: _Command, words: list[shell.Word], effect: Effect) -> Iterator[_Found]:
    for word in words:
        yield word, command.path(word), effect, False


def _implicit(path: str | None, effect: Effect = Effect.WRITE, cache: bool = False) -> Iterator[_Found]:
    if path is not None:
        yield None, path, effect, cache


def _in_cwd(command: _Command, *parts: str) -> Iterator[_Found]:
    if command.cwd is not None:
        yield None, posixpath.join(command.cwd, *parts) if parts else command.cwd, Effect.WRITE, False


def _command_effects(command: _Command) -> Iterator[_Found]:
    name = command.command.name
    operands = command.operands()
    options = command.options()
    if name in ("mkdir", "touch", "tee"):
        yield from _explicit(command, operands, Effect.WRITE)
    elif name in ("cp", "mv", "ln", "install"):
        target = command.option_value("-t", "--target-directory")
        if name == "install" and "-d" in options:
            yield from _explicit(command, operands, Effect.WRITE)
            return
        destination = [target] if target else operands[-1:] if len(operands) >= 2 else []
        sources = operands if target else operands[:-1]
        if name == "ln" and len(operands) == 1:
            yield from _in_cwd(command)
        yield from _explicit(command, destination, Effect.WRITE)
        if name == "mv":
            yield from _explicit(command, sources, Effect.REMOVE)
        elif name == "cp":
            yield from _explicit(command, sources, Effect.READ)
    elif name in ("rm", "rmdir"):
        for word in operands:
            if any(c in word.value for c in "*?["):
                parent = word.value.split("*")[0].split("?")[0].split("[")[0].rstrip("/")
                resolved = command.path(shell.Word(parent or "/", word.start, word.end))
                if resolved is not None:
                    yield word, resolved + "/*", Effect.REMOVE, False
            else:
                yield word, command.path(word), Effect.REMOVE, False
    elif name in ("chmod", "chown", "chgrp"):
        yield from _explicit(command, operands[1:], Effect.MODIFY)
    elif name == "sed" and any(o == "-i" or o.startswith(("-i", "--in-place")) for o in options):
        scripted = command.option_value("-e", "--expression", "-f", "--file") is not None
        yield from _explicit(command, operands if scripted else operands[1:], Effect.MODIFY)
    elif name == "tar" and _tar_extracts(command):
        directory = command.option_value("-C", "--directory")
        if directory is not None:
            yield from _explicit(command, [directory], Effect.WRITE)
        else:
            yield from _in_cwd(command)
    elif name == "unzip":
        directory = command.option_value("-d")
        yield from _explicit(command, [directory], Effect.WRITE) if directory else _in_cwd(command)
    elif name == "curl":
        output = command.option_value("-o", "--output")
        if output is not None:
            yield from _explicit(command, [output], Effect.WRITE)
        elif options & {"-O", "--remote-name", "-LO", "-sLO", "-fsSLO", "-fLO", "-sO"}:
            yield from _in_cwd(command)
    elif name == "wget":
        output = command.option_value("-O", "--output-document")
        prefix = command.option_value("-P", "--directory-prefix")
        if output is not None:
            yield from _explicit(command, [output], Effect.WRITE)
        elif prefix is not None:
            yield from _explicit(command, [prefix], Effect.WRITE)
        else:
            yield from _in_cwd(command)
    elif name == "git" and operands[:1] and operands[0].value == "clone":
        rest = command.operands(2)
        if len(rest) >= 2:
            yield from _explicit(command, rest[1:2], Effect.WRITE)
        elif rest:
            yield from _in_cwd(command, rest[0].value.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"))
    elif name in ("useradd", "adduser"):
        yield from _user_home(command, name, operands, options)
    elif name in ("apt-get", "apt", "aptitude") and operands[:1] and operands[0].value in (
            "install", "update", "upgrade", "dist-upgrade", "remove", "purge", "autoremove"):
        for path in ("/var/lib/apt", "/var/cache/apt", "/var/lib/dpkg", "/usr", "/etc"):
            yield from _implicit(path)
    elif name == "apk" and operands[:1] and operands[0].value in ("add", "update", "upgrade", "del"):
        for path in ("/lib/apk", "/var/cache/apk", "/etc/apk", "/usr"):
            yield from _implicit(path)
    elif name in ("dnf", "yum", "microdnf", "zypper") and operands[:1] and operands[0].value in (
            "install", "update", "upgrade", "remove", "makecache", "clean"):
        for path in (f"/var/cache/{name}", "/var/lib/rpm", "/usr", "/etc"):
            yield from _implicit(path)
    elif name in ("pip", "pip3") or (name.startswith("python") and [w.value for w in command.words[1:3]] ==
                                     ["-m", "pip"]):
        yield from _pip(command)
    elif name in ("npm", "yarn", "pnpm"):
        yield from _node(command, name, operands, options)
    elif name == "go" and operands[:1] and operands[0].value in ("build", "install", "get", "test", "mod", "run",
                                                                 "generate", "vet"):
        gocache = command.state.lookup("GOCACHE")
        yield from _implicit(command.state.absolute(gocache, command.cwd) if gocache
                             else command.home(".cache", "go-build"), cache=True)
        gopath = command.state.lookup("GOPATH") or command.home("go")
        yield from _implicit(posixpath.join(gopath, "pkg") if gopath else None, cache=True)
        output = command.option_value("-o")
        if output is not None:
            yield from _explicit(command, [output], Effect.WRITE)
        elif operands[0].value == "build":
            yield from _in_cwd(command)
    elif name in ("mvn", "mvnw"):
        repository = next((w.value.split("=", 1)[1] for w in command.words
                           if w.value.startswith("-Dmaven.repo.local=")), None)
        yield from _implicit(command.state.absolute(repository, command.cwd) if repository
                             else command.home(".m2"), cache=True)
        if any(goal.value in ("package", "install", "compile", "verify", "test", "deploy") for goal in operands):
            yield from _in_cwd(command, "target")
    elif name in ("gradle", "gradlew"):
        yield from _implicit(command.home(".gradle"), cache=True)
        yield from _in_cwd(command, "build")
    elif name in _HARMLESS:
        return
    else:
        yield from _in_cwd(command)


def _tar_extracts(command: _Command) -> bool:
    words = [w.value for w in command.words[1:]]
    if any(w in ("-x", "--extract", "--get") for w in words):
        return True
    first = words[0] if words else ""
    return "x" in first.lstrip("-") and not first.startswith("--")


def _user_home(command: _Command, name: str, operands: list[shell.Word], options: set[str]) -> Iterator[_Found]:
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


def _pip(command: _Command) -> Iterator[_Found]:
    values = [w.value for w in command.words]
    if "install" not in values:
        return
    if "--no-cache-dir" not in values:
        yield from _implicit(command.home(".cache", "pip"), cache=True)
    target = command.option_value("--target", "-t", "--prefix", "--root")
    if target is not None:
        yield from _explicit(command, [target], Effect.WRITE)
    elif "--user" in values:
        yield from _implicit(command.home(".local"))


def _node(command: _Command, name: str, operands: list[shell.Word], options: set[str]) -> Iterator[_Found]:
    verb = operands[0].value if operands else ("install" if name == "yarn" else "")
    cache = {"npm": (".npm",), "yarn": (".cache", "yarn"), "pnpm": (".local", "share", "pnpm")}[name]
    if verb in ("ci", "install", "i", "add", "update", "up", "rebuild", "run", "run-script", "build", "test",
                "exec", "dlx", "pack"):
        yield from _implicit(command.home(*cache), cache=True)
    if options & {"-g", "--global"}:
        yield from _implicit("/usr/local/lib/node_modules")
    elif verb in ("ci", "install", "i", "add", "update", "up", "rebuild"):
        yield from _in_cwd(command, "node_modules")
    elif verb in ("run", "run-script", "build", "pack"):
        yield from _in_cwd(command)


def _unwrap(command: shell.Command) -> shell.Command:
    """The command behind `sudo`, `env A=b`, `nohup`... prefixes and variable assignments."""
    words = list(command.words)
    while words:
        value = words[0].value
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", value):
            words.pop(0)
        elif value.rsplit("/", 1)[-1] in _PREFIXES or value == "env":
            words.pop(0)
            while words and words[0].value.startswith("-"):
                words.pop(0)
        else:
            break
    return shell.Command(words, command.redirects)


def _quoted_script(script: Embedded, word: shell.Word) -> Embedded | None:
    """The text inside a quoted `sh -c '...'` argument, mapped to the file when it is written plainly."""
    inner = word.start + 1
    if word.quoted and script.text[word.start] in "'\"" and \
            script.text[inner:inner + len(word.value)] == word.value:
        return script.slice(inner, inner + len(word.value))
    return None


def shell_effects(script: Embedded, state: StageState, how: str = "RUN") -> Iterator[tuple[Span, str, Effect,
                                                                                              str, bool]]:
    """(span, path, effect, description, cache) of everything a shell script does to files."""
    cwd = state.workdir
    for raw in shell.commands(script.text):
        command = _unwrap(raw)
        for redirect in raw.redirects:
            if redirect.operator in (">", ">>", ">|"):
                interpreted = _Command(command, script, state, cwd)
                path = interpreted.path(redirect.target)
                if path is not None and not path.startswith("/dev/"):
                    yield _word_span(script, redirect.target), path, Effect.WRITE, \
                        f"{how} redirection {redirect.operator}", False
        if not command.words:
            continue
        name = command.name
        if name == "cd":
            target = command.words[1] if len(command.words) > 1 else None
            cwd = _Command(command, script, state, cwd).path(target) if target else state.lookup("HOME")
            continue
        if name in ("sh", "bash", "ash", "dash", "zsh") and len(command.words) >= 3 and command.words[1].value == "-c":
            inner = _quoted_script(script, command.words[2])
            if inner is not None:
                nested = state.copy()
                nested.workdir = cwd
                yield from shell_effects(inner, nested, how)
            continue
        interpreted = _Command(command, script, state, cwd)
        command_word = command.words[0]
        for word, path, effect, cache in _command_effects(interpreted):
            if path is None:
                continue
            yield _word_span(script, word or command_word), path, effect, f"{how} {name}", cache


def _word_span(script: Embedded, word: shell.Word) -> Span:
    start, end = word.start, word.end
    if word.quoted and end - start >= 2 and script.text[start] in "'\"" and script.text[end - 1] == script.text[start]:
        start, end = start + 1, end - 1
    return Span(script, start, end)


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
            result.effects.extend(_instruction_effects(instruction, state, stage.index, global_args, build_args))
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


def _instruction_effects(instruction: Instruction, state: StageState, stage: int,
                         global_args: dict[str, str | None], build_args: dict[str, str]) -> Iterator[PathEffect]:
    keyword = instruction.keyword
    args = instruction.arguments
    volumes = tuple(state.volumes)

    def effect(path: str, kind: Effect, span: Span, how: str, cache: bool = False, root: bool = False) -> PathEffect:
        return PathEffect(path, kind, span, instruction, how, stage, cache, volumes, root)

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
    elif keyword == "WORKDIR":
        text = args.text.strip().strip("\"'")
        lead = len(args.text) - len(args.text.lstrip())
        expanded = state.expand(text)
        path = state.absolute(expanded, state.workdir or "/") if expanded else None
        state.workdir = path
        if path is not None:
            yield effect(path, Effect.WRITE, Span(args, lead, lead + len(args.text.strip())), "WORKDIR")
    elif keyword in ("COPY", "ADD"):
        yield from _copy_effects(instruction, state, effect)
    elif keyword == "SHELL":
        shell_form = _exec_form(args.text) or [""]
        state.posix_shell = shell_form[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash", "zsh", "busybox")
    elif keyword == "VOLUME":
        paths = _exec_form(args.text) or args.text.split()
        state.volumes.extend(p for v in paths if (e := state.expand(v)) and (p := state.absolute(e, "/")))
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
            for span, path, kind, how, cache in shell_effects(script, state):
                yield effect(path, kind, span, how, cache)


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
    destination = words[-1]
    expanded = state.expand(destination.value)
    path = state.absolute(expanded, state.workdir) if expanded else None
    if path is not None:
        yield effect(path, Effect.WRITE, _word_span(args, destination), instruction.keyword,
                     root=_whole_root([w.value for w in words[:-1]]))
