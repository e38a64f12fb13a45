"""Where the rule pages are installed (`docs/rules/*.md`, generated from the registry by `docs.py`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def pages_directory() -> Path | None:
    """Where the rule pages are: in the installed package, or in the checkout it runs from."""
    for directory in (_PACKAGE / "docs" / "rules", _PACKAGE.parent.parent / "docs" / "rules"):
        if (directory / "README.md").is_file():
            return directory
    return None


def installed_page(code: str) -> Path | None:
    directory = pages_directory()
    page = directory / f"{code}.md" if directory is not None else None
    return page if page is not None and page.is_file() else None
