"""Editor settings of the language server, typed and validated once.

Sources, later ones winning: defaults, `initializationOptions`, then `workspace/configuration`
(section `kanikoLsp`, asked per workspace folder). Rule selection and severities belong to the
project (`.kaniko-lsp.yaml`), so that the editor and CI agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

SECTION = "kanikoLsp"


@dataclass(frozen=True)
class Settings:
    fix_on_save: bool = False
    """Answer `textDocument/willSaveWaitUntil` with every preferred fix of the document."""
    docs_base_url: str = ""
    """Where rule pages are published (diagnostics link to `<docsBaseUrl>/KLxxx.md`); empty: the pages
    installed with kaniko-lsp."""


_KEYS = {"fixOnSave": "fix_on_save", "docsBaseUrl": "docs_base_url"}
CLIENT_ONLY = frozenset({"serverPath", "pythonPath"})
"""Settings an editor uses to find and start the server; accepted here and ignored."""
_TYPES = {f.name: f.type for f in fields(Settings)}


def _is_count(value: object) -> bool:
    """A non-negative integer (JSON `true` is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def merge_settings(base: Settings, data: Any) -> tuple[Settings, list[str]]:
    """`base` updated with the camelCase settings in `data`; invalid values are reported and skipped."""
    if data is None or data == []:  # Lua clients send an empty table as []
        return base, []
    if not isinstance(data, dict):
        return base, [f"kanikoLsp settings must be an object, not {type(data).__name__}"]
    changes: dict[str, Any] = {}
    problems = []
    for key, value in data.items():
        if key in CLIENT_ONLY:
            continue
        name = _KEYS.get(key)
        expected = {"bool": bool, "str": str, "int": int}.get(str(_TYPES.get(name, ""))) if name else None
        if name is None or expected is None:
            problems.append(f"unknown setting kanikoLsp.{key}")
        elif not isinstance(value, expected) or (expected is int and not _is_count(value)):
            kind = "non-negative integer" if expected is int else expected.__name__
            problems.append(f"kanikoLsp.{key} must be a {kind}, not {value!r}")
        else:
            changes[name] = value
    return replace(base, **changes), problems
