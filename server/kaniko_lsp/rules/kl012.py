"""KL012: `container('x')` names a container the pod does not have.

**What it finds.** A `container` step whose name matches no container of the agent pod, including a
container that an outer `podTemplate` declares but a nested one drops (with the default
`yamlMergeStrategy: override()`, a nested template's yaml replaces the outer yaml).

**Why it matters.** The step fails at run time, after the pod has been scheduled and the earlier
stages have run.

**Example.**

```groovy
podTemplate(yaml: '''spec: {containers: [{name: kaniko, image: gcr.io/kaniko-project/executor:debug}]}''') {
  podTemplate(yaml: '''spec: {containers: [{name: maven, image: maven}]}''') {
    node(POD_LABEL) { container('kaniko') { sh 'ls' } }   // kaniko was dropped
  }
}
```

**Fix.** Declare the container in the pod the step runs in, or use `yamlMergeStrategy: merge()`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .registry import rule


@rule("KL012", "unknown-container", Severity.ERROR, "container('x') names a container the pod does not define")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for step in analysis.pipeline.container_steps:
        pod = analysis.pod(step.spec)
        if pod is None or pod.template.incomplete or pod.template.unreadable or pod.container(step.name) is not None:
            continue
        known = ", ".join(f"'{c.name}'" for c in pod.containers)
        yield Finding("KL012", Severity.ERROR, step.location,
                      f"the pod has no container '{step.name}' (it has {known})")
