#!/usr/bin/env python3
"""Writes docs/rules/ from the rule registry (run after changing a rule's documentation)."""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "server"))

from kaniko_lsp.rules.docs import pages  # noqa: E402


def main() -> int:
    directory = REPOSITORY / "docs" / "rules"
    directory.mkdir(parents=True, exist_ok=True)
    expected = pages()
    for stale in set(p.name for p in directory.glob("*.md")) - set(expected):
        (directory / stale).unlink()
    for name, content in expected.items():
        (directory / name).write_text(content, encoding="utf-8")
    print(f"wrote {len(expected)} pages to {directory.relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
