"""Which Dockerfile writes land under a mount of the kaniko container (shared by rules and fixes)."""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import LinkedBuild
from .dockerfile.writes import Write
from .kaniko import covers
from .model import Container, Mount, Pod


@dataclass(frozen=True)
class LostWrite:
    write: Write
    mount: Mount
    container: Container


def lost_writes(pod: Pod, build: LinkedBuild) -> list[LostWrite]:
    """Writes of the built image that kaniko will not snapshot because a mount covers them."""
    container = pod.container(build.build.container)
    if container is None or build.use is None:
        return []
    lost = []
    for write in build.use.writes:
        covering = [m for m in container.mounts if not m.read_only and covers(m.path, write.path)]
        if covering:
            mount = max(covering, key=lambda m: len(m.path))
            lost.append(LostWrite(write, mount, container))
    return lost
