"""The files of a workspace: open editor buffers first, else the disk; and which files matter."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Larger files are not read (reported as unreadable): pipelines and Dockerfiles are far smaller."""
SKIPPED_DIRECTORIES = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox",
                       "vendor", "third_party", ".idea", ".vscode"}


def is_watched_name(name: str) -> bool:
    """Files whose changes can change findings: pipelines, Dockerfiles, YAML, and the config file."""
    return (is_pipeline_name(name) or is_dockerfile_name(name) or name.endswith((".yaml", ".yml", ".groovy"))
            or name == ".kaniko-lsp.yaml")


def is_pipeline_name(name: str) -> bool:
    lower = name.lower()
    return lower == "jenkinsfile" or lower.startswith("jenkinsfile.") or lower.endswith(".jenkinsfile")


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    return (lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile."))
            or lower.endswith(".dockerfile"))


def looks_like_pipeline(name: str, text: str) -> bool:
    """Whether a file is a Jenkins pipeline: by name, or a `.groovy` file that defines one."""
    if is_pipeline_name(name):
        return True
    return name.endswith(".groovy") and ("pipeline" in text or "podTemplate" in text)


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
    """A workspace root on disk plus unsaved editor buffers, addressed by POSIX relative paths."""

    root: Path
    buffers: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, Unreadable] = field(default_factory=dict)
    index: set[str] | None = None
    """Pipeline files found by an earlier scan (kept current by the editor); None scans the disk."""

    def __post_init__(self) -> None:
        self.root = Path(os.path.abspath(self.root))

    def relative(self, path: Path) -> str | None:
        return relative_to(self.root, path)

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str | None:
        """The text of a file, None when it does not exist or cannot be read as text."""
        if relative in self.buffers:
            text = self.buffers[relative]
            if len(text) > MAX_FILE_BYTES:
                self.unreadable[relative] = Unreadable(relative, f"not read: {len(text)} characters is over the "
                                                                 f"{MAX_FILE_BYTES} limit")
                return None
            return text
        path = self.absolute(relative)
        try:
            if not path.is_file():
                return None
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.unreadable[relative] = Unreadable(relative, f"not read: {size} bytes is over the "
                                                                 f"{MAX_FILE_BYTES} byte limit")
                return None
            data = path.read_bytes()
        except OSError as error:
            self.unreadable[relative] = Unreadable(relative, f"not read: {error.strerror or error}")
            return None
        if b"\0" in data:
            self.unreadable[relative] = Unreadable(relative, "not read: binary content")
            return None
        self.unreadable.pop(relative, None)
        return data.decode("utf-8", errors="replace")

    def exists(self, relative: str) -> bool:
        return relative in self.buffers or self.absolute(relative).is_file()

    def files(self) -> Iterator[str]:
        """Every file under the root (relative POSIX paths), skipping VCS and dependency folders."""
        seen = set()
        root = str(self.root)
        for directory, subdirectories, names in os.walk(root):
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

    def pipelines(self) -> list[str]:
        if self.index is not None:
            extra = {p for p, text in self.buffers.items() if looks_like_pipeline(p.rsplit("/", 1)[-1], text)}
            return sorted(self.index | extra)
        found = []
        for relative in self.files():
            name = relative.rsplit("/", 1)[-1]
            if is_pipeline_name(name):
                found.append(relative)
            elif name.endswith(".groovy"):
                text = self.read(relative)
                if text is not None and looks_like_pipeline(name, text):
                    found.append(relative)
        return found
