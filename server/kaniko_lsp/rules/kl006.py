"""KL006: `workingDir` on a pod template has no effect.

**What it finds.** `workingDir` given to `podTemplate(...)` or to a declarative `kubernetes { }` agent.

**Why it matters.** The Kubernetes plugin never reads it: containers keep their own `workingDir` (or
the agent's, or `/home/jenkins/agent`). People set it to move the workspace away from what their
Dockerfile writes, and the workspace volume stays where it was.

**Example.**

```groovy
agent {
  kubernetes {
    workingDir '/tmp/jenkins'   // ignored
    yaml '''...'''
  }
}
```

**Fix.** Set `workingDir` on the containers themselves (in the pod YAML or in `containerTemplate`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .registry import rule


@rule("KL006", "template-working-dir-ignored", Severity.WARNING,
      "workingDir on podTemplate or a declarative kubernetes agent has no effect on the pod")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for spec in analysis.pipeline.specs:
        setting = spec.ignored_working_dir
        if setting is not None:
            yield Finding("KL006", Severity.WARNING, setting.location,
                          f"workingDir {setting.value} on the pod template has no effect: the Kubernetes plugin "
                          "ignores it; set workingDir on the containers instead")
