"""KL011: a kaniko build could not be followed statically.

**What it finds.** A `/kaniko/executor` call that cannot be checked, with the reason: a remote build
context such as `git://`, `s3://` or `tar://`; a Dockerfile path built from values that are not known
statically (a build parameter, a method's result) and that matches no file of the workspace; a
Dockerfile that is neither in the repository nor written earlier by the pipeline; a build in a helper
method that nothing in the file calls (a shared library step); a build outside any Kubernetes pod agent;
a pod whose YAML cannot be parsed. Also a pod that is partly defined on the Jenkins controller
(`inheritFrom`, an agent chosen by `label`, pod YAML from a shared library or a missing `yamlFile`).
Every executor call is either checked or reported here (or by KL012 when its container is missing).

**Why it matters.** Nothing is checked for that build; this finding says so instead of staying silent.

**Example.**

```sh
/kaniko/executor --context git://github.com/acme/app.git --destination acme/app
```

**Fix.** None needed; keep the Dockerfile in the repository and pass a local `--context` to have the
build checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .common import call_sites, qualifier
from .registry import rule


@rule("KL011", "build-not-followed", Severity.INFO, "A kaniko build could not be followed statically")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    hosting = {id(b.pod) for b in analysis.builds if b.pod is not None}
    for pod in analysis.pods.values():
        if id(pod) not in hosting:
            continue
        for location, reason in pod.template.incomplete:
            yield Finding("KL011", Severity.INFO, location,
                          f"the pod is not fully known, so it is checked only for what the workspace shows: {reason}")
    for build in analysis.builds:
        if build.unresolved:
            yield Finding("KL011", Severity.INFO, build.build.location,
                          f"this kaniko build is not checked{qualifier(build)}: {build.unresolved}", call_sites(build))
