"""KL004: the pod's working directories cannot be reconciled by the `container` step.

**What it finds.** A container whose explicit `workingDir` differs from the agent container's when the
agent does not use the plugin default `/home/jenkins/agent`, or a container whose `workingDir` is a
string prefix of the agent's workspace path (for example `/home/jenkins` next to the default).

**Why it matters.** `container('x') { sh ... }` changes to the agent's directory in container `x`,
rewriting only the literal prefix `/home/jenkins/agent` to `x`'s workingDir. Any other combination makes
the `cd` fail or land in a directory that is not the workspace.

**Example.**

```yaml
spec:
  containers:
  - name: jnlp
    workingDir: /tmp/agent
  - name: kaniko
    workingDir: /home/jenkins/agent   # not reachable from /tmp/agent/workspace/<job>
```

**Fix.** Give the containers the same working directory; the quick fix sets them to one path that no
Dockerfile built in the pod writes to.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..jenkins.plugin import working_dir_conflicts
from ..linked import PipelineAnalysis
from ..model import Finding, Related, Severity
from .common import pod_fix
from .registry import rule


@rule("KL004", "unreachable-working-dir", Severity.ERROR,
      "The pod's containers have working directories that the container step cannot reconcile")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for pod in analysis.pods.values():
        if pod.template.launcher != "jenkins":  # only the Jenkins `container` step changes directory
            continue
        conflicts = working_dir_conflicts(pod)
        if not conflicts or pod.template.incomplete:
            continue
        fixes = pod_fix(analysis, pod)
        agent_dir = pod.working_dir(pod.agent)
        for container, reason in conflicts:
            ref = pod.working_dir(container)
            assert ref is not None
            related = (Related(agent_dir.location, f"the agent container '{pod.agent_name}' works in "
                                                   f"{agent_dir.value}"),) if agent_dir else ()
            yield Finding("KL004", Severity.ERROR, ref.location,
                          f"container '{container.name}' cannot be used by the container step: {reason}",
                          related, fixes)
