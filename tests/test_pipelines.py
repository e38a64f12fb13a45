"""The Jenkins pipeline shapes real teams use, read into pods, containers, mounts and builds."""

from __future__ import annotations

from pathlib import Path

from kaniko_lsp.linked import PipelineAnalysis
from kaniko_lsp.model import Pod

from helpers import run, summary

KANIKO_IMAGE = "gcr.io/kaniko-project/executor:debug"
WRITES_TMP_B = "FROM alpine\nRUN touch /tmp/b/x\n"


def analysis_of(make_workspace, files: dict[str, str]) -> tuple[Path, PipelineAnalysis]:
    root = make_workspace(files)
    result = run(root)
    (analysis,) = [a for a in result.analyses if a.pipeline.path.lower().endswith(("jenkinsfile", ".groovy"))]
    return root, analysis


def mounts(pod: Pod | None, container: str) -> list[str]:
    assert pod is not None
    found = pod.container(container)
    assert found is not None, [c.name for c in pod.containers]
    return [m.path for m in found.mounts if m.source.name != "KUBERNETES"]


def kaniko_yaml(indent: int = 0, working_dir: str | None = None, name: str = "kaniko") -> str:
    pad = " " * indent
    text = f"{pad}spec:\n{pad}  containers:\n{pad}  - name: {name}\n{pad}    image: {KANIKO_IMAGE}\n"
    if working_dir:
        text += f"{pad}    workingDir: {working_dir}\n"
    return text


def test_stage_level_agent_is_the_pod_of_that_stage(make_workspace) -> None:
    jenkinsfile = (
        "pipeline {\n  agent none\n  stages {\n"
        "    stage('test') { agent { kubernetes { yaml '''\n" + kaniko_yaml(6, "/srv") + "''' } }\n"
        "      steps { sh 'make test' } }\n"
        "    stage('image') { agent { kubernetes { yaml '''\n" + kaniko_yaml(6, "/tmp/b") + "''' } }\n"
        "      steps { container('kaniko') { sh '/kaniko/executor -c . -f Dockerfile' } } }\n"
        "  }\n}\n")
    _, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
    (build,) = analysis.builds
    assert mounts(build.pod, "kaniko") == ["/tmp/b"]
    assert len(analysis.pods) == 2


def test_yaml_file_is_read_from_the_repository_root_and_replaces_inline_yaml(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes {\n  yamlFile 'ci/pod.yaml'\n  yaml '''" + kaniko_yaml(0, "/x")
                   + "'''\n} }\n stages { stage('b') { steps { container('kaniko') {\n"
                   "  sh '/kaniko/executor --context `pwd`'\n} } } } }\n")
    root, analysis = analysis_of(make_workspace, {"ci/Jenkinsfile": jenkinsfile,
                                                  "ci/pod.yaml": kaniko_yaml(0, "/tmp/b"),
                                                  "Dockerfile": WRITES_TMP_B})
    (build,) = analysis.builds
    assert mounts(build.pod, "kaniko") == ["/tmp/b"]
    result = run(root)
    assert ("KL001", "ci/pod.yaml", 4, 16, 22) in summary(result)


def test_missing_yaml_file_is_reported_not_a_crash(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes { yamlFile 'nope.yaml' } }\n stages { stage('b') { steps {\n"
                   "  container('kaniko') { sh '/kaniko/executor --context `pwd`' } } } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
    findings = run(root).findings
    assert [(f.rule, f.location.range.start.line) for f in findings] == [("KL011", 0)]
    assert "nope.yaml is not in the workspace" in findings[0].message


def test_default_container_and_kl006(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes {\n  workingDir '/tmp/b'\n  defaultContainer 'kaniko'\n"
                   "  yaml '''" + kaniko_yaml(0) + "'''\n} }\n stages { stage('b') { steps {\n"
                   "  sh '/kaniko/executor --context `pwd`'\n} } } }\n")
    root, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
    assert analysis.builds[0].build.container == "kaniko"
    assert summary(run(root)) == [("KL006", "Jenkinsfile", 1, 14, 20)]


def test_inherit_from_and_label_make_the_pod_incomplete(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes { inheritFrom 'base'\n yaml '''" + kaniko_yaml(0) + "''' } }\n"
                   " stages { stage('b') { steps { container('kaniko') { sh '/kaniko/executor -c .' } } } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
    assert [(f.rule, f.severity.value) for f in run(root).findings] == [("KL011", "info")]
    labelled = ("pipeline { agent { kubernetes { label 'kaniko-pod' } }\n"
                " stages { stage('b') { steps { container('kaniko') { sh '/kaniko/executor -c .' } } } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": labelled, "Dockerfile": WRITES_TMP_B})
    assert [f.rule for f in run(root).findings] == ["KL011"], "no KL012 guess for a controller template"


SCRIPTED = """podTemplate(
  yaml: '''
%s''',
  containers: [containerTemplate(name: 'tools', image: 'alpine', command: 'cat', ttyEnabled: true, workingDir: '/w')],
  volumes: [secretVolume(mountPath: '/etc/creds', secretName: 'c'), emptyDirVolume(mountPath: '/cache', memory: false),
            hostPathVolume(hostPath: '/var/lib/docker', mountPath: '/var/lib/docker', readOnly: true)]) {
  node(POD_LABEL) {
    stage('build') {
      container('kaniko') { sh "/kaniko/executor --context ${env.WORKSPACE} --dockerfile Dockerfile" }
    }
  }
}
"""


def test_scripted_pod_template_volumes_reach_template_containers_and_the_added_agent(make_workspace) -> None:
    _, analysis = analysis_of(make_workspace, {"Jenkinsfile": SCRIPTED % kaniko_yaml(0), "Dockerfile": WRITES_TMP_B})
    (build,) = analysis.builds
    pod = build.pod
    assert mounts(pod, "kaniko") == ["/home/jenkins/agent"], "yaml-only containers get no template volumes"
    assert mounts(pod, "tools") == ["/etc/creds", "/cache", "/var/lib/docker", "/w"]
    assert mounts(pod, "jnlp") == ["/etc/creds", "/cache", "/var/lib/docker", "/home/jenkins/agent"]
    read_only = {m.path for c in pod.containers for m in c.mounts if m.read_only and m.source.name == "TEMPLATE"}
    assert read_only == {"/etc/creds", "/var/lib/docker"}
    assert build.use is not None and build.use.path == "Dockerfile"


def test_nested_pod_template_override_drops_outer_containers(make_workspace) -> None:
    inner = "podTemplate(yaml: '''\n" + kaniko_yaml(0, name="maven") + "''') {\n"
    jenkinsfile = ("podTemplate(yaml: '''\n" + kaniko_yaml(0) + "''') {\n" + inner +
                   "  node(POD_LABEL) { container('kaniko') { sh '/kaniko/executor -c .' } }\n}\n}\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": "FROM alpine\n"})
    findings = run(root).findings
    assert [(f.rule, f.location.range.start.line) for f in findings] == [("KL012", 12)]
    merged = jenkinsfile.replace("podTemplate(yaml: '''\n" + kaniko_yaml(0, name="maven"),
                                 "podTemplate(yamlMergeStrategy: merge(), yaml: '''\n" + kaniko_yaml(0, name="maven"))
    root, analysis = analysis_of(make_workspace, {"Jenkinsfile": merged, "Dockerfile": "FROM alpine\n"})
    assert run(root).findings == []
    assert sorted(c.name for c in analysis.builds[0].pod.containers) == ["jnlp", "kaniko", "maven"]


def test_read_trusted_and_library_resource(make_workspace) -> None:
    jenkinsfile = ("podTemplate(yaml: readTrusted('pods/kaniko.yaml')) {\n node(POD_LABEL) {\n"
                   "  container('kaniko') { sh '/kaniko/executor -c .' } } }\n"
                   "podTemplate(yaml: libraryResource('k.yaml')) { node(POD_LABEL) {\n"
                   "  container('kaniko') { sh '/kaniko/executor -c .' } } }\n")
    root, analysis = analysis_of(make_workspace, {"ci/Jenkinsfile": jenkinsfile,
                                                  "pods/kaniko.yaml": kaniko_yaml(0, "/tmp/b"),
                                                  "Dockerfile": WRITES_TMP_B})
    first, second = analysis.builds
    assert mounts(first.pod, "kaniko") == ["/tmp/b"]
    assert second.pod is not None and second.pod.template.incomplete
    rules = sorted({f.rule for f in run(root).findings})
    assert rules == ["KL001", "KL011"]


def test_container_template_working_dir_and_fix_in_groovy(make_workspace) -> None:
    jenkinsfile = ("podTemplate(containers: [\n"
                   f"  containerTemplate(name: 'kaniko', image: '{KANIKO_IMAGE}', command: '/busybox/cat', "
                   "ttyEnabled: true,\n"
                   "                    workingDir: '/tmp/b')\n]) {\n node(POD_LABEL) {\n"
                   "  container(name: 'kaniko', shell: '/busybox/sh') { sh '/kaniko/executor -c `pwd`' } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
    result = run(root)
    assert ("KL001", "Jenkinsfile", 2, 33, 39) in summary(result)
    from helpers import fix_all

    fix_all(root)
    assert "workingDir: '/home/jenkins/agent')" in (root / "Jenkinsfile").read_text()
    assert run(root).findings == []


def test_dir_steps_compose_and_several_invocations(make_workspace) -> None:
    jenkinsfile = (
        "pipeline { agent { kubernetes { yaml '''" + kaniko_yaml(0, "/tmp/b") + "''' } }\n"
        " stages { stage('b') { steps { container('kaniko') {\n"
        "  dir('services') { dir('api') {\n"
        "    sh '''\n      /kaniko/executor \\\\\n        --context=`pwd` \\\\\n        --no-push\n'''\n"
        "  } }\n"
        "  sh(script: '/kaniko/executor -c web -f web/Dockerfile.prod', returnStdout: true)\n"
        "  sh script: \"/kaniko/executor -c \\$PWD/web\", label: 'web'\n"
        "} } } } }\n")
    _, analysis = analysis_of(make_workspace, {
        "Jenkinsfile": jenkinsfile, "services/api/Dockerfile": WRITES_TMP_B,
        "web/Dockerfile.prod": "FROM alpine\n", "web/Dockerfile": "FROM alpine\n"})
    assert [(b.build.cwd, b.use.path if b.use else b.unresolved) for b in analysis.builds] == [
        ("services/api", "services/api/Dockerfile"), ("", "web/Dockerfile.prod"), ("", "web/Dockerfile")]


def test_groovy_variables_interpolation_and_idioms(make_workspace) -> None:
    jenkinsfile = (
        "@Library('shared@main') _\n"
        "// the pod\n"
        "def workDir = '/tmp/b'\n"
        "def podYaml = \"\"\"\n" + kaniko_yaml(0).replace(f"image: {KANIKO_IMAGE}\n",
                                                          f"image: {KANIKO_IMAGE}\n    workingDir: ${{workDir}}\n")
        + "\"\"\".stripIndent()\n"
        "def dockerfile = params.DOCKERFILE ?: 'docker/Dockerfile'\n"
        "pipeline {\n  agent { kubernetes { yaml podYaml } }\n  stages {\n"
        "    stage('b') { steps { script {\n"
        "      ['a'].each { svc -> echo \"building ${svc}\" }\n"
        "      parallel one: { container('kaniko') { sh \"/kaniko/executor -c . -f ${dockerfile}\" } },\n"
        "               two: { container('kaniko') { sh \"/kaniko/executor -c . -f ${env.DOCKERFILE_2}\" } }\n"
        "    } } }\n  }\n  post { always { echo 'done' } }\n}\n")
    root, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile.replace("\n", "\r\n"),
                                                  "docker/Dockerfile": WRITES_TMP_B})
    assert analysis.pipeline.problems == []
    first, second = analysis.builds
    assert first.use is not None and first.use.path == "docker/Dockerfile"
    assert second.use is None and "cannot be resolved" in (second.unresolved or "")
    assert mounts(first.pod, "kaniko") == ["/tmp/b"]
    mount_side = [f for f in run(root).findings if f.rule == "KL001" and f.location.path == "Jenkinsfile"]
    assert [(f.location.range.start.line, f.location.range.start.character) for f in mount_side] == [(2, 15)], \
        "a mount from an interpolated constant points at the constant's definition"


def test_echo_and_heredoc_produce_the_dockerfile(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes { yaml '''" + kaniko_yaml(0, "/tmp/b") + "''' } }\n"
                   " stages { stage('b') { steps { container('kaniko') {\n"
                   "  sh '''\n    echo 'FROM alpine' > Dockerfile\n    echo \"RUN touch /tmp/b/x\" >> Dockerfile\n"
                   "    /kaniko/executor --context `pwd`\n  '''\n} } } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile})
    assert ("KL001", "Jenkinsfile", 9, 20, 28) in summary(run(root))


def test_yaml_error_on_a_tab_line_is_reported_there_and_the_rest_is_analyzed(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes { yaml '''\nspec:\n  containers:\n  - name: kaniko\n"
                   "\timage: x\n''' } }\n stages { stage('b') { agent { kubernetes { yaml '''"
                   + kaniko_yaml(0, "/tmp/b") + "''' } }\n steps { container('kaniko') {\n"
                   "  sh '/kaniko/executor -c .' } } } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
    rules = [(f.rule, f.location.path, f.location.range.start.line) for f in run(root).findings]
    assert ("KL010", "Jenkinsfile", 4) in rules
    assert ("KL001", "Dockerfile", 1) in rules


def test_agent_container_and_agent_injection(make_workspace) -> None:
    jenkinsfile = ("podTemplate(agentContainer: 'tools', agentInjection: true, yaml: '''\n"
                   + kaniko_yaml(0, name="tools") + "''') {\n node(POD_LABEL) {\n"
                   "  container('tools') { sh '/kaniko/executor -c .' } } }\n")
    _, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": "FROM alpine\n"})
    pod = analysis.builds[0].pod
    assert pod is not None and pod.agent_name == "tools" and pod.container("jnlp") is None
    assert mounts(pod, "tools") == ["/jenkins-agent", "/home/jenkins/agent"]


def test_declarative_container_template_block_and_list(make_workspace) -> None:
    steps = " stages { stage('b') { steps { container('kaniko') { sh '/kaniko/executor -c .' } } } } }\n"
    block = f"  containerTemplate {{\n    name 'kaniko'\n    image '{KANIKO_IMAGE}'\n    workingDir '/tmp/b'\n  }}\n"
    listed = (f"  containerTemplates([containerTemplate(name: 'kaniko', image: '{KANIKO_IMAGE}', "
              "workingDir: '/tmp/b')])\n")
    for settings in (block, listed):
        jenkinsfile = "pipeline { agent { kubernetes {\n" + settings + "} }\n" + steps
        _, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": WRITES_TMP_B})
        assert mounts(analysis.builds[0].pod, "kaniko") == ["/tmp/b"]
    bare = "pipeline { agent { kubernetes {\n" + block + "} }\n stages { stage('b') { steps {\n" \
           "  sh '/kaniko/executor -c .' } } } }\n"
    _, analysis = analysis_of(make_workspace, {"Jenkinsfile": bare, "Dockerfile": WRITES_TMP_B})
    assert analysis.builds[0].build.container == "kaniko", "a single containerTemplate runs the agent's steps"


def test_every_template_volume_kind_and_the_workspace_volume(make_workspace) -> None:
    jenkinsfile = (
        "podTemplate(workspaceVolume: dynamicPVC(requestsSize: '10Gi'), workingDir: '/ignored', containers: [\n"
        f"  containerTemplate(name: 'kaniko', image: '{KANIKO_IMAGE}')], volumes: [\n"
        "  nfsVolume(serverAddress: 'nfs', serverPath: '/x', readOnly: true, mountPath: '/nfs'),\n"
        "  persistentVolumeClaim(mountPath: '/pvc', claimName: 'c', readOnly: false),\n"
        "  dynamicPVC(mountPath: '/dyn', requestsSize: '1Gi'),\n"
        "  genericEphemeralVolume(mountPath: '/eph', requestsSize: '1Gi'),\n"
        "  configMapVolume(mountPath: '/etc/app/', configMapName: 'app'),\n"
        "  emptyDirVolume(mountPath: '/pvc', memory: true)]) {\n"
        " node(POD_LABEL) { container('kaniko') { sh '/kaniko/executor -c .' } } }\n")
    root, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": "FROM alpine\n"})
    pod = analysis.builds[0].pod
    assert mounts(pod, "kaniko") == ["/nfs", "/pvc", "/dyn", "/eph", "/etc/app", "/home/jenkins/agent"]
    read_only = [m.path for m in pod.container("kaniko").mounts if m.read_only and m.source.name == "TEMPLATE"]
    assert read_only == ["/nfs", "/etc/app"]
    assert [(f.rule, f.location.range.start.line) for f in run(root).findings] == [("KL006", 0)]


def test_read_file_yaml_and_nested_template_without_inheritance(make_workspace) -> None:
    jenkinsfile = ("podTemplate(yaml: readFile('pod.yaml')) {\n"
                   "  podTemplate(inheritFrom: '', containers: [containerTemplate(name: 'other', image: 'alpine')]) {\n"
                   "    node(POD_LABEL) { container('kaniko') { sh '/kaniko/executor -c .' } } } }\n")
    root, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "pod.yaml": kaniko_yaml(0),
                                                  "Dockerfile": "FROM alpine\n"})
    assert sorted(c.name for c in analysis.builds[0].pod.containers) == ["jnlp", "other"]
    assert [f.rule for f in run(root).findings] == ["KL012"]


def test_gstring_escapes_in_shell_steps(make_workspace) -> None:
    script = ('  sh """\n    /kaniko/executor --context \\$(pwd)/${dir} \\\\\n'
              '      --dockerfile=\\"\\$PWD/${dir}/Dockerfile\\"\n  """\n')
    jenkinsfile = ("def dir = 'app'\npipeline { agent { kubernetes { yaml \'\'\'" + kaniko_yaml(0, "/tmp/b")
                   + "\'\'\' } }\n stages { stage('b') { steps { container('kaniko') {\n" + script + "} } } } }\n")
    _, analysis = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "app/Dockerfile": WRITES_TMP_B})
    (build,) = analysis.builds
    assert build.use is not None and build.use.path == "app/Dockerfile"


def test_agent_injection_with_a_custom_agent_working_dir_is_kl004(make_workspace) -> None:
    containers = ("spec:\n  containers:\n  - name: jnlp\n    workingDir: /home/jenkins\n"
                  f"  - name: kaniko\n    image: {KANIKO_IMAGE}\n")
    jenkinsfile = ("podTemplate(agentInjection: true, yaml: '''\n" + containers + "''') {\n node(POD_LABEL) {\n"
                   "  container('kaniko') { sh '/kaniko/executor -c .' } } }\n")
    root, _ = analysis_of(make_workspace, {"Jenkinsfile": jenkinsfile, "Dockerfile": "FROM alpine\n"})
    assert [(f.rule, f.location.range.start.line) for f in run(root).findings] == [("KL004", 4)]
