#!/usr/bin/env python3
"""Times reading and analysing a large Jenkinsfile (not a test: figures vary by machine).

Usage: benchmarks/bench_reading.py [--lines 2000] [--builds 20] [--runs 30]

Prints the median and the 90th percentile of: reading the Jenkinsfile (Groovy, embedded YAML, steps),
and analysing the whole workspace (linking the Dockerfiles and running every rule), uncached.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from kaniko_lsp import analysis
from kaniko_lsp.jenkins.pipeline import read_pipeline
from kaniko_lsp.workspace import Workspace

POD = """      yaml '''
        apiVersion: v1
        kind: Pod
        spec:
          containers:
          - name: kaniko
            image: gcr.io/kaniko-project/executor:debug
            command: [/busybox/cat]
            tty: true
            workingDir: /home/jenkins
            volumeMounts:
            - name: docker-config
              mountPath: /kaniko/.docker
          volumes:
          - name: docker-config
            secret:
              secretName: registry
      '''
"""


def jenkinsfile(lines: int, builds: int) -> str:
    """A declarative pipeline of about `lines` lines with `builds` kaniko invocations in stages."""
    head = "pipeline {\n  agent {\n    kubernetes {\n" + POD + "    }\n  }\n  stages {\n"
    stages = []
    for n in range(builds):
        stages.append(
            f"    stage('image {n}') {{\n      steps {{\n"
            f"        container(name: 'kaniko', shell: '/busybox/sh') {{\n"
            f"          sh '''\n            /kaniko/executor --context `pwd`/svc{n} \\\n"
            f"              --dockerfile `pwd`/svc{n}/Dockerfile --destination registry/svc{n}:${{BUILD_NUMBER}}\n"
            f"          '''\n        }}\n      }}\n    }}\n")
    filler_needed = lines - head.count("\n") - sum(s.count("\n") for s in stages) - 3
    filler = "".join(f"        echo \"step {i}: ${{env.BUILD_ID}}\" // progress\n"
                     for i in range(max(filler_needed - 6, 0)))
    stages.append(f"    stage('chores') {{\n      steps {{\n{filler}      }}\n    }}\n")
    return head + "".join(stages) + "  }\n}\n"


def measure(function, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--builds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=30)
    arguments = parser.parse_args()
    text = jenkinsfile(arguments.lines, arguments.builds)
    pipeline = read_pipeline("Jenkinsfile", text)
    assert len(pipeline.builds) == arguments.builds, len(pipeline.builds)
    print(f"Jenkinsfile: {text.count(chr(10))} lines, {len(text)} characters, {len(pipeline.builds)} kaniko builds")
    median, p90 = measure(lambda: read_pipeline("Jenkinsfile", text), arguments.runs)
    print(f"read Jenkinsfile:   median {median:7.2f} ms   p90 {p90:7.2f} ms")
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        (root / "Jenkinsfile").write_text(text)
        for n in range(arguments.builds):
            (root / f"svc{n}").mkdir()
            (root / f"svc{n}" / "Dockerfile").write_text(
                "FROM jenkins/agent:latest\nUSER root\nRUN apt-get update && apt-get install -y git\n"
                f"RUN mkdir -p /home/jenkins/.m2 && touch /home/jenkins/.m2/settings{n}.xml\nUSER jenkins\n")

        def full() -> None:  # a new engine each time: nothing is reused
            analysis.analyze(Workspace(root))

        result = analysis.analyze(Workspace(root))
        median, p90 = measure(full, max(arguments.runs // 3, 5))
        print(f"analyze workspace:  median {median:7.2f} ms   p90 {p90:7.2f} ms   ({len(result.findings)} findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
