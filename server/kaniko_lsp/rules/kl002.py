"""KL002: the build will fail on a mount of the kaniko container.

**What it finds.** A Dockerfile instruction that the kernel will refuse because of a mount in the
kaniko container: `rm`/`mv` of a mount point or of a directory that contains one (`Device or resource
busy`), `COPY`/`ADD` over a file mount (`/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname`, a
`subPath` mount), and any write, explicit or by a tool, under a read-only mount (secret, configMap,
projected, `readOnly: true`): `read-only file system`. Unlike KL001 this holds in every stage. A whole
root file system copied onto `/` (`COPY --from=stage / /`, `ADD rootfs/ /`) lands on every file
Kubernetes mounts at once. It is reported on the Dockerfile and on the `mountPath` that causes it.

**Why it matters.** The build fails, often far from the cause: a registry secret mounted at `/root`
instead of `/kaniko/.docker` makes `go build` fail because its cache lives in `/root/.cache`.

**Example.**

```yaml
volumeMounts:
- name: docker-config        # a secret
  mountPath: /root
```

```dockerfile
FROM golang:1.22 AS build
RUN go build -o /out/app .   # writes /root/.cache/go-build: read-only file system
```

**Fix.** Move the mount (the docker config belongs in `/kaniko/.docker`), or move the write; for a
mount caused by the working directory, the quick fix moves the working directory.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..conflicts import FAILS, Conflict
from ..dockerfile.effects import Effect
from ..linked import PipelineAnalysis
from ..model import Finding, Location, Pod, Related, Severity
from .common import call_sites, dockerfile_label, pod_conflicts, pod_fixes, qualifier
from .registry import rule


def _message(conflict: Conflict) -> str:
    assert conflict.mount is not None
    effect, mount, container = conflict.effect, conflict.mount, conflict.container.name
    if effect.effect is Effect.REMOVE:
        return (f"{effect.how} removes {effect.path}, which holds the mount point {mount.path} of container "
                f"'{container}': the build fails with 'Device or resource busy'")
    if mount.read_only:
        tool = " (a tool cache)" if effect.cache else ""
        return (f"{effect.how} {effect.effect.value} {effect.path}{tool}, under the read-only mount {mount.path} of "
                f"container '{container}': the build fails with 'read-only file system'")
    if effect.root_file_system and effect.path == "/":
        return (f"{effect.how} copies onto /, over what is mounted into container '{container}' ({mount.path} and "
                "the other files Kubernetes mounts, /proc, /sys, the workspace): the build fails with 'Device or "
                "resource busy' or 'read-only file system', or copies the workspace into the image")
    return (f"{effect.how} writes over {mount.path}, a file mounted into container '{container}': the build "
            "fails with 'Device or resource busy'")


@rule("KL002", "build-fails-on-mount", Severity.ERROR,
      "The build will fail: a mount point removed, a read-only mount written, or a file mount overwritten")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    groups: dict[tuple[Location, str, str], tuple[Pod, list[Conflict], tuple[Related, ...]]] = {}
    for build, pod, conflict in pod_conflicts(analysis, FAILS):
        assert conflict.mount is not None
        origin = conflict.mount.origin or pod.template.origin
        related = (Related(origin, f"{conflict.mount.path} is mounted into container '{conflict.container.name}' "
                                   "here"),) if origin else ()
        yield Finding("KL002", Severity.ERROR, conflict.effect.location, _message(conflict) + qualifier(build),
                      (*related, *call_sites(build)), pod_fixes(analysis, pod, conflict))
        if origin is not None and origin != conflict.effect.location:
            key = (origin, conflict.container.name, dockerfile_label(build) + qualifier(build))
            groups.setdefault(key, (pod, [], call_sites(build)))[1].append(conflict)
    for (origin, container, dockerfile), (pod, failing, sites) in groups.items():
        mount = failing[0].mount
        assert mount is not None
        count = "1 instruction" if len(failing) == 1 else f"{len(failing)} instructions"
        what = "read-only mount" if mount.read_only and failing[0].effect.effect is not Effect.REMOVE else "mount"
        yield Finding("KL002", Severity.ERROR, origin,
                      f"the {what} {mount.path} of container '{container}' makes {count} of {dockerfile} fail the "
                      f"build: {', '.join(dict.fromkeys(f'{c.effect.how} ({c.effect.path})' for c in failing))}",
                      (*(Related(c.effect.location, _message(c)) for c in failing), *sites),
                      pod_fixes(analysis, pod, failing[0]), tuple(c.effect.location for c in failing))
