#!/usr/bin/env python3
"""How much of `kaniko-lsp check` reading and interpreting Dockerfiles takes (not a test: figures vary by
machine; run it on an otherwise idle machine).

Usage: benchmarks/check_share.py [DIR] [--runs 3]

Runs `check --jobs 1 --no-cache` on DIR (default: a generated 700-pipeline workspace) in this process, as
it is and then handed every Dockerfile's parse and effects computed beforehand, and prints the best time of
each: the difference is what a faster Dockerfile reader could save at most.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from monorepo import generate

from kaniko_lsp import parsed
from kaniko_lsp.cli import main
from kaniko_lsp.dockerfile import effects


def forget_module_caches() -> None:
    """Empties the caches modules keep between analyses, so that each run starts as a new process does."""
    for name, module in list(sys.modules.items()):
        if name.startswith("kaniko_lsp"):
            for value in vars(module).values():
                if hasattr(value, "cache_clear"):
                    value.cache_clear()
    effects._OUTCOMES.clear()


def timed_check(root: Path) -> tuple[float, str]:
    """Seconds `check` took in this process (its module caches emptied first), and what it printed."""
    forget_module_caches()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as output, contextlib.suppress(SystemExit):
        main(["check", "--jobs", "1", "--no-cache", str(root)])
    return time.perf_counter() - started, output.getvalue()


def remembered(compute: Callable[..., Any], key: Callable[..., Any]) -> Callable[..., Any]:
    """`compute` answering from what it computed before for the same key."""
    answers: dict[Any, Any] = {}

    def answer(*arguments: Any) -> Any:
        k = key(*arguments)
        if k not in answers:
            answers[k] = compute(*arguments)
        return answers[k]
    return answer


def run(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, nargs="?")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(arguments)
    with tempfile.TemporaryDirectory() as scratch:
        root = options.directory or Path(scratch)
        if options.directory is None:
            generate(root)
        whole = min(timed_check(root)[0] for _ in range(options.runs))
        parsed.parse_dockerfile = remembered(parsed.parse_dockerfile, lambda source: source.text)
        parsed.analyze_effects = remembered(parsed.analyze_effects,
                                            lambda dockerfile, target, build_args:
                                            (id(dockerfile), target, tuple(sorted(build_args.items()))))
        _, first = timed_check(root)  # computes them
        runs = [timed_check(root) for _ in range(options.runs)]
    without = min(seconds for seconds, _ in runs)
    print(f"check as it is: {whole:.2f} s; with Dockerfile parses and effects given: {without:.2f} s "
          f"(same output: {all(output == first for _, output in runs)}); reading and interpreting "
          f"Dockerfiles: {whole - without:.2f} s, {100 * (whole - without) / whole:.0f} %")


if __name__ == "__main__":
    run(sys.argv[1:])
