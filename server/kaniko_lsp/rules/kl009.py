"""KL009: a RUN reads or edits image files where a volume is mounted.

**What it finds.** A `RUN` that reads or modifies existing files (`sed -i`, `chmod`, `chown`, a `cp`
source) under a mount point of the kaniko container. Files the same stage wrote before (a download made
executable) are the build's own: writing them is what KL001 reports.

**Why it matters.** kaniko does not unpack base-image files under a mount: the command sees the
volume's content instead (for the workspace volume, the Jenkins workspace), so it edits the wrong file
or fails to find it, and the image keeps the unmodified file.

**Example.**

```dockerfile
FROM jenkins/agent
RUN sed -i 's/umask 022/umask 002/' /home/jenkins/.bashrc   # /home/jenkins is the workspace mount
```

**Fix.** Move the working directory away from the image's files (see KL001), or edit the files at a
path that is not mounted.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..conflicts import SEES_VOLUME
from ..linked import PipelineAnalysis
from ..model import Finding, Related, Severity
from .common import call_sites, pod_conflicts, pod_fixes, qualifier
from .registry import rule


@rule("KL009", "run-sees-volume", Severity.WARNING,
      "A RUN reads or edits base-image files under a mounted path and sees the volume instead")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for build, pod, conflict in pod_conflicts(analysis, SEES_VOLUME):
        assert conflict.mount is not None
        effect = conflict.effect
        origin = conflict.mount.origin or pod.template.origin
        related = (Related(origin, f"{conflict.mount.path} is mounted here"),) if origin else ()
        yield Finding("KL009", Severity.WARNING, effect.location,
                      f"{effect.how} {effect.effect.value} {effect.path}, under {conflict.mount.path} mounted into "
                      f"container '{conflict.container.name}': it sees the volume's content, not the image's files"
                      f"{qualifier(build)}", (*related, *call_sites(build)), pod_fixes(analysis, pod, conflict))
