"""Reading a message body as JSON, the same way wherever the stdio transport or the server reads one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_LONGEST_INT = 20


def _bounded_int(digits: str) -> int | float:
    """An integer of JSON; past 20 digits a float (infinite past ~308), never Python's 4,300-digit error."""
    return int(digits) if len(digits) <= _LONGEST_INT else float(digits)


def load_json(body: bytes, object_hook: Callable[[dict[str, Any]], Any] | None = None) -> Any:
    """A message body parsed; ValueError (RecursionError for nesting too deep) when it is not JSON."""
    return json.loads(body, object_hook=object_hook, parse_int=_bounded_int)
