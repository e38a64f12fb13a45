"""KL010: pod YAML cannot be parsed.

**What it finds.** Pod YAML (inline in a Jenkinsfile, or in a file the pipeline reads) that is not
valid YAML, reported at the exact position of the error in the file you edit.

**Why it matters.** The plugin rejects the pod and the build never starts; kaniko-lsp cannot tell
which paths are mounted, so no other rule can check that pod.

**Example.**

```yaml
spec:
  containers:
  - name: kaniko
	workingDir: /tmp/jenkins   # a tab: YAML forbids tabs in indentation
```

**Fix.** Correct the YAML at the reported position (indent with spaces).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .registry import rule


@rule("KL010", "pod-yaml-invalid", Severity.ERROR, "Pod YAML cannot be parsed")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for location, message in analysis.yaml_errors:
        yield Finding("KL010", Severity.ERROR, location, message)
