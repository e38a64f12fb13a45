"""KL001: a Dockerfile change will be missing from the image because its path is mounted.

**What it finds.** A `RUN`, `COPY`, `ADD` or `WORKDIR` of the image's final stage that writes under a
mount point of the kaniko container: the Jenkins workspace volume (mounted at the container's
working directory), a `volumeMounts` entry of the pod YAML, or a file Kubernetes mounts into every
container (`/etc/hosts`, `/etc/resolv.conf`, ...). It is reported on the Dockerfile path and on the
pipeline text that creates the mount; each points at the other.

**Why it matters.** kaniko puts every mount point of its container on its ignore list and never
snapshots what lies below. The build succeeds, and the image silently lacks the files.

**Example.**

```groovy
yaml '''
spec:
  containers:
  - name: kaniko
    workingDir: /home/jenkins      # the workspace volume is mounted here
'''
writeFile file: 'Dockerfile', text: 'FROM jenkins/agent\nRUN mkdir /home/jenkins/.m2\n'
```

**Fix.** Move the working directory to a path the Dockerfile does not write to (the plugin default
`/home/jenkins/agent`, or `/tmp/jenkins`); the quick fix edits every `workingDir` that must move with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis import PipelineAnalysis
from ..conflicts import LostWrite, lost_writes
from ..fixes import working_dir_fix
from ..model import Finding, Fix, Location, Mount, MountSource, Pod, Related, Severity
from .registry import rule


def _mount_description(mount: Mount, container: str) -> str:
    if mount.source is MountSource.WORKSPACE:
        return f"the Jenkins workspace volume, mounted at the working directory {mount.path} of container " \
               f"'{container}'"
    if mount.source is MountSource.KUBERNETES:
        return f"{mount.path}, which Kubernetes mounts into every container"
    return f"the volume mounted at {mount.path} in container '{container}'"


def _write_message(lost: LostWrite) -> str:
    where = _mount_description(lost.mount, lost.container.name)
    what = f"{lost.write.how} writes {lost.write.path}, under {where}"
    if lost.write.how.startswith("RUN"):
        return f"{what}. kaniko never snapshots mounted paths: this change will be missing from the image"
    return (f"{what}. kaniko ignores mounted paths, so whether this {lost.write.how} reaches the image depends "
            "on the instructions around it: treat it as missing")


@rule("KL001", "change-lost-under-mount", Severity.ERROR,
      "A Dockerfile change will be missing from the image: it writes under a mount of the kaniko container")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    pod_fixes: dict[int, tuple[Fix, ...]] = {}
    groups: dict[tuple[Location, str, str], tuple[list[LostWrite], tuple[Fix, ...]]] = {}

    def fixes_for(pod: Pod, lost: LostWrite) -> tuple[Fix, ...]:
        if lost.mount.source is not MountSource.WORKSPACE:
            return ()
        if id(pod) not in pod_fixes:
            fix = working_dir_fix(analysis, pod)
            pod_fixes[id(pod)] = (fix,) if fix else ()
        return pod_fixes[id(pod)]

    for build in analysis.builds:
        pod = build.pod
        if pod is None or build.use is None:
            continue
        for lost in lost_writes(pod, build):
            origin = lost.mount.origin or pod.template.origin or build.build.location
            fixes = fixes_for(pod, lost)
            related = Related(origin, f"{lost.mount.path} is mounted into container '{lost.container.name}' here")
            yield Finding("KL001", Severity.ERROR, lost.write.location, _write_message(lost), (related,), fixes)
            dockerfile = build.use.path
            if build.use.dockerfile.source.path != dockerfile:
                dockerfile += f" (written by the pipeline in {build.use.dockerfile.source.path})"
            groups.setdefault((origin, lost.container.name, dockerfile), ([], fixes))[0].append(lost)

    for (origin, container, dockerfile), (lost, fixes) in groups.items():
        paths = list(dict.fromkeys(w.write.path for w in lost))
        changes = "1 change" if len(paths) == 1 else f"{len(paths)} changes"
        yield Finding("KL001", Severity.ERROR, origin,
                      f"{_mount_cause(lost[0].mount, container)}, and kaniko never snapshots mounted paths: "
                      f"{changes} by {dockerfile} will be missing from the image ({', '.join(paths)})",
                      tuple(Related(w.write.location, f"{w.write.how} writes {w.write.path}") for w in lost),
                      fixes)


def _mount_cause(mount: Mount, container: str) -> str:
    """How the pipeline text at the mount's origin creates the mount."""
    if mount.source is MountSource.WORKSPACE:
        return f"The Jenkins workspace volume is mounted at {mount.path}, the working directory of container " \
               f"'{container}'"
    if mount.source is MountSource.KUBERNETES:
        return f"Kubernetes mounts {mount.path} into container '{container}'"
    return f"A volume is mounted at {mount.path} in container '{container}'"
