"""Hover, document links and inlay hints: what kaniko ignores in a container, which builds use a
Dockerfile instruction, and where `--dockerfile`, `--context`, `yamlFile` and `readTrusted` lead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

from ..conflicts import conflicts, ignore_list
from ..linked import LinkedBuild
from ..model import Container, Location, MountSource, Pod, Position

if TYPE_CHECKING:
    from .server import KanikoLanguageServer, View

_FATE = {"KL001": "missing from the image (under a mount)", "KL002": "fails the build",
         "KL003": "missing from the image (kaniko's ignore list)", "KL009": "sees the volume, not the image"}


_DECLARED = (MountSource.YAML, MountSource.TEMPLATE, MountSource.TEKTON_WORKSPACE, MountSource.ARGO_ARTIFACT)
"""Mounts written in the file (their origin is where the user declares them)."""


def _contains(location: Location | None, path: str, position: Position) -> bool:
    if location is None or location.path != path:
        return False
    return location.range.start <= position <= location.range.end


def _on_line_before(location: Location | None, path: str, position: Position) -> bool:
    """Whether `position` is on the value at `location` or before it on its line (its `workingDir:` or
    `mountPath:` key)."""
    if location is None or location.path != path:
        return False
    start, end = location.range.start, location.range.end
    return (start.line == position.line and position <= end) or _contains(location, path, position)


def _container_at(view: View, position: Position) -> tuple[Pod, Container] | None:
    path = view.path
    for pipeline in view.analyses:
        for pod in pipeline.pods.values():
            for container in pod.containers:
                places = [container.name_ref.location if container.name_ref else None,
                          container.working_dir.location if container.working_dir else None,
                          *(m.origin for m in container.mounts if m.source in _DECLARED)]
                if any(_on_line_before(place, path, position) for place in places):
                    return pod, container
    return None


def _build_at(view: View, position: Position) -> LinkedBuild | None:
    return next((b for a in view.analyses for b in a.builds if _contains(b.build.location, view.path, position)),
                None)


def build_hover(view: View, build: LinkedBuild) -> str:
    """What a `/kaniko/executor` call builds, where, and what kaniko will not snapshot there."""
    call = build.build.call
    lines = [f"**kaniko-lsp: kaniko build in container `{build.build.container}`**", ""]
    context = call.last("--context")
    lines.append(f"- context: `{context.value if context else '/workspace/ (the default)'}`")
    if build.use is not None:
        written = build.use.dockerfile.source.path
        lines.append(f"- Dockerfile: `{build.use.path}`" + (f" (written by the pipeline in `{written}`)"
                                                           if written != build.use.path else ""))
        target = call.last("--target")
        stages = build.use.effects.stage_count
        lines.append(f"- builds stage {'`' + target.value + '`' if target else 'the last'} of {stages}")
    else:
        lines.append(f"- not checked: {build.unresolved}")
    if build.build.labels:
        lines.append(f"- for {', '.join(build.build.labels)}")
    pod = build.pod
    container = pod.container(build.build.container) if pod is not None else None
    if pod is not None and container is not None:
        lines += ["", f"Working directory: `{pod.effective_working_dir(container)}`", "",
                  "Paths kaniko never snapshots here:", "", "| path | why |", "|---|---|"]
        for mount in container.mounts:
            lines.append(f"| `{mount.path}` | {mount.source.value}{' (read-only)' if mount.read_only else ''} |")
        lines += [f"| `{path}` | {why} |" for path, why in ignore_list(build, container)]
    return "\n".join(lines)


def _builds_in(view: View, pod: Pod, container: Container) -> list[LinkedBuild]:
    return [b for a in view.analyses for b in a.builds
            if b.pod is pod and b.build.container == container.name]


def container_hover(view: View, pod: Pod, container: Container) -> str:
    lines = [f"**kaniko-lsp: container `{container.name}`**", "",
             f"Working directory: `{pod.effective_working_dir(container)}`", "",
             "Paths kaniko never snapshots in this container:", "", "| path | why |", "|---|---|"]
    for mount in container.mounts:
        read_only = " (read-only)" if mount.read_only else ""
        lines.append(f"| `{mount.path}` | {mount.source.value}{read_only} |")
    builds = _builds_in(view, pod, container)
    entries = dict.fromkeys(entry for b in builds for entry in ignore_list(b, container))
    if not builds:
        entries = dict.fromkeys([("/kaniko", "kaniko's own directory"), ("/var/run", "kaniko default")])
    for path, why in entries:
        lines.append(f"| `{path}` | {why} |")
    if builds:
        lines += ["", "Builds here: " + ", ".join(f"`{b.use.path}`" if b.use else "(Dockerfile unknown)"
                                                  for b in builds)]
    return "\n".join(lines)


def instruction_hover(view: View, position: Position) -> str | None:
    path = view.path
    lines: list[str] = []
    for pipeline in view.analyses:
        for build in pipeline.builds:
            use = build.use
            if use is None or use.dockerfile.source.path != path or build.pod is None:
                continue
            dockerfile = use.dockerfile
            instruction = next((i for s in dockerfile.stages for i in s.instructions
                                if _contains(dockerfile.source.location(i.start, i.end), path, position)), None)
            if instruction is None:
                continue
            where = build.build.location
            container = build.build.container
            workdir = build.pod.effective_working_dir(c) if (c := build.pod.container(container)) else "?"
            lines.append(f"Built by `{where.path}` line {where.range.start.line + 1} in container "
                         f"`{container}` (workingDir `{workdir}`)")
            fates = {id(c.effect): c.rule for c in conflicts(build.pod, build)}
            for effect in use.effects.effects:
                if effect.instruction is instruction:
                    fate = _FATE.get(fates.get(id(effect), ""), "reaches the image"
                                     if effect.stage == use.effects.built_stage else "stays in its stage")
                    lines.append(f"- {effect.how} {effect.effect.value} `{effect.path}`: {fate}")
    if not lines:
        return None
    return "\n".join(["**kaniko-lsp**", "", *dict.fromkeys(lines)])


def hover(ls: KanikoLanguageServer, params: types.HoverParams) -> types.Hover | None:
    view = ls.view(params.text_document.uri)
    if view is None:
        return None
    client = ls.client_position(view, params.position)
    position = Position(client.line, client.character)
    at_container = _container_at(view, position)
    build = _build_at(view, position) if at_container is None else None
    if at_container is not None:
        text: str | None = container_hover(view, *at_container)
    elif build is not None:
        text = build_hover(view, build)
    else:
        text = instruction_hover(view, position)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


def _links(view: View) -> list[tuple[Location, str, str]]:
    """(source range, target workspace path, tooltip) of every link in a file."""
    path = view.path
    found = []
    for pipeline in view.analyses:
        if pipeline.pipeline.path != path:
            continue
        for spec in pipeline.pipeline.specs:
            for fragment in spec.yamls:
                if fragment.file and fragment.reference and view.workspace.exists(fragment.file):
                    location = fragment.reference
                    found.append((location, fragment.file, "pod YAML"))
        for build in pipeline.builds:
            script = build.build.script
            dockerfile = build.build.call.last("--dockerfile")
            if build.use is not None and dockerfile is not None:
                found.append((script.location(dockerfile.start, dockerfile.end), build.use.path, "Dockerfile"))
            context = build.build.call.last("--context")
            if build.use is not None and context is not None and dockerfile is None:
                found.append((script.location(context.start, context.end), build.use.path, "Dockerfile"))
    return found


def document_link(ls: KanikoLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
    view = ls.view(params.text_document.uri)
    if view is None:
        return []
    tooltips = get_capability(ls.client_capabilities, "text_document.document_link.tooltip_support", False)
    return [types.DocumentLink(range=view.converter.range(location.path, location.range),
                               target=view.converter.uri(target),
                               tooltip=f"Open the {tip} {target}" if tooltips else None)
            for location, target, tip in _links(view)]


def inlay_hints(ls: KanikoLanguageServer, params: types.InlayHintParams) -> list[types.InlayHint]:
    view = ls.view(params.text_document.uri)
    if view is None:
        return []
    path = view.path
    hints = []
    for pipeline in view.analyses:
        for build in pipeline.builds:
            location = build.build.location
            if location.path != path:
                continue
            label = f"builds {build.use.path}" if build.use else "Dockerfile not followed"
            end = view.converter.range(path, location.range).end
            hints.append(types.InlayHint(position=end, label=f" {label}", padding_left=True,
                                         tooltip=build.unresolved or None))
    return hints


def register_inlay_hints(ls: KanikoLanguageServer) -> None:
    """Serves inlay hints naming the Dockerfile of each build (when the client shows them)."""
    ls.feature(types.TEXT_DOCUMENT_INLAY_HINT)(inlay_hints)


def register(ls: KanikoLanguageServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_HOVER)(hover)
    ls.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)(document_link)
