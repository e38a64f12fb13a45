"""Project configuration (`.kaniko-lsp.yaml`) and suppression comments.

```yaml
ignore: [KL011]                 # rules not reported
severity: {KL003: error}        # per-rule severity (error, warning, info)
ignorePaths: ["vendor/**"]      # workspace files (globs) whose findings are not reported
preferredWorkingDirs: [/build]  # tried by the working-directory fix after its defaults
gitlabRunner:                   # the GitLab Runner that runs this project's jobs (in its config.toml)
  executor: kubernetes          # kubernetes (default) or docker, which also mounts /cache
  buildsDir: /builds            # builds_dir
  volumes: [/certs/client]      # mount paths of [runners.docker] volumes / [[runners.kubernetes.volumes.*]]
```

The file nearest to a finding's file (walking up to the workspace root) applies. Inline, a comment
`# kaniko-lsp ignore=KL001,KL003` (or `// kaniko-lsp ignore=KL004` in Groovy) suppresses those rules
on the next line, or on the whole next Dockerfile instruction; `# kaniko-lsp ignore-file=KL001`
anywhere in a file suppresses them in the whole file.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .model import Severity

CONFIG_FILE = ".kaniko-lsp.yaml"
PRAGMA = re.compile(r"(?:#|//)\s*kaniko-lsp\s+ignore\s*=\s*([A-Za-z0-9_, ]+)")
FILE_PRAGMA = re.compile(r"(?:#|//)\s*kaniko-lsp\s+ignore-file\s*=\s*([A-Za-z0-9_, ]+)")
_RULE = re.compile(r"^KL\d{3}$")


RUNNER_EXECUTOR_VOLUMES = {"kubernetes": (), "docker": ("/cache",)}
"""Volumes each GitLab Runner executor mounts by default besides the builds directory (the Docker
executor's `register` writes `volumes = ["/cache"]`)."""


@dataclass(frozen=True)
class GitlabRunner:
    executor: str = "kubernetes"
    builds_dir: str = "/builds"
    volumes: tuple[str, ...] = ()

    @property
    def mounts(self) -> tuple[str, ...]:
        """The paths mounted into a job's container: the builds directory, the executor's defaults, and
        the configured volumes."""
        return tuple(dict.fromkeys((self.builds_dir, *RUNNER_EXECUTOR_VOLUMES[self.executor], *self.volumes)))


@dataclass
class Config:
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    ignore_paths: tuple[str, ...] = ()
    preferred_working_dirs: tuple[str, ...] = ()
    runner: GitlabRunner = field(default_factory=lambda: GitlabRunner())
    """The GitLab Runner's mounts, which live outside the repository."""

    def ignores_path(self, path: str, base: str = "") -> bool:
        relative = posixpath.relpath(path, base) if base else path
        return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.rstrip("/") + "/*")
                   for pattern in self.ignore_paths)


def parse_config(text: str, known_rules: set[str]) -> tuple[Config, list[str]]:
    """Reads a config file's text; returns the config (defaults for what is invalid) and the problems."""
    problems: list[str] = []
    try:
        data = YAML(typ="safe").load(text)
    except (YAMLError, ValueError) as error:
        return Config(), [f"invalid YAML: {error}".splitlines()[0]]
    if data is None:
        return Config(), []
    if not isinstance(data, dict):
        return Config(), ["expected a mapping of settings"]
    config = Config()

    def rules(value: object, key: str) -> list[str]:
        items = value if isinstance(value, list) else [value]
        valid = [str(v) for v in items if str(v) in known_rules]
        problems.extend(f"{key}: unknown rule {v!r}" for v in items if str(v) not in known_rules)
        return valid

    for key, value in data.items():
        if key == "ignore":
            config.ignore = frozenset(rules(value, key))
        elif key == "severity" and isinstance(value, dict):
            for rule, level in value.items():
                if str(rule) not in known_rules:
                    problems.append(f"severity: unknown rule {rule!r}")
                elif str(level).lower() not in {s.value for s in Severity}:
                    problems.append(f"severity: {rule}: {level!r} is not one of error, warning, info")
                else:
                    config.severity[str(rule)] = Severity(str(level).lower())
        elif key == "ignorePaths" and isinstance(value, list):
            config.ignore_paths = tuple(str(v) for v in value)
        elif key == "preferredWorkingDirs" and isinstance(value, list):
            absolute = [str(v) for v in value if str(v).startswith("/")]
            problems.extend(f"preferredWorkingDirs: {v!r} is not an absolute path" for v in value
                            if not str(v).startswith("/"))
            config.preferred_working_dirs = tuple(absolute)
        elif key == "gitlabRunner" and isinstance(value, dict):
            config.runner = _runner(value, problems)
        else:
            problems.append(f"unknown or malformed setting {key!r}")
    return config, problems


def _container_path(volume: str) -> str:
    """The path in the container of a runner volume (`/cache`, `/host/path:/cache`, `/host:/cache:ro`)."""
    parts = volume.split(":")
    return parts[1] if len(parts) >= 2 else parts[0]


def _runner(value: dict[object, object], problems: list[str]) -> GitlabRunner:
    executor = str(value.get("executor", "kubernetes"))
    if executor not in RUNNER_EXECUTOR_VOLUMES:
        problems.append(f"gitlabRunner.executor: {executor!r} is not one of kubernetes, docker")
        executor = "kubernetes"
    builds_dir = str(value.get("buildsDir", "/builds"))
    if not builds_dir.startswith("/"):
        problems.append(f"gitlabRunner.buildsDir: {builds_dir!r} is not an absolute path")
        builds_dir = "/builds"
    volumes = value.get("volumes", [])
    listed = [_container_path(str(v)) for v in volumes] if isinstance(volumes, list) else []
    problems.extend(f"gitlabRunner.volumes: {v!r} is not an absolute path" for v in listed if not v.startswith("/"))
    for key in value:
        if key not in ("executor", "buildsDir", "volumes"):
            problems.append(f"gitlabRunner: unknown setting {key!r}")
    return GitlabRunner(executor, builds_dir, tuple(v for v in listed if v.startswith("/")))


def _rules(listed: str) -> set[str]:
    return {r.strip().upper() for r in listed.split(",") if _RULE.match(r.strip().upper())}


def file_pragmas(text: str) -> set[str]:
    """Rules suppressed in a whole file by `kaniko-lsp ignore-file=` comments."""
    return {rule for match in FILE_PRAGMA.finditer(text) for rule in _rules(match.group(1))}


def pragma_lines(text: str) -> dict[int, set[str]]:
    """Rules suppressed per line: a pragma comment applies to the next line that is not blank or a comment."""
    suppressed: dict[int, set[str]] = {}
    pending: set[str] = set()
    for number, line in enumerate(text.splitlines()):
        match = PRAGMA.search(line)
        stripped = line.strip()
        if match:
            pending |= _rules(match.group(1))
            if stripped.startswith(("#", "//")):
                continue
        if pending and stripped and not stripped.startswith(("#", "//")):
            suppressed.setdefault(number, set()).update(pending)
            pending = set()
    return suppressed


class ConfigResolver:
    """Finds the `.kaniko-lsp.yaml` that applies to each workspace file (or one given explicitly).

    `load` reads and parses the config file at a workspace path (None when there is none).
    """

    def __init__(self, load: Callable[[str], tuple[Config, list[str]] | None], explicit: Config | None = None) -> None:
        self.load = load
        self.explicit = explicit
        self.by_directory: dict[str, tuple[Config, str] | None] = {}
        self.problems: dict[str, list[str]] = {}

    def _load(self, directory: str) -> tuple[Config, str] | None:
        if directory not in self.by_directory:
            path = posixpath.join(directory, CONFIG_FILE) if directory else CONFIG_FILE
            found = self.load(path)
            if found is None:
                self.by_directory[directory] = None
            else:
                config, problems = found
                if problems:
                    self.problems[path] = problems
                self.by_directory[directory] = (config, directory)
        return self.by_directory[directory]

    def for_path(self, path: str) -> tuple[Config, str]:
        """The config for a workspace file and the directory it lives in (paths in it are relative to that)."""
        if self.explicit is not None:
            return self.explicit, ""
        directory = posixpath.dirname(path)
        while True:
            found = self._load(directory)
            if found is not None:
                return found
            if not directory:
                return Config(), ""
            directory = posixpath.dirname(directory)
