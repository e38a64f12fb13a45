"""KL008: kaniko starts in a directory it may delete.

**What it finds.** A multi-stage or `--cleanup` build in a kaniko container that has no working
directory of its own (nor one inherited from the agent container), when a later `sh` step runs in
that container.

**Why it matters.** The `container` step execs into the container's working directory, which is then
the image `WORKDIR` `/workspace`: not a mount. kaniko deletes everything that is not ignored between
stages and with `--cleanup`, so the next step in that container fails with
`chdir to cwd ("/workspace") set in config.json failed`.

**Example.**

```yaml
- name: kaniko
  image: gcr.io/kaniko-project/executor:debug    # no workingDir: starts in /workspace
```

**Fix.** Give the kaniko container the agent's working directory (`workingDir: /home/jenkins/agent`),
which is the workspace mount; the quick fix adds it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..linked import PipelineAnalysis
from ..model import DEFAULT_WORKING_DIR, Finding, Fix, Severity, TextEdit
from .registry import rule


@rule("KL008", "kaniko-starts-in-deleted-directory", Severity.WARNING,
      "kaniko's working directory is not on a mount and the build deletes it (multi-stage or --cleanup)")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for linked in analysis.builds:
        pod, use = linked.pod, linked.use
        container = pod.container(linked.build.container) if pod else None
        if pod is None or container is None or pod.working_dir(container) is not None:
            continue
        multi_stage = use is not None and use.effects.stage_count > 1
        cleanup = linked.build.call.last("--cleanup") is not None
        later_steps = [(spec, name) for spec, name in analysis.pipeline.shell_steps[linked.build.step + 1:]
                       if analysis.pod(spec) is pod and name == container.name]
        if not (multi_stage or cleanup) or not later_steps:
            continue
        why = "--cleanup" if cleanup else "a multi-stage build"
        fixes: tuple[Fix, ...] = ()
        if container.key_insertion is not None and pod.effective_working_dir(pod.agent) == DEFAULT_WORKING_DIR:
            location, template = container.key_insertion
            fixes = (Fix(f"Set the working directory of '{container.name}' to {DEFAULT_WORKING_DIR}",
                         (TextEdit(location.path, location.range, template.format(DEFAULT_WORKING_DIR)),)),)
        yield Finding("KL008", Severity.WARNING, linked.build.location,
                      f"container '{container.name}' has no workingDir, so its steps start in the image's /workspace, "
                      f"which {why} deletes: the next step in this container fails with 'chdir to cwd "
                      "(\"/workspace\")'", (), fixes)
