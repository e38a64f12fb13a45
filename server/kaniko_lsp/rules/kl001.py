"""KL001: a Dockerfile change will be missing from the image because its path is mounted.

**What it finds.** A `RUN`, `COPY`, `ADD` or `WORKDIR` of the stage that becomes the image that writes
under a mount point of the kaniko container: the Jenkins workspace volume (mounted at the container's
working directory), a `volumeMounts` entry of the pod YAML, a podTemplate volume, a file Kubernetes
mounts into every container (`/etc/hosts`, `/etc/resolv.conf`, ...), or, for a kaniko step of a Tekton
Task, Tekton's `/workspace` and `/tekton/...` volumes and the Task's workspaces (for a Kubernetes Job or
Pod that runs the executor, its `volumeMounts`; for an Argo template, its input artifacts, volumes and
`/var/run/argo`; for a GitLab CI job, the runner's builds volume at `/builds`). Writes a command makes without
naming the path count too (`npm ci` fills `node_modules` in the WORKDIR), but not a tool filling a
writable cache mount (`~/.m2` for `mvn`): that is what a cache mount is for. Writes in earlier stages
are not reported: `COPY --from` reads them from the live filesystem. It is reported on the Dockerfile
path and on the pipeline text that creates the mount; each points at the other.

**Why it matters.** kaniko puts every mount point of its container on its ignore list and never
snapshots what lies below. The build succeeds, and the image silently lacks the files. A `COPY` into a
mount is order-dependent: a later `RUN` can whiteout the mount point, and with `--single-snapshot` it
is always lost.

**Example.**

```groovy
yaml '''
spec:
  containers:
  - name: kaniko
    workingDir: /home/jenkins      # the workspace volume is mounted here
'''
writeFile file: 'Dockerfile', text: 'FROM jenkins/agent\\nRUN mkdir /home/jenkins/.m2\\n'
```

**Fix.** Move the working directory to a path the Dockerfile does not write to (the plugin default
`/home/jenkins/agent`, or `/tmp/jenkins`); the quick fix edits every `workingDir` that must move with it.
Tekton mounts `/workspace` into every step whatever the Task says (and a GitLab Runner its builds
directory into every job), so there the Dockerfile must work elsewhere (`WORKDIR /src`, `/app`), as the
message says; a volumeMount, an Argo input artifact or a Tekton workspace with a `mountPath` can move, and
the quick fix moves it to `/build-context` with the flags that name it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..conflicts import LOST, Conflict
from ..dockerfile.effects import PathEffect
from ..linked import LinkedBuild, PipelineAnalysis
from ..model import Finding, Location, Mount, MountSource, Pod, Related, Severity
from .common import call_sites, dockerfile_label, pod_conflicts, pod_fixes, qualifier
from .registry import rule

_MOUNT_PHRASES = {
    MountSource.WORKSPACE: "the Jenkins workspace volume, mounted at {path} (the working directory of container "
                           "'{container}')",
    MountSource.KUBERNETES: "{path}, which Kubernetes mounts into container '{container}'",
    MountSource.TEKTON: "{path}, which Tekton mounts into every step (step '{container}')",
    MountSource.TEKTON_WORKSPACE: "the Tekton workspace mounted at {path} (step '{container}')",
    MountSource.GITLAB_BUILDS: "the GitLab Runner's builds volume, mounted at {path} (job '{container}')",
    MountSource.GITLAB_VOLUME: "the GitLab Runner's volume at {path} (job '{container}')",
    MountSource.ARGO: "{path}, which Argo mounts into every main container (template '{container}')",
    MountSource.ARGO_ARTIFACT: "the input artifact placed at {path} (template '{container}')",
}


def describe_mount(mount: Mount, container: str) -> str:
    """What is mounted where, for messages on either side of a finding."""
    phrase = _MOUNT_PHRASES.get(mount.source, "the volume mounted at {path} in container '{container}'")
    return phrase.format(path=mount.path, container=container)


_FIXED_MOUNTS = {MountSource.TEKTON: "Tekton mounts it into every step",
                 MountSource.GITLAB_BUILDS: "the GitLab Runner mounts it into every job",
                 MountSource.GITLAB_VOLUME: "the GitLab Runner mounts it into every job",
                 MountSource.ARGO: "Argo mounts it into every main container"}
"""Mounts that no edit of the repository can move: the finding says what to change instead."""


def what_to_change(mount: Mount) -> str:
    """For a mount that cannot move, the advice appended to the messages (empty for the others)."""
    why = _FIXED_MOUNTS.get(mount.source)
    return f"; make the Dockerfile write outside {mount.path} ({why})" if why else ""


def copy_outcome(build: LinkedBuild, effect: PathEffect) -> str:
    """What kaniko does with a COPY/ADD/WORKDIR into a mounted path, given the RUNs around it."""
    assert build.use is not None
    instructions = build.use.dockerfile.stages[effect.stage].instructions
    at = instructions.index(effect.instruction)
    runs = [n for n, i in enumerate(instructions) if i.keyword == "RUN"]
    run_after = any(n > at for n in runs)
    whited_out = any(n > at and n != runs[0] for n in runs)  # a RUN after the stage's first snapshot
    flags = build.build.call
    if flags.last("--single-snapshot") is not None:
        return "with --single-snapshot it is always missing from the image"
    if flags.last("--use-new-run") is not None:
        return ("the RUN after it writes a whiteout for the mount point (--use-new-run), so it will be missing"
                if run_after else "it survives only because no RUN follows it in this stage: adding one loses it")
    if whited_out:
        return "a later RUN in this stage snapshots the mount point as deleted (a whiteout), so it will be missing"
    return ("it lands in the layer only because of where it stands (no RUN both before and after it in this "
            "stage); any RUN added around it loses it, and the base image's files there are never unpacked")


def _message(build: LinkedBuild, conflict: Conflict) -> str:
    assert conflict.mount is not None
    effect = conflict.effect
    where = describe_mount(conflict.mount, conflict.container.name)
    what = f"{effect.how} writes {effect.path}, under {where}"
    if effect.instruction.keyword == "RUN":
        return f"{what}. kaniko never snapshots mounted paths: this change will be missing from the image"
    return f"{what}. kaniko ignores mounted paths: {copy_outcome(build, effect)}"


MAX_PER_INSTRUCTION = 10
"""Lost paths of one instruction reported one by one; the rest share one more finding."""
MAX_LISTED = 10
"""Paths named in one message, and places given as related information, before "and N more"."""


def listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:MAX_LISTED])
    return shown if len(paths) <= MAX_LISTED else f"{shown} and {len(paths) - MAX_LISTED} more"


@rule("KL001", "change-lost-under-mount", Severity.ERROR,
      "A Dockerfile change will be missing from the image: it writes under a mount of the kaniko container")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    groups: dict[tuple[Location, str, str], tuple[Pod, list[Conflict], tuple[Related, ...]]] = {}
    beyond: dict[tuple[int, str], tuple[LinkedBuild, Pod, list[Conflict], Related]] = {}
    per_instruction: dict[tuple[int, str], int] = {}
    for build, pod, conflict in pod_conflicts(analysis, LOST):
        assert conflict.mount is not None and build.use is not None
        origin = conflict.mount.origin or pod.template.origin or build.build.location
        related = Related(origin, f"{conflict.mount.path} is mounted into container '{conflict.container.name}' here")
        key = (origin, conflict.container.name, dockerfile_label(build) + qualifier(build))
        groups.setdefault(key, (pod, [], call_sites(build)))[1].append(conflict)
        instruction = (id(conflict.effect.instruction), conflict.mount.path)
        per_instruction[instruction] = per_instruction.get(instruction, 0) + 1
        if per_instruction[instruction] > MAX_PER_INSTRUCTION:
            beyond.setdefault(instruction, (build, pod, [], related))[2].append(conflict)
            continue
        yield Finding("KL001", Severity.ERROR, conflict.effect.location,
                      _message(build, conflict) + qualifier(build) + what_to_change(conflict.mount),
                      (related, *call_sites(build)), pod_fixes(analysis, pod, conflict))

    for build, pod, rest, related in beyond.values():
        first = rest[0]
        assert first.mount is not None
        paths = list(dict.fromkeys(c.effect.path for c in rest))
        yield Finding("KL001", Severity.ERROR, first.effect.location,
                      f"{first.effect.how} writes {len(paths)} more paths under "
                      f"{describe_mount(first.mount, first.container.name)} ({listed(paths)}): these changes will "
                      f"be missing from the image too{qualifier(build)}",
                      (related, *call_sites(build)), pod_fixes(analysis, pod, first))

    for (origin, container, dockerfile), (pod, lost, sites) in groups.items():
        paths = list(dict.fromkeys(c.effect.path for c in lost))
        changes = "1 change" if len(paths) == 1 else f"{len(paths)} changes"
        assert lost[0].mount is not None
        yield Finding("KL001", Severity.ERROR, origin,
                      f"kaniko never snapshots {describe_mount(lost[0].mount, container)}: {changes} by "
                      f"{dockerfile} will be missing from the image ({listed(paths)}){what_to_change(lost[0].mount)}",
                      (*(Related(c.effect.location, f"{c.effect.how} writes {c.effect.path}")
                         for c in lost[:MAX_LISTED]), *sites),
                      pod_fixes(analysis, pod, lost[0]), tuple(c.effect.location for c in lost))
