#!/usr/bin/env python3
"""Prints what kaniko-lsp reads in each case of a corpus of real pipelines, to compare with LABEL.md.

Usage: scripts/corpus_report.py [DIR] [--case NNN]

DIR (default ../shared/corpus from the repository root) holds NNN/ case folders, MANIFEST.tsv (which
file sits where in its repository) and VERDICTS.tsv (the manual verdict per case). Each case is laid
out in a temporary folder at its repository paths, analysed as a workspace, and reported: the pods,
each kaniko build's container (effective workingDir and mounts), the Dockerfile it resolves to, the
findings, and whether a KL001/KL002 finding agrees with the verdict.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "server"))

from kaniko_lsp.analysis import analyze  # noqa: E402
from kaniko_lsp.workspace import Workspace  # noqa: E402

DEFAULT_CORPUS = REPOSITORY.parent / "shared" / "corpus"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


def lay_out(corpus: Path, case: str, rows: list[dict[str, str]], into: Path) -> list[str]:
    """Copies a case's files to their repository paths under `into`; returns the pipeline paths."""
    pipelines = []
    for row in rows:
        source = corpus / case / row["saved_as"]
        if not source.is_file():
            continue
        target = into / row["path_in_repo"]
        if target.exists():
            target = target.with_name(f"{target.name}.{row['saved_as'].split('__')[0]}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if row["role"] == "pipeline":
            pipelines.append(target.relative_to(into).as_posix())
    return pipelines


def report_case(corpus: Path, case: str, rows: list[dict[str, str]], verdict: dict[str, str]) -> str:
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        pipelines = lay_out(corpus, case, rows, root)
        result = analyze(Workspace(root), pipelines)
    print(f"=== {case} {verdict.get('primary_repo', '')}  [{verdict.get('shape', '')}]")
    for analysis in result.analyses:
        pipeline = analysis.pipeline
        print(f"  pipeline {pipeline.path}: {len(analysis.pods)} pod(s), {len(pipeline.builds)} kaniko build(s)")
        for problem in pipeline.problems[:3]:
            start = problem.location.range.start
            print(f"    groovy problem {start.line + 1}:{start.character + 1} {problem.message}")
        for n, pod in enumerate(analysis.pods.values()):
            names = ", ".join(f"{c.name}{'' if c.declared else ' (added)'}" for c in pod.containers)
            print(f"    pod {n}: {names}")
            for location, reason in pod.template.incomplete:
                print(f"      incomplete ({location.path}:{location.range.start.line + 1}): {reason}")
        for build in analysis.builds:
            pod = build.pod
            container = pod.container(build.build.container) if pod else None
            where = build.build.location.range.start
            print(f"    build at {where.line + 1}: container {build.build.container!r} cwd {build.build.cwd or '.'!r}")
            if pod is None:
                print("      pod: none found")
            elif container is None:
                print("      container: not in the pod")
            else:
                print(f"      workingDir {pod.effective_working_dir(container)}")
                mounts = ", ".join(f"{m.path}{' (ro)' if m.read_only else ''}" for m in container.mounts
                                   if m.source.name != "KUBERNETES")
                print(f"      mounts {mounts}")
            if build.use:
                print(f"      Dockerfile {build.use.path} ({len(build.use.effects.effects)} effects, "
                  f"{build.use.effects.stage_count} stage(s))")
            else:
                print(f"      Dockerfile unresolved: {build.unresolved}")
    for finding in result.findings:
        start = finding.location.range.start
        print(f"  {finding.rule} {finding.location.path}:{start.line + 1}:{start.character + 1} {finding.message}")
    for path, reason in result.unreadable.items():
        print(f"  unreadable {path}: {reason}")
    conflict = any(f.rule in ("KL001", "KL002") for f in result.findings)
    label = verdict.get("verdict", "?")
    agrees = (label == "CONFLICT") == conflict if label in ("CONFLICT", "NO-CONFLICT") else None
    status = {True: "agrees", False: "DISAGREES", None: "no verdict to compare"}[agrees]
    print(f"  verdict {label}; kaniko-lsp {'CONFLICT' if conflict else 'NO-CONFLICT'}: {status}")
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--case", action="append", help="only these cases (repeatable)")
    arguments = parser.parse_args()
    corpus: Path = arguments.corpus
    if not (corpus / "MANIFEST.tsv").is_file():
        print(f"corpus_report: no corpus at {corpus} (MANIFEST.tsv missing); nothing to report")
        return 0
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_tsv(corpus / "MANIFEST.tsv"):
        rows[row["case"]].append(row)
    verdicts = {row["case"]: row for row in read_tsv(corpus / "VERDICTS.tsv")} \
        if (corpus / "VERDICTS.tsv").is_file() else {}
    tally: dict[str, list[str]] = defaultdict(list)
    for case in sorted(rows):
        if arguments.case and case not in arguments.case:
            continue
        tally[report_case(corpus, case, rows[case], verdicts.get(case, {}))].append(case)
    print("=== summary")
    for status, cases in sorted(tally.items()):
        print(f"  {status}: {len(cases)} ({' '.join(cases)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
