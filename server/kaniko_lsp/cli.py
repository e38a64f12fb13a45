"""The command line: `kaniko-lsp check` for CI and terminals, `kaniko-lsp serve` for editors, and the
rule pages (`kaniko-lsp rules`, `kaniko-lsp rule KL001`)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from .status import EXIT_CLEAN, EXIT_ERROR, UsageError

FORMATS = ("text", "json", "sarif", "github", "gitlab", "checkstyle")
CHECK_EPILOG = """\
formats:
  text        path:line:col: severity RULE message (1-based); [*] marks what --fix repairs
  json        {"version": 1, "findings": [...]}: 0-based lines, UTF-16 columns
  sarif       SARIF 2.1.0 (GitHub code scanning, Jenkins Warnings Next Generation)
  github      GitHub Actions annotations
  gitlab      GitLab Code Quality report
  checkstyle  Checkstyle XML (Jenkins Warnings Next Generation, most CI tools)

exit status:
  0  nothing at or above --fail-level
  1  findings at or above --fail-level, or a file or place that could not be read
  2  usage error, or a file that cannot be used (a missing path, an unreadable --config)

rule pages: `kaniko-lsp rules` lists the rules, `kaniko-lsp rule KL001` prints one; they are also
installed as Markdown files, and `--docs-url` makes the links point at a copy you publish.
"""


def default_jobs() -> int:
    """The number of processes `--jobs` defaults to: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check(arguments: argparse.Namespace) -> int:
    from . import collector
    from .check import run

    collector.tune()
    with collector.bulk():
        return run(arguments)


def serve(arguments: argparse.Namespace) -> int:
    from . import collector

    if arguments.tcp or arguments.ws:
        from .lsp.app import start

        collector.tune()
        start(tcp=arguments.tcp, ws=arguments.ws)
    else:
        from .lsp.transport import serve_stdio

        collector.tune()
        serve_stdio()
    return EXIT_CLEAN


def list_rules(arguments: argparse.Namespace) -> int:
    from .rules import RULES

    print(f"{'rule':6}  {'severity':8}  {'name':36}  finds")
    for code, rule in sorted(RULES.items()):
        print(f"{code:6}  {rule.severity.value:8}  {rule.name:36}  {rule.summary}")
    return EXIT_CLEAN


def show_rule(arguments: argparse.Namespace) -> int:
    from .rules import RULES
    from .rules.docs import render

    rule = RULES.get(arguments.code.upper())
    if rule is None:
        raise UsageError(f"unknown rule {arguments.code!r} (see `kaniko-lsp rules`)")
    print(render(rule), end="")
    return EXIT_CLEAN


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return number


def _address(value: str) -> str:
    host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT with a port from 1 to 65535, not {value!r}")
    return f"{host or '127.0.0.1'}:{port}"


def parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    root = argparse.ArgumentParser(prog="kaniko-lsp", description="Finds Dockerfile changes that kaniko "
                                   "will leave out of the image in Jenkins Kubernetes pipelines.",
                                   epilog="With no command: `serve` when standard input is not a terminal "
                                          "(an editor started it), this help otherwise.")
    root.add_argument("--version", action="version", version=f"kaniko-lsp {__version__}")
    commands = root.add_subparsers(dest="command", metavar="{check,serve,rules,rule}")
    check_parser = commands.add_parser("check", help="analyze files or directories and print findings",
                                       epilog=CHECK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check_parser.add_argument("paths", nargs="*", metavar="PATH",
                              help="a directory (a workspace root), a file (checked with what it references in "
                                   "its repository), or - for standard input (default: .)")
    check_parser.add_argument("--format", choices=FORMATS, default="text")
    check_parser.add_argument("--fix", action="store_true", help="apply each finding's preferred fix in place")
    check_parser.add_argument("--diff", action="store_true",
                              help="print the fixes as a unified diff and change nothing (exit 1 if any)")
    check_parser.add_argument("--select", metavar="RULES", help="only these rules (KL001,KL002); overrides the "
                                                                "configuration")
    check_parser.add_argument("--ignore", metavar="RULES", help="not these rules; overrides the configuration")
    check_parser.add_argument("--fail-level", choices=("error", "warning", "info", "never"), default="warning",
                              help="the least severity that makes the exit status 1 (default: warning)")
    check_parser.add_argument("--statistics", action="store_true", help="print how many findings each rule has")
    check_parser.add_argument("--stdin-filename", metavar="NAME",
                              help="the path the text read from standard input (PATH -) stands for")
    check_parser.add_argument("--config", metavar="FILE",
                              help="use this configuration instead of .kaniko-lsp.yaml files")
    check_parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                              help="colour the text format (auto: on a terminal, unless NO_COLOR is set)")
    check_parser.add_argument("--docs-url", metavar="URL",
                              help="where the rule pages are published (default: the pages installed here)")
    check_parser.add_argument("--jobs", "-j", type=_positive, default=default_jobs(), metavar="N",
                              help="analyse pipelines in N processes (default: the number of cores, "
                                   f"{default_jobs()} here); the output does not depend on it")
    check_parser.add_argument("--no-cache", action="store_true",
                              help="analyse every pipeline, without reading or writing the cache")
    check_parser.add_argument("--cache-dir", metavar="DIR",
                              help="where findings are kept between runs, per pipeline and the content of what it "
                                   "reads (default: $KANIKO_LSP_CACHE_DIR, else ~/.cache/kaniko-lsp)")
    check_parser.set_defaults(handler=check)
    serve_parser = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve_parser.add_argument("--tcp", metavar="HOST:PORT", type=_address, help="listen on TCP instead of stdio")
    serve_parser.add_argument("--ws", metavar="HOST:PORT", type=_address,
                              help="listen on a WebSocket instead of stdio")
    serve_parser.add_argument("--stdio", action="store_true", help="use stdio (the default)")
    serve_parser.set_defaults(handler=serve)
    rules_parser = commands.add_parser("rules", help="list the rules")
    rules_parser.set_defaults(handler=list_rules)
    rule_parser = commands.add_parser("rule", help="print a rule's page")
    rule_parser.add_argument("code", metavar="RULE", help="a rule id, e.g. KL001")
    rule_parser.set_defaults(handler=show_rule)
    return root, {"check": check_parser, "serve": serve_parser, "rules": rules_parser, "rule": rule_parser}


def run() -> NoReturn:
    """The `kaniko-lsp` command. What an analysis built is still in memory when `main` returns, held in
    reference cycles that only the cycle collector frees; freezing it first lets the interpreter exit
    without walking it (half a million objects, 0.6 s, after a 700-pipeline workspace)."""
    status = main()
    gc.freeze()
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    root, commands = parser()
    arguments, extra = root.parse_known_args(argv)
    if extra:
        (commands.get(arguments.command) or root).error(f"unrecognized arguments: {' '.join(extra)}")
    if arguments.command is None:
        if sys.stdin.isatty():
            root.print_help()
            return EXIT_CLEAN
        arguments = root.parse_args(["serve"])
    try:
        return int(arguments.handler(arguments))
    except UsageError as error:
        print(f"kaniko-lsp: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as error:
        print(f"kaniko-lsp: internal error: {error!r}", file=sys.stderr)
        return EXIT_ERROR
