"""The shape of the package: a pure analysis core (no LSP imports) and no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPOSITORY

PACKAGE = REPOSITORY / "server" / "kaniko_lsp"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Modules a file imports, at any level (also inside functions and TYPE_CHECKING blocks)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_the_analysis_core_imports_nothing_from_the_language_server_libraries() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "lsp" in path.relative_to(PACKAGE).parts or path.name == "cli.py":
            continue
        leaked = {m for m in imports(path) if m.split(".")[0] in ("pygls", "lsprotocol") or ".lsp" in m}
        assert not leaked, f"{path.relative_to(PACKAGE)} imports {sorted(leaked)}"


def test_no_import_cycles() -> None:
    edges = graph()
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target):], target])
            elif target not in state:
                visit(target, [*stack, target])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)
