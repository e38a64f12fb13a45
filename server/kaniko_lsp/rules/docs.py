"""Rule pages (`docs/rules/KLxxx.md`) rendered from the registry, so the two cannot drift apart."""

from __future__ import annotations

from .registry import RULES, Rule


def render(rule: Rule) -> str:
    """The Markdown page of a rule: title, default severity, summary, then its documentation."""
    title, _, body = rule.documentation.partition("\n")
    heading = title.split(":", 1)[1].strip() if ":" in title else rule.summary
    return (f"# {rule.code} ({rule.name}): {heading}\n\n"
            f"Default severity: **{rule.severity.value}**. {rule.summary}.\n\n"
            f"{body.strip()}\n")


def render_index() -> str:
    rows = "\n".join(f"| [{r.code}]({r.code}.md) | {r.name} | {r.severity.value} | {r.summary} |"
                     for r in sorted(RULES.values(), key=lambda r: r.code))
    return ("# kaniko-lsp rules\n\n"
            "Every rule can be ignored in `.kaniko-lsp.yaml` (`ignore: [KL011]`), given another severity "
            "(`severity: {KL003: error}`), or suppressed where it is reported with a comment on the line "
            "before: `# kaniko-lsp ignore=KL001` (Dockerfile, pod YAML; in a Dockerfile it covers the whole "
            "next instruction) or `// kaniko-lsp ignore=KL004` (Groovy); several rules are separated by commas. "
            "`# kaniko-lsp ignore-file=KL001` (or `// ...` in Groovy) anywhere in a file suppresses rules in "
            "the whole file. On the command line, `--select` and `--ignore` choose rules for one run.\n\n"
            "| rule | name | default severity | finds |\n|---|---|---|---|\n"
            f"{rows}\n")


def pages() -> dict[str, str]:
    """File name (under docs/rules/) to content, for every rule and the index."""
    documents = {f"{code}.md": render(rule) for code, rule in RULES.items()}
    documents["README.md"] = render_index()
    return documents
