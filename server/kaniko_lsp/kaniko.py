"""kaniko facts: how its ignore list matches paths, and how an executor command line reads."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from . import shell

_GLOB = re.compile(r"[*?\[]")
WORKSPACE_SPELLINGS = ("`pwd`", "$(pwd)", "${pwd()}", "${PWD}", "$PWD", "${WORKSPACE}", "$WORKSPACE",
                       "${env.WORKSPACE}", "$env.WORKSPACE")
_EXPANSION = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_.]*|\$\([^)]*\)")
REMOTE_SCHEMES = ("tar://", "git://", "gs://", "s3://", "https://", "http://", "az://")


def clean(path: str) -> str:
    """Lexically cleans an absolute path as Go's filepath.Clean does."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("/") else cleaned


def covers(entry: str, path: str) -> bool:
    """Whether ignore-list `entry` covers `path`: whole components, each entry component a glob."""
    if not entry.startswith("/") or not path.startswith("/"):
        return False
    entry_parts = clean(entry).split("/")
    path_parts = clean(path).split("/")
    if entry_parts == ["", ""]:
        return False
    if len(path_parts) < len(entry_parts):
        return False
    for pattern, part in zip(entry_parts, path_parts, strict=False):
        if _GLOB.search(pattern):
            if not fnmatch.fnmatchcase(part, pattern):
                return False
        elif pattern != part:
            return False
    return True


T = TypeVar("T")


class PathIndex(Generic[T]):
    """Ignore-list entries, cleaned once, answering which of them cover a path.

    Literal entries are found by looking up each ancestor of the path; entries with glob components are
    matched component by component. Each entry keeps its position in the list it was built from.
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self.literal: dict[str, list[tuple[int, str, T]]] = {}
        self.tops: set[str] = set()
        """The first component of each literal entry (`/home` of `/home/jenkins`): a path under none of
        them is covered by no literal entry."""
        self.globbed: list[tuple[int, str, list[str], T]] = []
        for n, (entry, value) in enumerate(entries):
            if not entry.startswith("/"):
                continue
            cleaned = clean(entry)
            if cleaned == "/":
                continue
            if _GLOB.search(cleaned):
                self.globbed.append((n, cleaned, cleaned.split("/"), value))
            else:
                self.literal.setdefault(cleaned, []).append((n, cleaned, value))
                self.tops.add(_top(cleaned))
        self._deepest: re.Pattern[str] | None = None

    def covering(self, path: str) -> list[tuple[int, str, T]]:
        """(position, cleaned entry, value) of every entry covering `path`, a clean absolute path."""
        found: list[tuple[int, str, T]] = []
        if _top(path) in self.tops:
            if len(self.literal) < path.count("/"):  # a deep path: test each entry instead
                for entry, values in self.literal.items():
                    if path.startswith(entry) and (len(path) == len(entry) or path[len(entry)] == "/"):
                        found.extend(values)
            else:
                ancestor = path
                while len(ancestor) > 1:
                    found.extend(self.literal.get(ancestor, ()))
                    ancestor = ancestor[:ancestor.rfind("/")]
        if self.globbed:
            parts = path.split("/")
            for n, cleaned, pattern, value in self.globbed:
                if len(parts) >= len(pattern) and all(
                        fnmatch.fnmatchcase(part, glob) if _GLOB.search(glob) else part == glob
                        for glob, part in zip(pattern, parts, strict=False)):
                    found.append((n, cleaned, value))
        return found

    def first(self, path: str) -> T | None:
        """The covering entry that came first in the list, None when none covers `path`."""
        found = self.covering(path)
        return min(found, key=lambda f: f[0])[2] if found else None

    def longest(self, path: str) -> T | None:
        """The deepest covering entry (the first of equals), None when none covers `path`."""
        if not self.globbed:  # one match of the literal entries, deepest first
            if self._deepest is None:
                entries = sorted(self.literal, key=len, reverse=True)
                self._deepest = re.compile("|".join(f"{re.escape(e)}(?=/|\\Z)" for e in entries) or "(?!)")
            match = self._deepest.match(path)
            return self.literal[match.group()][0][2] if match else None
        found = self.covering(path)
        return min(found, key=lambda f: (-len(f[1]), f[0]))[2] if found else None


def _top(path: str) -> str:
    """The first component of a clean absolute path, with its slash (`/home` of `/home/jenkins`)."""
    slash = path.find("/", 1)
    return path if slash < 0 else path[:slash]


def is_within(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or below it, by whole components (no globs)."""
    path, directory = clean(path), clean(directory)
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@dataclass
class FlagValue:
    value: str
    start: int
    end: int


@dataclass
class ExecutorCall:
    """One `/kaniko/executor ...` command in a shell script; `start`/`end` span its executor word."""

    start: int
    end: int
    flags: dict[str, list[FlagValue]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    """Variables assigned on the command line (`KANIKO_DIR=/tmp/k /kaniko/executor ...`)."""

    def last(self, *names: str) -> FlagValue | None:
        values = [v for name in names for v in self.flags.get(name, [])]
        return max(values, key=lambda v: v.start) if values else None


_SHORT = {"-c": "--context", "-f": "--dockerfile", "-d": "--destination"}
_BOOLEAN = {"--no-push", "--cleanup", "--single-snapshot", "--use-new-run", "--cache", "--reproducible",
            "--skip-tls-verify", "--insecure", "--force", "--tar-path-only", "--skip-unused-stages",
            "--ignore-var-run", "--whitelist-var-run", "--cache-copy-layers",
            "--cache-run-layers", "--compressed-caching", "--skip-push-permission-check",
            "--insecure-pull", "--skip-tls-verify-pull", "--no-push-cache", "--cleanup-cache", "--push-retry-once"}


def executor_calls(script: str | Sequence[shell.Command]) -> list[ExecutorCall]:
    """Every kaniko executor invocation in a script (or its commands), with its flags in the order written."""
    calls: list[ExecutorCall] = []
    for command in shell.commands(script) if isinstance(script, str) else script:
        words = list(command.words)
        env = {}
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0].value):
            name, _, value = words.pop(0).value.partition("=")
            env[name] = value
        if not words or words[0].value.rsplit("/", 1)[-1] != "executor":
            continue
        call = ExecutorCall(words[0].start, words[0].end, env=env)
        k = 1
        while k < len(words):
            word = words[k]
            text = word.value
            if text.startswith("-"):
                name, sep, value = text.partition("=")
                name = _SHORT.get(name, name)
                if sep:
                    offset = word.end - len(value) if not word.quoted else word.start + len(text) - len(value)
                    call.flags.setdefault(name, []).append(FlagValue(value, offset, word.end))
                elif name in _BOOLEAN or k + 1 >= len(words) or words[k + 1].value.startswith("-"):
                    call.flags.setdefault(name, []).append(FlagValue("true", word.start, word.end))
                else:
                    nxt = words[k + 1]
                    call.flags.setdefault(name, []).append(FlagValue(nxt.value, nxt.start, nxt.end))
                    k += 1
            k += 1
        calls.append(call)
    return calls


def workspace_path(value: str, cwd: str) -> str | None:
    """Repository-relative path of a local context or Dockerfile value run from `cwd`, None if unknown.

    `cwd` is repository-relative ("" is the checkout root). `` `pwd` ``, `$(pwd)` and `$WORKSPACE`
    spell the step's directory; `dir://` is stripped; other expansions and absolute paths are unknown.
    """
    if value.startswith("dir://"):
        value = value[len("dir://"):]
    base = cwd
    for spelling in WORKSPACE_SPELLINGS:
        if value.startswith(spelling):
            rest = value[len(spelling):]
            if rest and not rest.startswith("/"):
                continue
            value = rest.lstrip("/") or "."
            base = cwd if spelling not in ("${WORKSPACE}", "$WORKSPACE", "${env.WORKSPACE}",
                                           "$env.WORKSPACE") else ""
            break
    if "$" in value or "`" in value or value.startswith("/") or "://" in value:
        return None
    return _joined(base, value)


def workspace_pattern(value: str, cwd: str) -> str | None:
    """A glob of the repository paths a value may name when parts of it are unknown expansions
    (`images/${svc}/Dockerfile` -> `images/*/Dockerfile`); None when too little of it is known."""
    if value.startswith("dir://"):
        value = value[len("dir://"):]
    prefix = next((s for s in WORKSPACE_SPELLINGS if value.startswith(s)
                   and (len(value) == len(s) or value[len(s)] == "/")), "")
    rest = value[len(prefix):]
    if not _EXPANSION.search(rest) or "`" in rest:
        return None
    marked = re.sub("\0+", "\0", _EXPANSION.sub("\0", rest))  # `$A$A` is one unknown run, one `*`
    parts = [p for p in marked.split("/") if p]
    if not parts or parts[-1].strip("\0") == "":
        return None
    literal = workspace_path(prefix + marked, cwd)
    return literal.replace("\0", "*") if literal is not None else None


def _joined(base: str, value: str) -> str | None:
    joined = posixpath.normpath(posixpath.join(base, value))
    if joined == ".":
        return ""
    if joined.startswith(".."):
        return None
    return joined
