"""What a Dockerfile stage knows while it is read: variables, working directory, user and home.

Values that cannot be known statically stay None; nothing is guessed. A stage built `FROM` an
earlier stage starts from that stage's state.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

# Base images whose default user is known (and so their home directory).
_ROOT_IMAGES = ("alpine", "ubuntu", "debian", "busybox", "golang", "python", "node", "maven", "gradle",
                "openjdk", "eclipse-temurin", "amazoncorretto", "centos", "fedora", "rockylinux", "almalinux",
                "amazonlinux", "ruby", "php", "rust", "nginx", "httpd", "docker", "registry.access.redhat.com/ubi",
                "redhat/ubi")
_JENKINS_IMAGES = ("jenkins/agent", "jenkins/inbound-agent", "jenkins/slave", "jenkins/jnlp-slave",
                   "jenkinsci/slave", "jenkinsci/jnlp-slave")
MAX_VALUE = 4096
"""The longest value kept (Linux's PATH_MAX); a longer expansion is unknown, so `ENV A=$A$A` repeated
stays linear."""
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def _image_name(reference: str) -> str:
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name.removeprefix("docker.io/").removeprefix("library/")


_IMAGE_ENV = {"golang": {"GOPATH": "/go"}}


def default_env(base: str) -> dict[str, str | None]:
    """Environment variables a base image is known to set (only those that change where tools write)."""
    return dict(_IMAGE_ENV.get(_image_name(base).split("/")[-1], {}))


def default_user(base: str) -> tuple[str | None, str | None]:
    """(user, home) a base image starts with, (None, None) when not known."""
    name = _image_name(base)
    if name.startswith(_JENKINS_IMAGES):
        return "jenkins", "/home/jenkins"
    if name.split("/")[-1] in _ROOT_IMAGES or name.startswith(_ROOT_IMAGES):
        return "root", "/root"
    return None, None


@dataclass
class StageState:
    variables: dict[str, str | None] = field(default_factory=dict)
    """ARG and ENV values; None when declared without a known value."""
    workdir: str | None = None
    user: str | None = None
    home: str | None = None
    homes: dict[str, str] = field(default_factory=dict)
    """Home directories created in the build (`useradd -m/-d`)."""
    volumes: list[str] = field(default_factory=list)
    posix_shell: bool = True
    """False after a `SHELL` that is not a POSIX shell (powershell, cmd): RUN is then not interpreted."""
    reads: list[str] | None = field(default=None, repr=False, compare=False)
    """While not None, the name of every variable looked up is appended (copies share the list)."""

    def copy(self) -> StageState:
        return replace(self, variables=dict(self.variables), homes=dict(self.homes), volumes=list(self.volumes))

    def expand(self, text: str) -> str | None:
        """`text` with `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR:+d}` and a leading `~` expanded; None if any
        value is unknown or the result is longer than MAX_VALUE."""
        unknown = False

        def value(match: re.Match[str]) -> str:
            nonlocal unknown
            name = match.group(1) or match.group(4)
            operator, word = match.group(2), match.group(3) or ""
            current = self.lookup(name)
            if operator in (":-", "-"):
                return current if current else word
            if operator in (":+", "+"):
                return word if current else ""
            if current is None:
                unknown = True
                return ""
            return current

        if text.startswith("~") and (len(text) == 1 or text[1] == "/"):
            home = self.lookup("HOME")
            if home is None:
                return None
            text = home + text[1:]
        result = _VARIABLE.sub(value, text)
        return None if unknown or len(result) > MAX_VALUE or "$" in result or "`" in result else result

    def lookup(self, name: str) -> str | None:
        if self.reads is not None:
            self.reads.append(name)
        if name in self.variables:
            return self.variables[name]
        if name == "HOME":
            return self.home
        return None

    def absolute(self, path: str, cwd: str | None = None) -> str | None:
        """`path` made absolute against `cwd` (default the WORKDIR) and lexically cleaned."""
        base = cwd if cwd is not None else self.workdir
        if not path.startswith("/"):
            if base is None:
                return None
            path = posixpath.join(base, path)
        cleaned = posixpath.normpath(path)
        return "/" + cleaned.lstrip("/")

    def set_user(self, user: str) -> None:
        name = user.split(":", 1)[0]
        self.user = name
        if "HOME" in self.variables:
            return
        if name in ("root", "0"):
            self.home = "/root"
        else:
            self.home = self.homes.get(name)


def initial_state(base: str, stages: dict[str, StageState]) -> StageState:
    """The state a stage starts in: an earlier stage's state, or the base image's known defaults."""
    earlier = stages.get(base.lower())
    if earlier is not None:
        return earlier.copy()
    user, home = default_user(base)
    homes = {user: home} if user and home else {}
    return StageState(variables=default_env(base), user=user, home=home, homes=homes)
