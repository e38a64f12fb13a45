"""How a build's filesystem effects meet the kaniko container's mounts and ignore list.

One classification serves the rules and the fixer: KL001 (a change lost under a mount), KL002 (the
build fails: a mount point removed, a read-only mount written, a file mount overwritten), KL003 (lost
to kaniko's own ignore list) and KL009 (a RUN sees the volume instead of the image's files).
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import LinkedBuild
from .dockerfile.effects import Effect, PathEffect
from .jenkins.plugin import KUBERNETES_FILE_MOUNTS
from .kaniko import clean, covers, is_within
from .model import Container, Mount, MountSource, Pod

LOST, FAILS, IGNORED, SEES_VOLUME = "KL001", "KL002", "KL003", "KL009"


@dataclass(frozen=True)
class Conflict:
    rule: str
    effect: PathEffect
    container: Container
    mount: Mount | None = None
    ignored: str | None = None
    """For KL003: the ignore-list entry and why it is there."""


def _covering(container: Container, path: str) -> Mount | None:
    covering = [m for m in container.mounts if covers(m.path, path)]
    return max(covering, key=lambda m: len(m.path)) if covering else None


def _file_mounts(container: Container) -> list[Mount]:
    return [m for m in container.mounts if m.path in KUBERNETES_FILE_MOUNTS or m.sub_path]


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
    """Every conflict between the build's effects and its container, in effect order."""
    container = pod.container(build.build.container)
    if container is None or build.use is None:
        return []
    found: list[Conflict] = []
    built = build.use.effects.built_stage
    own_ignores = ignore_list(build, container)
    for effect in build.use.effects.effects:
        in_image = effect.stage == built
        writes = effect.effect in (Effect.WRITE, Effect.MODIFY)
        if effect.effect is Effect.REMOVE:
            removed = effect.path.removesuffix("/*")
            strictly_below = effect.path.endswith("/*")
            for mount in container.mounts:
                point = clean(mount.path)
                if is_within(point, removed) and not (strictly_below and point == removed):
                    found.append(Conflict(FAILS, effect, container, mount))
                    break
            continue
        mount = _covering(container, effect.path)
        if mount is not None and mount.read_only and writes:
            found.append(Conflict(FAILS, effect, container, mount))
            continue
        if effect.instruction.keyword in ("COPY", "ADD") and any(
                clean(m.path) == effect.path for m in _file_mounts(container)):
            file_mount = next(m for m in _file_mounts(container) if clean(m.path) == effect.path)
            found.append(Conflict(FAILS, effect, container, file_mount))
            continue
        if mount is not None and effect.effect in (Effect.MODIFY, Effect.READ):
            found.append(Conflict(SEES_VOLUME, effect, container, mount))
            continue
        if not in_image or effect.effect is not Effect.WRITE or effect.cache:
            continue
        if mount is not None:
            found.append(Conflict(LOST, effect, container, mount))
            continue
        entry = next(((p, why) for p, why in own_ignores if covers(p, effect.path)), None)
        if entry is None:
            entry = next(((v, "an earlier VOLUME instruction") for v in effect.volumes
                          if covers(v, effect.path) and clean(v) != effect.path), None)
        if entry is not None:
            found.append(Conflict(IGNORED, effect, container, ignored=f"{entry[0]} ({entry[1]})"))
    return found


def workspace_conflicts(pod: Pod, builds: list[LinkedBuild]) -> list[Conflict]:
    """KL001/KL002 conflicts caused by the workspace volume: the ones moving workingDir can fix."""
    return [c for b in builds for c in conflicts(pod, b)
            if c.rule in (LOST, FAILS) and c.mount is not None and c.mount.source is MountSource.WORKSPACE]
