"""Every rule of kaniko-lsp; importing this package registers them in `RULES`."""

from __future__ import annotations

import dataclasses

from ..linked import PipelineAnalysis
from ..model import Finding
from . import (  # noqa: F401  (registration)
    kl001,
    kl002,
    kl003,
    kl004,
    kl005,
    kl006,
    kl007,
    kl008,
    kl009,
    kl010,
    kl011,
    kl012,
)
from .registry import RULES, Rule

__all__ = ["RULES", "Rule", "run_rules"]


def run_rules(analysis: PipelineAnalysis) -> list[Finding]:
    """Findings of every registered rule, each reported once: the same finding reached in several ways (a
    helper called twice) keeps the related locations and fixes of all."""
    findings: dict[tuple[str, object, str], Finding] = {}
    for code in sorted(RULES):
        for finding in RULES[code].check(analysis):
            key = (finding.rule, finding.location, finding.message)
            first = findings.setdefault(key, finding)
            if first is not finding:
                findings[key] = dataclasses.replace(
                    first, related=tuple(dict.fromkeys(first.related + finding.related)),
                    fixes=tuple(dict.fromkeys(first.fixes + finding.fixes)))
    return list(findings.values())
