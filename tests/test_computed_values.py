"""Values pipelines compute (helpers, loops, matrix, environment, the workspace path), and the rules'
corrections that came with them: each idiom has a conflict found at its exact line, a near miss that
stays silent, and (where the workspace mount causes it) a `check --fix` that repairs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from kaniko_lsp.analysis import analyze
from kaniko_lsp.workspace import Workspace

CLI = shutil.which("kaniko-lsp", path=str(Path(sys.executable).parent)) or "kaniko-lsp"
POD = """      yaml '''
        spec:
          containers:
          - name: kaniko
            image: gcr.io/kaniko-project/executor:debug
            workingDir: {working_dir}{mounts}
      '''
"""
LOSING = "FROM alpine\nRUN mkdir -p /tmp/build/cache\n"
NEAR_MISS = "FROM alpine\nRUN mkdir -p /tmp/builder/cache\n"


def pipeline(body: str, working_dir: str = "/tmp/build", before: str = "", mounts: str = "",
             environment: str = "") -> str:
    return (f"{before}pipeline {{\n  agent {{\n    kubernetes {{\n"
            + POD.format(working_dir=working_dir, mounts=mounts)
            + f"    }}\n  }}\n{environment}  stages {{\n    stage('build') {{\n{body}    }}\n  }}\n}}\n")


def findings(root: Path) -> list[tuple[str, str, int, str]]:
    return [(f.rule, f.location.path, f.location.range.start.line, f.message)
            for f in analyze(Workspace(root)).findings]


def line_of(text: str, fragment: str) -> int:
    """The 0-based line where `fragment` first stands in `text`."""
    return text[:text.index(fragment)].count("\n")


def rules(root: Path) -> list[tuple[str, str, int]]:
    return [(rule, path, line) for rule, path, line, _ in findings(root)]


def fixed_by_check(root: Path) -> list[str]:
    """Runs `kaniko-lsp check --fix`, then returns the rules a new check still reports."""
    subprocess.run([CLI, "check", str(root), "--fix"], capture_output=True, timeout=60, check=False)
    report = subprocess.run([CLI, "check", str(root), "--format", "json"], capture_output=True, text=True,
                            timeout=60, check=False)
    return sorted({f["rule"] for f in json.loads(report.stdout)["findings"]})


HELPER = """def buildImage(String name, String context, String dockerfile = 'Dockerfile') {
  container('kaniko') {
    sh "/kaniko/executor --context=${env.WORKSPACE}/${context} --dockerfile=${dockerfile} --destination=r/${name}"
  }
}
"""


def test_helper_called_with_literal_arguments(make_workspace) -> None:
    body = ("      steps {\n        script {\n          buildImage('api', 'images/api')\n"
            "          buildImage('web', 'images/web')\n        }\n      }\n")
    jenkinsfile = pipeline(body, before=HELPER)
    root = make_workspace({"Jenkinsfile": jenkinsfile, "images/api/Dockerfile": LOSING,
                           "images/web/Dockerfile": NEAR_MISS})
    found = findings(root)
    assert ("KL001", "images/api/Dockerfile", 1) in [f[:3] for f in found]
    assert not [f for f in found if f[1] == "images/web/Dockerfile"], "the near miss stays silent"
    assert not [f for f in found if f[0] == "KL011"]
    (write,) = [f for f in analyze(Workspace(root)).findings if f.location.path == "images/api/Dockerfile"]
    assert [r.location.range.start.line for r in write.related if r.message == "the helper is called here"] == [
        line_of(jenkinsfile, "buildImage('api'")]
    assert fixed_by_check(root) == []


def test_loops_over_literal_lists_and_maps(make_workspace) -> None:
    body = """      steps {
        script {
          ['api', 'web'].each { svc ->
            container('kaniko') { sh "/kaniko/executor --context `pwd` --dockerfile images/${svc}/Dockerfile" }
          }
          def services = ['orders', 'billing']
          for (s in services) {
            container('kaniko') { sh "/kaniko/executor --context `pwd` --dockerfile svc/${s}/Dockerfile" }
          }
          def branches = [:]
          ['x', 'y'].each { name ->
            branches[name] = { container('kaniko') { sh "/kaniko/executor --dockerfile par/${name}/Dockerfile" } }
          }
          parallel branches
        }
      }
"""
    root = make_workspace({"Jenkinsfile": pipeline(body), "images/api/Dockerfile": LOSING,
                           "images/web/Dockerfile": NEAR_MISS, "svc/orders/Dockerfile": NEAR_MISS,
                           "svc/billing/Dockerfile": LOSING, "par/x/Dockerfile": NEAR_MISS,
                           "par/y/Dockerfile": LOSING})
    found = findings(root)
    lost = {(path, message.split(" (")[-1]) for rule, path, _, message in found if rule == "KL001"
            and path != "Jenkinsfile"}
    assert lost == {("images/api/Dockerfile", "for svc=api)"), ("svc/billing/Dockerfile", "for s=billing)"),
                    ("par/y/Dockerfile", "for name=y)")}
    assert not [f for f in found if f[0] == "KL011"]
    assert fixed_by_check(root) == []


def test_declarative_matrix_with_excludes(make_workspace) -> None:
    body = """      matrix {
        axes {
          axis { name 'SERVICE'; values 'orders', 'billing', 'legacy' }
        }
        excludes { exclude { axis { name 'SERVICE'; values 'legacy' } } }
        stages {
          stage('image') { steps { container('kaniko') {
            sh "/kaniko/executor --context `pwd` --dockerfile svc/${SERVICE}/Dockerfile"
          } } }
        }
      }
"""
    root = make_workspace({"Jenkinsfile": pipeline(body), "svc/orders/Dockerfile": LOSING,
                           "svc/billing/Dockerfile": NEAR_MISS, "svc/legacy/Dockerfile": LOSING})
    found = findings(root)
    assert [(f[1], f[2]) for f in found if f[0] == "KL001" and f[1] != "Jenkinsfile"] == [
        ("svc/orders/Dockerfile", 1)]
    assert "for SERVICE=orders" in next(f[3] for f in found if f[1] == "svc/orders/Dockerfile")
    assert fixed_by_check(root) == []


def test_environment_env_assignments_and_with_env(make_workspace) -> None:
    body = """      environment { DOCKERFILE = 'ci/Dockerfile' }
      steps {
        container('kaniko') { sh '/kaniko/executor --context `pwd` --dockerfile $DOCKERFILE' }
        script { env.OTHER = 'other/Dockerfile' }
        container('kaniko') { sh "/kaniko/executor --context `pwd` --dockerfile ${env.OTHER}" }
        withEnv(['THIRD=third/Dockerfile']) {
          container('kaniko') { sh '/kaniko/executor --context `pwd` --dockerfile ${THIRD}' }
        }
      }
"""
    root = make_workspace({"Jenkinsfile": pipeline(body), "ci/Dockerfile": LOSING,
                           "other/Dockerfile": NEAR_MISS, "third/Dockerfile": LOSING})
    assert {(r, p) for r, p, _ in rules(root) if p != "Jenkinsfile"} == {("KL001", "ci/Dockerfile"),
                                                                         ("KL001", "third/Dockerfile")}
    assert fixed_by_check(root) == []


def test_unknown_path_segments_match_the_workspace(make_workspace) -> None:
    body = """      steps {
        container('kaniko') { sh "/kaniko/executor --context `pwd` --dockerfile images/${params.IMAGE}/Dockerfile" }
      }
"""
    root = make_workspace({"Jenkinsfile": pipeline(body), "images/a/Dockerfile": LOSING,
                           "images/b/Dockerfile": NEAR_MISS, "other/c/Dockerfile": LOSING})
    found = findings(root)
    assert [(f[1], f[2]) for f in found if f[0] == "KL001" and f[1] != "Jenkinsfile"] == [("images/a/Dockerfile", 1)]
    assert "one of the Dockerfiles matching images/*/Dockerfile" in found[-1][3] or any(
        "matching images/*/Dockerfile" in f[3] for f in found)


def test_the_workspace_inside_generated_dockerfiles(make_workspace) -> None:
    groovy = """      steps {
        container('kaniko') {
          writeFile file: 'Dockerfile', text: "FROM alpine\\nWORKDIR ${env.WORKSPACE}/app\\nRUN touch built\\n"
          sh '/kaniko/executor --context `pwd` --dockerfile Dockerfile'
        }
      }
"""
    shell_written = """      steps {
        container('kaniko') {
          sh '''cat > gen/Dockerfile <<EOF
FROM alpine
WORKDIR $WORKSPACE/app
EOF
/kaniko/executor --context `pwd` --dockerfile gen/Dockerfile'''
        }
      }
"""
    literal = groovy.replace('text: "', "text: '").replace('\\\\n"', "\\\\n'")
    for body, fixable in ((groovy, True), (shell_written, False)):
        jenkinsfile = pipeline(body, working_dir="/home/jenkins/agent")
        root = make_workspace({"Jenkinsfile": jenkinsfile})
        found = findings(root)
        assert ("KL001", "Jenkinsfile", line_of(jenkinsfile, "WORKDIR")) in [f[:3] for f in found], found
        assert any("/home/jenkins/agent/workspace/JOB/app" in f[3] for f in found)
        # Groovy wrote the agent's path, which kaniko no longer mounts once its working directory moves; the
        # shell wrote kaniko's own path, which moves with it: no working directory can repair that one.
        assert ("KL001" not in fixed_by_check(root)) is fixable
        shutil.rmtree(root)
        root.mkdir()
    root = make_workspace({"Jenkinsfile": pipeline(literal, working_dir="/home/jenkins/agent")})
    assert [f for f in findings(root) if f[0] == "KL001"] == [], "single quotes: no substitution, nothing known"


def test_dir_context_with_a_sub_path(make_workspace) -> None:
    body = """      steps {
        container('kaniko') { sh '/kaniko/executor --context dir://`pwd` --context-sub-path app --no-push' }
        container('kaniko') { sh '/kaniko/executor --context `pwd` --context-sub-path app --no-push' }
      }
"""
    jenkinsfile = pipeline(body)
    root = make_workspace({"Jenkinsfile": jenkinsfile, "app/Dockerfile": LOSING})
    found = rules(root)
    assert ("KL001", "app/Dockerfile", 1) in found
    kl007 = [line for rule, _, line in found if rule == "KL007"]
    assert kl007 == [line_of(jenkinsfile, "--context `pwd` --context-sub-path")], \
        "only the plain context ignores --context-sub-path"
    assert "KL001" not in fixed_by_check(root)


def test_tools_whose_options_or_home_name_the_write(make_workspace) -> None:
    dockerfile = ("FROM jenkins/inbound-agent:latest\nUSER jenkins\nRUN git config --global user.name ci\n"
                  "RUN pip install --target /srv/lib requests\n")
    root = make_workspace({"Jenkinsfile": pipeline(
        "      steps { container('kaniko') { sh '/kaniko/executor --context `pwd`' } }\n",
        working_dir="/home/jenkins"), "Dockerfile": dockerfile})
    assert ("KL001", "Dockerfile", 2) in rules(root)
    assert [r for r in rules(root) if r[1] == "Dockerfile" and r[2] == 3] == []
    assert "KL001" not in fixed_by_check(root)


def test_an_unreadable_pod_is_unknown_not_empty(make_workspace) -> None:
    body = "      steps { container('kaniko') { sh '/kaniko/executor --context `pwd`' } }\n"
    broken = pipeline(body).replace("            workingDir: /tmp/build", "\t    workingDir: /tmp/build")
    root = make_workspace({"Jenkinsfile": broken, "Dockerfile": LOSING})
    found = rules(root)
    assert [r for r, _, _ in found if r in ("KL010", "KL012")] == ["KL010"]
    assert "pod YAML cannot be parsed" in next(f[3] for f in findings(root) if f[0] == "KL011")


def test_read_only_mount_failing_a_run_is_reported_on_both_sides(make_workspace) -> None:
    mounts = ("\n            volumeMounts:\n            - name: docker-config\n              mountPath: /root"
              "\n          volumes:\n          - name: docker-config\n            secret:\n"
              "              secretName: registry")
    body = "      steps { container('kaniko') { sh '/kaniko/executor --context `pwd`' } }\n"
    jenkinsfile = pipeline(body, mounts=mounts)
    root = make_workspace({"Jenkinsfile": jenkinsfile,
                           "Dockerfile": "FROM golang:1.22 AS build\nRUN go build ./...\nFROM alpine\n"})
    found = findings(root)
    assert {(f[0], f[1], f[2]) for f in found if f[0] == "KL002"} == {
        ("KL002", "Dockerfile", 1), ("KL002", "Jenkinsfile", line_of(jenkinsfile, "mountPath: /root"))}
    near_miss = make_workspace({"Jenkinsfile": pipeline(body, mounts=mounts.replace("/root", "/kaniko/.docker")),
                                "Dockerfile": "FROM golang:1.22 AS build\nRUN go build ./...\nFROM alpine\n"})
    assert [r for r in rules(near_miss) if r[0] == "KL002"] == []


def test_copy_order_is_judged_on_the_whole_stage(make_workspace) -> None:
    body = "      steps { container('kaniko') { sh '/kaniko/executor --context `pwd`' } }\n"
    dockerfile = "FROM alpine\nCOPY app /tmp/build/app\nRUN apk add git\nRUN apk add curl\n"
    root = make_workspace({"Jenkinsfile": pipeline(body), "Dockerfile": dockerfile})
    (copy,) = [f for f in findings(root) if f[1] == "Dockerfile"]
    assert copy[2] == 1 and "a later RUN in this stage snapshots the mount point as deleted" in copy[3]
    assert fixed_by_check(root) == []
    single_run = make_workspace({"Jenkinsfile": pipeline(body),
                                 "Dockerfile": "FROM alpine\nCOPY app /tmp/build/app\nRUN apk add git\n"})
    (copy,) = [f for f in findings(single_run) if f[1] == "Dockerfile"]
    assert "lands in the layer only because of where it stands" in copy[3]


def test_editing_a_file_the_same_run_created_is_not_kl009(make_workspace) -> None:
    body = "      steps { container('kaniko') { sh '/kaniko/executor --context `pwd`' } }\n"
    dockerfile = ("FROM alpine\nRUN curl -o /tmp/build/tool https://x && chmod +x /tmp/build/tool\n"
                  "RUN sed -i s/a/b/ /tmp/build/base.conf\n")
    root = make_workspace({"Jenkinsfile": pipeline(body), "Dockerfile": dockerfile})
    found = [(r, line) for r, p, line in rules(root) if p == "Dockerfile"]
    assert ("KL009", 1) not in found and ("KL001", 1) in found
    assert ("KL009", 2) in found, "a file the build did not create: the RUN sees the volume"


def test_a_root_file_system_copied_onto_root_fails(make_workspace) -> None:
    body = "      steps { container('kaniko') { sh '/kaniko/executor --context `pwd`' } }\n"
    dockerfile = "FROM alpine AS installer\nRUN apk add git\nFROM scratch\nCOPY --from=installer / /\n"
    root = make_workspace({"Jenkinsfile": pipeline(body), "Dockerfile": dockerfile})
    assert ("KL002", "Dockerfile", 3) in rules(root)
    near_miss = make_workspace({"Jenkinsfile": pipeline(body),
                                "Dockerfile": "FROM alpine AS b\nRUN apk add git\nFROM scratch\nCOPY main /\n"})
    assert [r for r in rules(near_miss) if r[0] == "KL002"] == []


def test_every_executor_call_is_analysed_or_says_why_not(make_workspace) -> None:
    """Every build of every pipeline written by the tests of this file: checked, or KL011/KL012 says why."""
    cases = {
        "uncalled.Jenkinsfile": HELPER + pipeline("      steps { echo 'x' }\n"),
        "outside.Jenkinsfile": "node { sh '/kaniko/executor --context `pwd`' }\n",
        "remote.Jenkinsfile": pipeline("      steps { container('kaniko') { sh '/kaniko/executor "
                                       "--context git://x/y.git' } }\n"),
        "computed.Jenkinsfile": pipeline("      steps { container('kaniko') { sh \"/kaniko/executor "
                                         "--dockerfile ${getName()}\" } }\n"),
        "missing.Jenkinsfile": pipeline("      steps { container('kaniko') { sh '/kaniko/executor "
                                        "--dockerfile nowhere/Dockerfile' } }\n"),
    }
    root = make_workspace({**cases, "Dockerfile": LOSING})
    result = analyze(Workspace(root))
    for analysis in result.analyses:
        for build in analysis.builds:
            pod = build.pod
            checked = build.use is not None and pod is not None and build.unresolved is None and \
                pod.container(build.build.container) is not None
            said = {f.rule for f in result.findings if f.location == build.build.location}
            assert checked or "KL011" in said or "KL012" in said, (analysis.pipeline.path, build.unresolved)
    messages = {f.location.path: f.message for f in result.findings if f.rule == "KL011"}
    assert "nothing in this file calls" in messages["uncalled.Jenkinsfile"]
    assert "does not run in a Kubernetes pod agent" in messages["outside.Jenkinsfile"]
    assert "is remote" in messages["remote.Jenkinsfile"]
    assert "cannot be resolved statically" in messages["computed.Jenkinsfile"]
    assert "no Dockerfile found at nowhere/Dockerfile" in messages["missing.Jenkinsfile"]
