"""The one table of rules: IDs, names, default severities and documentation drive every adapter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..linked import PipelineAnalysis
from ..model import Finding, Severity
from .pages import installed_page

Check = Callable[[PipelineAnalysis], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    check: Check
    documentation: str
    """What it finds, why it matters, an example and the fix (the rule module's docstring)."""

    def url(self, base: str = "") -> str:
        """The address of the rule's page: under `base` when one is configured, else the page installed
        with kaniko-lsp (a `file:` URI; `kaniko-lsp rule KLxxx` prints the same page)."""
        if base:
            return f"{base.rstrip('/')}/{self.code}.md"
        page = installed_page(self.code)
        return page.as_uri() if page is not None else f"kaniko-lsp rule {self.code}"


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Registers a check function as rule `code`; its module docstring is the rule's documentation."""

    def register(check: Check) -> Check:
        import sys

        module = sys.modules[check.__module__]
        RULES[code] = Rule(code, name, severity, summary, check, (module.__doc__ or "").strip())
        return check

    return register
