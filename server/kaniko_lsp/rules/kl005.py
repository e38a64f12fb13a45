"""KL005: the kaniko container cannot run the pipeline's steps as written.

**What it finds.** `sh` steps running in a container whose kaniko executor image is not a `debug`
variant (those have no shell), a container whose command is a `/busybox/*` program on such an image,
and (as information) `/kaniko/executor` run in a container whose image is not a kaniko executor image.
The same for a GitLab CI job, whose script needs a shell in its image (Tekton steps, Argo templates and
Kubernetes containers that run the executor as their command need none).

**Why it matters.** `container('kaniko') { sh ... }` (or a GitLab job's `script`) needs a shell in the
container; only the `:debug` (and `vX.Y.Z-debug`) images carry busybox at `/busybox`. Without it the step
fails before kaniko starts.

**Example.**

```yaml
- name: kaniko
  image: gcr.io/kaniko-project/executor:v1.23.2     # no shell
```

**Fix.** Use the debug image (`gcr.io/kaniko-project/executor:v1.23.2-debug`, or a maintained fork's
debug image) and `shell: '/busybox/sh'`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .registry import rule


def is_kaniko_image(image: str) -> bool:
    return "kaniko" in image.lower()


OFFICIAL_EXECUTOR_IMAGES = ("gcr.io/kaniko-project/executor", "ghcr.io/osscontainertools/kaniko",
                            "docker.io/martizih/kaniko", "martizih/kaniko", "cgr.dev/chainguard/kaniko",
                            "chainguard/kaniko")


def is_official_executor(image: str) -> bool:
    """Images whose tags are known: only the `debug` ones carry a shell."""
    return image.split("@", 1)[0].rsplit(":", 1)[0] in OFFICIAL_EXECUTOR_IMAGES


def is_debug_image(image: str) -> bool:
    tag = image.rsplit("/", 1)[-1].partition(":")[2].partition("@")[0]
    return "debug" in tag


@rule("KL005", "kaniko-container-cannot-run-steps", Severity.WARNING,
      "The kaniko container cannot run pipeline steps as written (no shell, or not a kaniko image)")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for pod in analysis.pods.values():
        for container in pod.containers:
            image, command = container.image, container.command
            if image and command and command[0].startswith("/busybox/") and is_official_executor(image) \
                    and not is_debug_image(image) and container.name_ref is not None:
                yield Finding("KL005", Severity.WARNING, container.name_ref.location,
                              f"container '{container.name}' runs {command[0]}, but its image {image} has no "
                              "/busybox: use a debug image (tag ending in -debug)")
    seen: set[tuple[int, str]] = set()
    for build in analysis.builds:
        build_pod = build.pod
        executor = build_pod.container(build.build.container) if build_pod else None
        if executor is None or executor.image is None or (id(build_pod), executor.name) in seen:
            continue
        launcher = build_pod.template.launcher if build_pod is not None else "jenkins"
        if launcher not in ("jenkins", "gitlab"):  # the container runs the executor itself
            continue
        seen.add((id(build_pod), executor.name))
        image = executor.image
        where = f"job '{executor.name}'" if launcher == "gitlab" else f"container '{executor.name}'"
        if not is_kaniko_image(image):
            yield Finding("KL005", Severity.INFO, build.build.location,
                          f"/kaniko/executor runs in {where}, whose image {image} is not a kaniko executor image")
        elif is_official_executor(image) and not is_debug_image(image):
            shell = "its script" if launcher == "gitlab" else "this sh step"
            advice = "" if launcher == "gitlab" else " with shell '/busybox/sh'"
            yield Finding("KL005", Severity.WARNING, build.build.location,
                          f"{shell} runs in {where}, whose image {image} has no shell: use a debug image (tag "
                          f"ending in -debug){advice}")
