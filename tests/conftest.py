"""Shared helpers: example paths and a temporary workspace builder."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
EXAMPLES = REPOSITORY / "examples"
CORPUS = REPOSITORY.parent / "shared" / "corpus"


@pytest.fixture
def make_workspace(tmp_path: Path):
    """Writes `{relative path: text}` under a temporary root and returns the root."""

    def make(files: dict[str, str | bytes]) -> Path:
        for relative, content in files.items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return tmp_path

    return make
