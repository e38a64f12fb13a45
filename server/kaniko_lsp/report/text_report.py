"""`--format text`: one finding per line, `path:line:col: severity KLxxx message` (1-based)."""

from __future__ import annotations

from ..model import Finding
from .positions import PositionEncoder


def render(findings: list[Finding], encoder: PositionEncoder, unreadable: dict[str, str], prefix: str = "") -> str:
    lines = []
    for finding in findings:
        start = encoder.position(finding.location.path, finding.location.range.start)
        lines.append(f"{prefix}{finding.location.path}:{start.line + 1}:{start.character + 1}: "
                     f"{finding.severity.value} {finding.rule} {finding.message}")
    for path, reason in sorted(unreadable.items()):
        lines.append(f"{prefix}{path}: {reason}")
    return "\n".join(lines)
