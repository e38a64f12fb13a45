"""The command line: `kaniko-lsp check` for CI and terminals, `kaniko-lsp serve` for editors."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__
from .status import EXIT_CLEAN, EXIT_ERROR


def default_jobs() -> int:
    """The number of processes `--jobs` defaults to: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check(arguments: argparse.Namespace) -> int:
    from .check import run

    return run(arguments)


def serve(arguments: argparse.Namespace) -> int:
    if arguments.tcp or arguments.ws:
        from .lsp.app import start

        start(tcp=arguments.tcp, ws=arguments.ws)
    else:
        from .lsp.transport import serve_stdio

        serve_stdio()
    return EXIT_CLEAN


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="kaniko-lsp", description="Finds Dockerfile changes that kaniko "
                                   "will leave out of the image in Jenkins Kubernetes pipelines.")
    root.add_argument("--version", action="version", version=f"kaniko-lsp {__version__}")
    commands = root.add_subparsers(dest="command")
    check_parser = commands.add_parser("check", help="analyze files or directories and print findings")
    check_parser.add_argument("paths", nargs="*", metavar="PATH",
                              help="a directory (a workspace root) or a file (default: .)")
    check_parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    check_parser.add_argument("--fix", action="store_true", help="apply each finding's preferred fix in place")
    check_parser.add_argument("--config", metavar="FILE",
                              help="use this configuration instead of .kaniko-lsp.yaml files")
    check_parser.add_argument("--jobs", "-j", type=_positive, default=default_jobs(), metavar="N",
                              help="analyse pipelines in N processes (default: the number of cores, "
                                   f"{default_jobs()} here); the output does not depend on it")
    check_parser.set_defaults(handler=check)
    serve_parser = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve_parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve_parser.add_argument("--ws", metavar="HOST:PORT", help="listen on a WebSocket instead of stdio")
    serve_parser.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    serve_parser.set_defaults(handler=serve)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.command is None:
        arguments = parser().parse_args(["serve"])
    try:
        return int(arguments.handler(arguments))
    except FileNotFoundError as error:
        print(f"kaniko-lsp: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as error:
        print(f"kaniko-lsp: internal error: {error!r}", file=sys.stderr)
        return EXIT_ERROR
