"""KL003: a change will be missing because of kaniko's own ignore list.

**What it finds.** A write of the stage that becomes the image under a path kaniko never snapshots,
whether or not anything is mounted there: `/kaniko` (or `$KANIKO_DIR`), `/etc/mtab`, `/var/run`
(unless `--ignore-var-run=false`), `/proc`, `/sys`, `/dev`, every `--ignore-path`, and the descendants
of a `VOLUME` declared earlier in the same stage.

**Why it matters.** The build succeeds and the files are not in the image. `/var/run` surprises most:
`/run` is the path that is kept.

**Example.**

```dockerfile
FROM alpine
RUN mkdir -p /var/run/app && touch /var/run/app/ready
```

**Fix.** Write somewhere kaniko keeps (`/run` instead of `/var/run`), or drop the flag or `VOLUME`
that hides the path.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..conflicts import IGNORED
from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .common import call_sites, pod_conflicts, qualifier
from .registry import rule


@rule("KL003", "change-lost-to-ignore-list", Severity.WARNING,
      "A Dockerfile change will be missing from the image: kaniko's own ignore list covers it")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for build, _pod, conflict in pod_conflicts(analysis, IGNORED):
        effect = conflict.effect
        yield Finding("KL003", Severity.WARNING, effect.location,
                      f"{effect.how} writes {effect.path}, which kaniko never snapshots: it is under "
                      f"{conflict.ignored}; this change will be missing from the image{qualifier(build)}",
                      call_sites(build))
