"""`--format text`: one finding per line, `path:line:col: severity KLxxx message` (1-based)."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Finding, Location
from .positions import PositionEncoder


def render(findings: list[Finding], encoder: PositionEncoder, unreadable: dict[str, str], prefix: str = "",
           problems: Sequence[tuple[Location, str]] = ()) -> str:
    lines = []
    for finding in findings:
        start = encoder.position(finding.location.path, finding.location.range.start)
        lines.append(f"{prefix}{finding.location.path}:{start.line + 1}:{start.character + 1}: "
                     f"{finding.severity.value} {finding.rule} {finding.message}")
    for location, message in problems:
        start = encoder.position(location.path, location.range.start)
        lines.append(f"{prefix}{location.path}:{start.line + 1}:{start.character + 1}: note: not read: {message}")
    for path, reason in sorted(unreadable.items()):
        lines.append(f"{prefix}{path}: {reason}")
    return "\n".join(lines)
