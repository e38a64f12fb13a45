"""KL007: a deprecated or ineffective kaniko executor flag.

**What it finds.** `--whitelist-var-run` (deprecated: `--ignore-var-run`), `--ignore-path` values that
match nothing (relative, or several paths joined by commas: each flag takes one path), a
`--context-sub-path` with a local context (it only applies to `scheme://` contexts), and
`--kaniko-dir` without a `KANIKO_DIR` environment variable in the container (the ignore-list entry
stays `/kaniko`).

**Why it matters.** The flag does not do what its author meant, silently.

**Example.**

```sh
/kaniko/executor --ignore-path=/opt/sdk,/opt/tools --context `pwd`
```

**Fix.** Repeat `--ignore-path` once per absolute path; use `--ignore-var-run`; set `KANIKO_DIR` in the
container's environment along with `--kaniko-dir`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..kaniko import FlagValue
from ..linked import LinkedBuild, PipelineAnalysis
from ..model import Finding, Severity
from .registry import rule


def _problems(linked: LinkedBuild) -> Iterator[tuple[FlagValue, str]]:
    call = linked.build.call
    for value in call.flags.get("--whitelist-var-run", []):
        yield value, "--whitelist-var-run is deprecated: use --ignore-var-run"
    for value in call.flags.get("--ignore-path", []):
        if "," in value.value:
            yield value, (f"--ignore-path takes one path; '{value.value}' is a single path that matches nothing: "
                          "repeat the flag per path")
        elif not value.value.startswith("/"):
            yield value, f"--ignore-path {value.value} is relative and never matches: use an absolute path"
    sub_path = call.last("--context-sub-path")
    context = call.last("--context")
    if sub_path is not None and (context is None or "://" not in context.value):
        yield sub_path, "--context-sub-path only applies to a scheme:// context; with a local context it is ignored"
    kaniko_dir = call.last("--kaniko-dir")
    container = linked.pod.container(linked.build.container) if linked.pod else None
    if kaniko_dir is not None and container is not None and "KANIKO_DIR" not in container.env \
            and "KANIKO_DIR" not in call.env:
        yield kaniko_dir, ("--kaniko-dir without KANIKO_DIR in the container's environment leaves /kaniko on the "
                           "ignore list")


@rule("KL007", "ineffective-executor-flag", Severity.INFO, "Deprecated or ineffective executor flag")
def check(analysis: PipelineAnalysis) -> Iterator[Finding]:
    for linked in analysis.builds:
        for value, message in _problems(linked):
            yield Finding("KL007", Severity.INFO, linked.build.script.location(value.start, value.end), message)
