"""The files of a workspace: open editor buffers first, else the disk; and which files matter."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .text import decode, lone_cr_as_lf

_CONTROL = bytes(c for c in range(32) if c not in b"\t\n\r\f\x1b")
BINARY_SAMPLE = 8192


_NOT_A_FILE = {errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP}
"""Errors that say there is no file at a path (what `Path.is_file` reads as False)."""


def looks_binary(data: bytes) -> bool:
    """A NUL byte, or more than a tenth of the first 8 KB control characters or invalid UTF-8."""
    if b"\0" in data:
        return True
    sample = data[:BINARY_SAMPLE]
    if not sample:
        return False
    odd = len(sample) - len(sample.translate(None, _CONTROL))
    odd += sample.decode("utf-8", "replace").count("\ufffd")
    return odd * 10 > len(sample)


GLOB = "glob:"
"""Prefix of a recorded input that is a file listing (`glob:images/*/Dockerfile`) rather than a file."""
MAX_FILE_BYTES = 2 * 1024 * 1024
"""Larger files are not read (reported as unreadable): pipelines and Dockerfiles are far smaller."""
SKIPPED_DIRECTORIES = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox",
                       "vendor", "third_party", ".idea", ".vscode"}


def is_watched_name(name: str) -> bool:
    """Files whose changes can change findings: pipelines, Dockerfiles, YAML, and the config file."""
    return (is_pipeline_name(name) or is_dockerfile_name(name) or name.endswith((".yaml", ".yml", ".groovy"))
            or name == ".kaniko-lsp.yaml")


NOT_GROOVY = (".json", ".md", ".markdown", ".txt", ".rst", ".adoc", ".html", ".xml", ".yaml", ".yml", ".toml",
              ".ini", ".properties", ".png", ".jpg", ".svg", ".gif", ".pdf", ".sh", ".py", ".js", ".ts", ".bak",
              ".orig", ".swp", ".tmp", ".zip", ".gz", ".tar", ".lock", ".cfg", ".conf", ".css")
"""Endings of files named like pipelines that are something else (`jenkinsfile.tmLanguage.json`)."""


def is_pipeline_name(name: str) -> bool:
    """`Jenkinsfile`, `Jenkinsfile.<variant>` and `<name>.jenkinsfile`, but not `Jenkinsfile.md`."""
    lower = name.lower()
    if lower.endswith(NOT_GROOVY):
        return False
    return lower == "jenkinsfile" or lower.startswith("jenkinsfile.") or lower.endswith(".jenkinsfile")


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    return (lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile."))
            or lower.endswith(".dockerfile"))


def looks_like_tekton(text: str) -> bool:
    """Whether a YAML file may hold Tekton resources that run kaniko, themselves or through a Task or
    Pipeline they name (a cheap test on the text)."""
    return "tekton.dev/" in text and ("kaniko" in text or "taskRef" in text or "pipelineRef" in text)


def looks_like_workload(text: str) -> bool:
    """Whether a YAML file may hold a Kubernetes workload whose container runs kaniko itself (a cheap
    test on the text: the executor's flags are in the file)."""
    return ("kaniko" in text or "/executor" in text) and "kind:" in text and any(
        flag in text for flag in ("--context", "--dockerfile", "--destination", "--no-push"))


def looks_like_gitlab_ci(name: str, text: str) -> bool:
    """Whether a YAML file may hold GitLab CI jobs that run kaniko: `.gitlab-ci.yml` (its jobs may come from
    the files it includes), or a file it includes (jobs with a `script:`, and no Kubernetes `kind:`)."""
    if name.endswith(".gitlab-ci.yml"):
        return "executor" in text or "include" in text
    return "executor" in text and "script:" in text and "kind:" not in text and "kaniko" in text


PIPELINE_KINDS = ("Jenkinsfile, Jenkinsfile.*, *.jenkinsfile, pipeline *.groovy; YAML of Tekton, Argo Workflows, "
                  "Kubernetes workloads or GitLab CI that runs kaniko")
"""What `looks_like_pipeline` accepts, in words (for messages)."""


def looks_like_pipeline(name: str, text: str) -> bool:
    """Whether a file launches kaniko builds: a Jenkins pipeline (by name, or a `.groovy` file that defines
    one), or a YAML file of Tekton resources, Kubernetes workloads or GitLab CI jobs that run kaniko."""
    if is_pipeline_name(name):
        return True
    if name.endswith((".yaml", ".yml")):
        return looks_like_tekton(text) or looks_like_workload(text) or looks_like_gitlab_ci(name, text)
    return name.endswith(".groovy") and ("pipeline" in text or "podTemplate" in text)


@lru_cache(maxsize=256)
def _wildcard(pattern: str, name: str) -> bool:
    """Whether one path component matches a pattern whose `*` stands for any run of characters; greedy
    with one backtrack point, so it stays linear in practice whatever the stars (a regular expression
    of many `*` backtracks exponentially)."""
    i = j = 0
    star, mark = -1, 0
    while j < len(name):
        if i < len(pattern) and pattern[i] == "*":
            star, mark = i, j
            i += 1
        elif i < len(pattern) and pattern[i] == name[j]:
            i += 1
            j += 1
        elif star >= 0:
            mark += 1
            i, j = star + 1, mark
        else:
            return False
    return all(c == "*" for c in pattern[i:])


PATH_WILDCARD = "path-wildcard:"
"""Marks a pattern of GitLab's `include:local` dialect: the whole path matches, `**` stands for any
characters (`/` too), `*` for any but `/`."""


_WILDCARD_TOKEN = re.compile(r"\*\*|.", re.DOTALL)


def _path_wildcard_matches(pattern: str, path: str) -> bool:
    """Whether `path` matches a PATH_WILDCARD pattern; linear in the product of their lengths whatever the
    stars (the text before the first star and after the last is compared first)."""
    if "*" not in pattern:
        return path == pattern
    head, tail = pattern.split("*", 1)[0], pattern.rsplit("*", 1)[1]
    if len(path) < len(head) + len(tail) or not path.startswith(head) or not path.endswith(tail):
        return False
    tokens = _WILDCARD_TOKEN.findall(pattern)  # one character, "*" or "**"

    def closure(states: set[int]) -> set[int]:
        pending = list(states)
        while pending:
            state = pending.pop()
            if state < len(tokens) and tokens[state] in ("*", "**") and state + 1 not in states:
                states.add(state + 1)
                pending.append(state + 1)
        return states

    states = closure({0})
    for character in path:
        following: set[int] = set()
        for state in states:
            if state == len(tokens):
                continue
            token = tokens[state]
            if token == "**" or (token == "*" and character != "/"):
                following.add(state)
            elif token == character:
                following.add(state + 1)
        if not following:
            return False
        states = closure(following)
    return len(tokens) in states


def glob_matches(pattern: str, path: str) -> bool:
    """Whether a workspace path matches a glob whose `*` stays within one folder; a first component `**`
    stands for any number of folders (`**/*.yaml`: every YAML file). A PATH_WILDCARD pattern follows
    GitLab's dialect instead."""
    if pattern.startswith(PATH_WILDCARD):
        return _path_wildcard_matches(pattern[len(PATH_WILDCARD):], path)
    parts, names = pattern.split("/"), path.split("/")
    if parts[0] == "**":
        rest = parts[1:]
        return len(names) >= len(rest) and all(_wildcard(p, n) for p, n in zip(rest, names[len(names) - len(rest):],
                                                                                 strict=True))
    return len(parts) == len(names) and all(_wildcard(p, n) for p, n in zip(parts, names, strict=True))


def relative_to(root: Path, path: Path) -> str | None:
    """`path` as a POSIX path relative to `root`, None when it lies outside."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return None


@dataclass
class Unreadable:
    path: str
    reason: str


@dataclass
class Workspace:
    """A workspace root on disk plus unsaved editor buffers, addressed by POSIX relative paths.

    It is the only place that touches the disk. What it reads is kept until `forget` says the file
    changed, and every read (of a file that exists or not) is noted by the `recording()` in progress,
    which is how an analysis learns its inputs.
    """

    root: Path
    buffers: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, Unreadable] = field(default_factory=dict)
    disk: dict[str, str | None] = field(default_factory=dict, repr=False)
    """Texts read from disk (None: missing or unreadable), kept until `forget`."""
    recordings: list[set[str]] = field(default_factory=list, repr=False)
    listing: set[str] | None = field(default=None, repr=False)
    unlisted: dict[str, str] = field(default_factory=dict)
    """Folders the last scan could not list (`dir/`), with the reason."""
    """Every file under the root, listed on the first `glob` and kept current by `forget`."""

    def __post_init__(self) -> None:
        self.root = Path(os.path.abspath(self.root))

    def relative(self, path: Path) -> str | None:
        return relative_to(self.root, path)

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Notes the path of every read made inside the block (nested recordings all note it)."""
        paths: set[str] = set()
        self.recordings.append(paths)
        try:
            yield paths
        finally:
            self.recordings.pop()

    def read(self, relative: str) -> str | None:
        """The text of a file, None when it does not exist or cannot be read as text."""
        for paths in self.recordings:
            paths.add(relative)
        if relative in self.buffers:
            text = self.buffers[relative]
            if len(text) > MAX_FILE_BYTES:
                self.unreadable[relative] = Unreadable(relative, f"not read: {len(text)} characters is over the "
                                                                 f"{MAX_FILE_BYTES} limit")
                return None
            self.unreadable.pop(relative, None)
            return lone_cr_as_lf(text)
        if relative not in self.disk:
            self.disk[relative] = self._read_disk(relative)
        return self.disk[relative]

    def _read_disk(self, relative: str) -> str | None:
        path = os.path.join(self.root, relative)
        try:
            status = os.stat(path)
            if not stat.S_ISREG(status.st_mode):
                self.unreadable.pop(relative, None)
                return None
            if status.st_size > MAX_FILE_BYTES:
                self.unreadable[relative] = Unreadable(relative, f"not read: {status.st_size} bytes is over the "
                                                                 f"{MAX_FILE_BYTES} byte limit")
                return None
            with open(path, "rb") as file:
                data = file.read()
        except (OSError, ValueError) as error:
            if isinstance(error, ValueError) or error.errno in _NOT_A_FILE:
                self.unreadable.pop(relative, None)
                return None
            self.unreadable[relative] = Unreadable(relative, f"not read: {error.strerror or error}")
            return None
        if looks_binary(data):
            self.unreadable[relative] = Unreadable(relative, "not read: binary content")
            return None
        self.unreadable.pop(relative, None)
        return decode(data)

    def forget(self, relative: str) -> None:
        """Drops what was read of a file from disk: it changed, was created or deleted."""
        self.disk.pop(relative, None)
        if relative not in self.buffers:
            self.unreadable.pop(relative, None)
        if self.listing is not None:
            if self.absolute(relative).is_file():
                self.listing.add(relative)
            else:
                self.listing.discard(relative)

    def glob(self, pattern: str) -> list[str]:
        """The files (on disk or open) whose path matches `pattern` (`*` stays within one folder), noted
        by the recording in progress as the input `glob:<pattern>`."""
        for paths in self.recordings:
            paths.add(GLOB + pattern)
        if self.listing is None:
            self.listing = set(self.files())
        return sorted(p for p in self.listing | set(self.buffers) if glob_matches(pattern, p))

    def read_input(self, recorded: str) -> str | None:
        """What an input a recording noted reads as now: a file's text, or for `glob:<pattern>` the paths
        the pattern matches, one per line."""
        if recorded.startswith(GLOB):
            return "\n".join(self.glob(recorded[len(GLOB):]))
        return self.read(recorded)

    def exists(self, relative: str) -> bool:
        return relative in self.buffers or self.absolute(relative).is_file()

    def files(self) -> Iterator[str]:
        """Every file under the root (relative POSIX paths), skipping VCS and dependency folders."""
        seen = set()
        root = str(self.root)
        def unlisted(error: OSError) -> None:
            folder = os.path.relpath(error.filename or root, root).replace(os.sep, "/")
            self.unlisted[folder + "/"] = f"not read: the folder cannot be listed ({error.strerror or error})"

        for directory, subdirectories, names in os.walk(root, onerror=unlisted):
            subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
            prefix = os.path.relpath(directory, root).replace(os.sep, "/") + "/"
            prefix = "" if prefix == "./" else prefix
            for name in sorted(names):
                relative = prefix + name
                seen.add(relative)
                yield relative
        for relative in sorted(self.buffers):
            if relative not in seen:
                yield relative

    def is_pipeline(self, relative: str) -> bool:
        """Whether a file is a pipeline, by name (a `.groovy` or YAML file by what it defines)."""
        name = relative.rsplit("/", 1)[-1]
        if is_pipeline_name(name):
            return True
        if not name.endswith((".groovy", ".yaml", ".yml")):
            return False
        text = self.read(relative)
        return text is not None and looks_like_pipeline(name, text)

    def pipelines(self) -> list[str]:
        """Every pipeline file of the workspace, scanning the disk (and the open buffers)."""
        return [relative for relative in self.files() if self.is_pipeline(relative)]
