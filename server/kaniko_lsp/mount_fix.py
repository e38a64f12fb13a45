"""The mount fix of launchers other than Jenkins: move the mount the Dockerfile writes under.

For a Kubernetes workload or an Argo template, a `volumeMounts` entry or an input artifact `path`; for a
Tekton Task, a workspace's explicit `mountPath`. The mount path is changed, and so is every literal
reference to it in the container's executor flags and working directory, so that the build reads the
same files; a candidate path is offered only when every reference can be edited and no write of the
builds in that container meets a mount any more. Tekton's own `/workspace` and the GitLab Runner's
`/builds` cannot move: those findings carry no fix.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Sequence

from .conflicts import FAILS, LOST, conflicts
from .linked import LinkedBuild
from .model import Fix, Location, Mount, MountSource, Pod, TextEdit

MOVABLE = (MountSource.YAML, MountSource.ARGO_ARTIFACT, MountSource.TEKTON_WORKSPACE)
CANDIDATES = ("/build-context", "/kaniko-build-context")
"""Where a moved mount goes: paths Dockerfiles do not use."""


def mount_fix(pod: Pod, mount: Mount, builds: Sequence[LinkedBuild]) -> Fix | None:
    """Edits that move `mount` (and the references to it) where no build of `pod` writes, or None."""
    if pod.template.launcher == "jenkins" or mount.source not in MOVABLE or mount.origin is None:
        return None
    container = next((c for c in pod.containers if mount in c.mounts), None)
    mine = [b for b in builds if b.pod is pod and b.use is not None]
    if container is None or not mine:
        return None
    old = posixpath.normpath(mount.path)
    for target in CANDIDATES:
        if any(posixpath.normpath(m.path) == target for m in container.mounts):
            continue
        edits = _references(container.working_dir.location if container.working_dir else None,
                            container.working_dir.value if container.working_dir else None, mine, old, target)
        if edits is None:
            return None
        moved = dataclasses.replace(mount, path=target)
        trial_container = dataclasses.replace(container, mounts=[moved if m is mount else m for m in container.mounts])
        trial = Pod(pod.template, [trial_container if c is container else c for c in pod.containers])
        if any(c.rule in (LOST, FAILS) for b in mine for c in conflicts(trial, b)):
            continue
        return Fix(f"Mount {mount.path} of '{container.name}' at {target} instead",
                   (TextEdit(mount.origin.path, mount.origin.range, target), *edits))
    return None


def _references(working_dir_location: Location | None, working_dir: str | None, builds: Sequence[LinkedBuild],
                old: str, new: str) -> list[TextEdit] | None:
    """Edits of the literal references to `old` in the builds' executor flags and the working directory;
    None when one cannot be edited in place (written differently, or substituted)."""
    edits: list[TextEdit] = []
    if working_dir is not None and _under(working_dir, old):
        if working_dir_location is None or not builds:
            return None
        host = builds[0].build.script.host
        written = host.text[host.offset(working_dir_location.range.start):host.offset(working_dir_location.range.end)]
        if written == working_dir:
            edits.append(TextEdit(working_dir_location.path, working_dir_location.range, new + working_dir[len(old):]))
        elif "$(workspaces." not in written:  # a Tekton reference follows the workspace; anything else cannot
            return None
    for build in builds:
        script = build.build.script
        for values in build.build.call.flags.values():
            for value in values:
                written = script.text[value.start:value.end]
                path = written[len("dir://"):] if written.startswith("dir://") else written
                if not _under(path, old):
                    if old in written:
                        return None
                    continue
                at = value.end - len(path)
                host_text = script.host.text
                start, end = script.host_offset(at), script.host_end(at + len(old))
                if host_text[start:end] != old:
                    written_at = script.host_offset(value.start)
                    line_end = host_text.find("\n", written_at)
                    if "$(workspaces." in host_text[written_at:line_end if line_end >= 0 else len(host_text)]:
                        continue  # a Tekton reference follows the workspace wherever it is mounted
                    return None
                edits.append(TextEdit(script.path, script.host.range(start, end), new))
    return list(dict.fromkeys(edits))


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")
