"""How a build's filesystem effects meet the kaniko container's mounts and ignore list.

One classification serves the rules and the fixer: KL001 (a change lost under a mount), KL002 (the
build fails: a mount point removed, a read-only mount written, a file mount overwritten), KL003 (lost
to kaniko's own ignore list) and KL009 (a RUN sees the volume instead of the image's files).
"""

from __future__ import annotations

from dataclasses import dataclass

from .dockerfile.effects import Effect
from .jenkins.plugin import KUBERNETES_FILE_MOUNTS
from .kaniko import PathIndex, clean
from .linked import Conflict, LinkedBuild
from .model import Container, Mount, MountSource, Pod

LOST, FAILS, IGNORED, SEES_VOLUME = "KL001", "KL002", "KL003", "KL009"
_WRITE, _MODIFY, _READ, _REMOVE = Effect.WRITE, Effect.MODIFY, Effect.READ, Effect.REMOVE


@dataclass
class _ContainerMounts:
    """A container's mounts indexed once for every effect of a build."""

    covering: PathIndex[Mount]
    points: list[tuple[str, Mount]]
    files: dict[str, Mount]

    @staticmethod
    def of(container: Container) -> _ContainerMounts:
        files: dict[str, Mount] = {}
        for mount in container.mounts:
            if mount.path in KUBERNETES_FILE_MOUNTS or mount.sub_path:
                files.setdefault(clean(mount.path), mount)
        return _ContainerMounts(PathIndex((m.path, m) for m in container.mounts),
                                [(clean(m.path), m) for m in container.mounts], files)


def ignore_list(build: LinkedBuild, container: Container) -> list[tuple[str, str]]:
    """kaniko's own ignore-list entries (not mounts) for this build, each with where it comes from."""
    flags = build.build.call
    kaniko_dir = flags.env.get("KANIKO_DIR") or container.env.get("KANIKO_DIR") or "/kaniko"
    entries = [(clean(kaniko_dir), "kaniko's own directory"), ("/etc/mtab", "kaniko default"),
               ("/proc", "a kernel filesystem"), ("/sys", "a kernel filesystem"), ("/dev", "a kernel filesystem")]
    ignore_var_run = flags.last("--ignore-var-run", "--whitelist-var-run")
    if ignore_var_run is None or ignore_var_run.value.lower() != "false":
        entries.append(("/var/run", "kaniko default (--ignore-var-run)"))
    for value in flags.flags.get("--ignore-path", []):
        if value.value.startswith("/") and clean(value.value) != "/":
            entries.append((clean(value.value), "--ignore-path"))
    return entries


def conflicts(pod: Pod, build: LinkedBuild) -> list[Conflict]:
    """Every conflict between the build's effects and its container, in effect order (computed once
    for the build's own pod)."""
    if pod is build.pod and build.conflicts is not None:
        return build.conflicts
    found = _conflicts(pod, build)
    if pod is build.pod:
        build.conflicts = found
    return found


def _conflicts(pod: Pod, build: LinkedBuild) -> list[Conflict]:
    container = pod.container(build.build.container)
    if container is None or build.use is None:
        return []
    found: list[Conflict] = []
    built = build.use.effects.built_stage
    mounts = _ContainerMounts.of(container)
    own_ignores = PathIndex((path, f"{path} ({why})") for path, why in ignore_list(build, container))
    written: dict[int, set[str]] = {}
    """Paths each stage has written so far: editing them later edits the build's own files."""
    files = mounts.files
    any_file = next(iter(files.values()), None)
    stage, created = None, set()
    for effect in build.use.effects.effects:
        path, kind = effect.path, effect.effect
        if effect.stage != stage:
            stage = effect.stage
            created = written.setdefault(stage, set())
        if kind is _WRITE:
            created.add(path)
        elif kind is _REMOVE:
            removed = clean(path.removesuffix("/*"))
            strictly_below = path.endswith("/*")
            inside = removed.rstrip("/") + "/"
            for point, mount in mounts.points:
                if (point == removed and not strictly_below) or point.startswith(inside):
                    found.append(Conflict(FAILS, effect, container, mount))
                    break
            continue
        deepest = mounts.covering.longest(path)
        if deepest is not None and deepest.read_only and (kind is _WRITE or kind is _MODIFY):
            found.append(Conflict(FAILS, effect, container, deepest))
            continue
        file_mount = files.get(path)
        if file_mount is not None and effect.instruction.keyword not in ("COPY", "ADD"):
            file_mount = None
        if effect.root_file_system and path == "/" and any_file is not None:  # a root file system over the mounts
            file_mount = any_file
        if file_mount is not None:
            found.append(Conflict(FAILS, effect, container, file_mount))
            continue
        if deepest is not None and (kind is _MODIFY or kind is _READ) and not _within_any(path, created):
            found.append(Conflict(SEES_VOLUME, effect, container, deepest))
            continue
        if stage != built or kind is not _WRITE or effect.cache:
            continue
        if deepest is not None:
            found.append(Conflict(LOST, effect, container, deepest))
            continue
        ignored = own_ignores.first(path)
        if ignored is None and effect.volumes:
            ignored = PathIndex((v, f"{v} (an earlier VOLUME instruction)") for v in effect.volumes
                                if clean(v) != path).first(path)
        if ignored is not None:
            found.append(Conflict(IGNORED, effect, container, ignored=ignored))
    return found


def _within_any(path: str, directories: set[str]) -> bool:
    """Whether `path` or one of its ancestors is in `directories` (clean absolute paths)."""
    while True:
        if path in directories:
            return True
        if path == "/" or not path:
            return False
        path = path[:path.rfind("/")] or "/"


def workspace_conflicts(pod: Pod, builds: list[LinkedBuild]) -> list[Conflict]:
    """KL001/KL002 conflicts caused by the workspace volume: the ones moving workingDir can fix."""
    return [c for b in builds for c in conflicts(pod, b)
            if c.rule in (LOST, FAILS) and c.mount is not None and c.mount.source is MountSource.WORKSPACE]
