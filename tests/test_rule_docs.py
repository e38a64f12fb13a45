"""The rule registry, its documentation and docs/rules/ agree."""

from __future__ import annotations

import re

import pytest

from kaniko_lsp.model import Severity
from kaniko_lsp.rules import RULES
from kaniko_lsp.rules.docs import pages

from conftest import REPOSITORY

DOCS = REPOSITORY / "docs" / "rules"
DESIGN_CATALOGUE = {"KL001": Severity.ERROR, "KL002": Severity.ERROR, "KL003": Severity.WARNING,
                    "KL004": Severity.ERROR, "KL005": Severity.WARNING, "KL006": Severity.WARNING,
                    "KL007": Severity.INFO, "KL008": Severity.WARNING, "KL009": Severity.WARNING,
                    "KL010": Severity.ERROR, "KL011": Severity.INFO, "KL012": Severity.ERROR}


def test_registry_matches_the_catalogue() -> None:
    assert {code: rule.severity for code, rule in RULES.items()} == DESIGN_CATALOGUE


def test_docs_folder_matches_the_registry() -> None:
    expected = pages()
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(expected), \
        "run scripts/generate_rule_docs.py"
    for name, content in expected.items():
        assert (DOCS / name).read_text(encoding="utf-8") == content, f"docs/rules/{name} is stale"


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_documents_what_why_example_fix(code: str) -> None:
    documentation = RULES[code].documentation
    assert documentation.startswith(f"{code}: ")
    for section in ("**What it finds.**", "**Why it matters.**", "**Example.**", "**Fix.**"):
        assert section in documentation, f"{code} lacks {section}"
    assert re.search(r"```\w*\n", documentation), f"{code} has no example block"


def examples(language: str) -> list[tuple[str, str]]:
    return [(code, block) for code, rule in sorted(RULES.items())
            for block in re.findall(rf"```{language}\n(.*?)```", rule.documentation, re.S)]


@pytest.mark.parametrize(("code", "example"), examples("groovy"))
def test_groovy_examples_are_valid_groovy(code: str, example: str) -> None:
    from kaniko_lsp.groovy.tree import parse

    assert parse(example).problems == [], code


@pytest.mark.parametrize(("code", "example"), examples("yaml"))
def test_yaml_examples_are_valid_yaml_except_the_invalid_one(code: str, example: str) -> None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        YAML(typ="safe").load(example)
        valid = True
    except YAMLError:
        valid = False
    assert valid is (code != "KL010"), f"{code}: the KL010 example alone is invalid on purpose"


def test_suppression_comments_are_documented_in_full() -> None:
    index = pages()["README.md"]
    assert "ignore=" in index and "ignore-file=" in index
