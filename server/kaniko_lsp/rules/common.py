"""Helpers shared by the rules that compare a build's effects with its container."""

from __future__ import annotations

from collections.abc import Iterator

from ..conflicts import Conflict, conflicts
from ..fixes import working_dir_fix
from ..linked import LinkedBuild, PipelineAnalysis
from ..model import Fix, MountSource, Pod, Related
from ..mount_fix import mount_fix


def pod_conflicts(analysis: PipelineAnalysis, rule: str) -> Iterator[tuple[LinkedBuild, Pod, Conflict]]:
    """Conflicts of one rule over every linked build, with the build and its pod."""
    for build in analysis.builds:
        if build.pod is None or build.use is None:
            continue
        for conflict in conflicts(build.pod, build):
            if conflict.rule == rule:
                yield build, build.pod, conflict


def pod_fix(analysis: PipelineAnalysis, pod: Pod) -> tuple[Fix, ...]:
    """The pod's working-directory fix, computed once per analysis."""
    if id(pod) not in analysis.fixes:
        analysis.fixes[id(pod)] = working_dir_fix(analysis, pod)
    fix = analysis.fixes[id(pod)]
    return (fix,) if fix else ()


def pod_fixes(analysis: PipelineAnalysis, pod: Pod, conflict: Conflict) -> tuple[Fix, ...]:
    """The working-directory fix when the Jenkins workspace mount causes the conflict; for the other
    launchers, the fix that moves the mount when it can move."""
    mount = conflict.mount
    if mount is None:
        return ()
    if pod.template.launcher != "jenkins":
        if id(mount) not in analysis.fixes:
            analysis.fixes[id(mount)] = mount_fix(pod, mount, analysis.builds)
        fix = analysis.fixes[id(mount)]
        return (fix,) if fix else ()
    if mount.source is not MountSource.WORKSPACE:
        return ()
    return pod_fix(analysis, pod)


def qualifier(build: LinkedBuild) -> str:
    """What makes this copy of a build the one a finding is about: loop, matrix or method values, and the
    pattern the Dockerfile's path matched (empty when nothing does)."""
    parts = []
    if build.build.labels:
        parts.append("for " + ", ".join(build.build.labels))
    if build.pattern is not None:
        parts.append(f"one of the Dockerfiles matching {build.pattern}")
    return f" ({'; '.join(parts)})" if parts else ""


def call_sites(build: LinkedBuild) -> tuple[Related, ...]:
    """The calls of helper methods that lead to a build in their body."""
    return tuple(Related(site, "the helper is called here") for site in build.build.call_sites)


def dockerfile_label(build: LinkedBuild) -> str:
    """The Dockerfile's path, saying when the pipeline itself writes it."""
    assert build.use is not None
    label = build.use.path
    if build.use.dockerfile.source.path != label:
        label += f" (written by the pipeline in {build.use.dockerfile.source.path})"
    return label
