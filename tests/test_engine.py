"""The incremental engine: what a change re-analyses, and that the result equals a fresh analysis."""

from __future__ import annotations

from pathlib import Path

from kaniko_lsp.analysis import analyze
from kaniko_lsp.engine import Engine
from kaniko_lsp.workspace import Workspace

from helpers import declarative, kaniko_container, kaniko_step

LOSING = "FROM alpine\nRUN mkdir -p /tmp/b/cache\n"
CLEAN = "FROM alpine\nRUN mkdir -p /srv/cache\n"


def pipeline(dockerfile: str) -> str:
    return declarative(kaniko_container("/tmp/b"), kaniko_step(f"--context $(pwd) --dockerfile {dockerfile}"))


def monorepo(make_workspace, services: int = 10) -> Path:
    """`services` pipelines, each building its own Dockerfile; the first two also build `shared/Dockerfile`."""
    files = {"shared/Dockerfile": LOSING}
    for n in range(services):
        files[f"svc{n}/Dockerfile"] = CLEAN
        files[f"svc{n}/Jenkinsfile"] = pipeline(f"svc{n}/Dockerfile")
    for n in range(2):
        files[f"svc{n}/Jenkinsfile.shared"] = pipeline("shared/Dockerfile")
    return make_workspace(files)


def summary(engine: Engine, path: str) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.range.start.line) for f in engine.findings_in(path)]


def full(root: Path, buffers: dict[str, str] | None = None) -> list[tuple[str, str, int]]:
    result = analyze(Workspace(root, dict(buffers or {})))
    return [(f.rule, f.location.path, f.location.range.start.line) for f in result.findings]


def everything(engine: Engine) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.range.start.line) for f in engine.result().findings]


def test_an_edit_to_a_dockerfile_reanalyses_only_the_pipelines_that_build_it(make_workspace) -> None:
    root = monorepo(make_workspace)
    engine = Engine(Workspace(root))
    engine.scan()
    engine.refresh()
    assert engine.analysed == 12
    assert engine.readers_of("shared/Dockerfile") == {"svc0/Jenkinsfile.shared", "svc1/Jenkinsfile.shared"}
    assert [r for r, *_ in summary(engine, "shared/Dockerfile")] == ["KL001", "KL001"]

    engine.set_buffer("shared/Dockerfile", CLEAN)
    engine.refresh()
    assert engine.analysed == 14, "the two pipelines that build shared/Dockerfile, and nothing else"
    assert summary(engine, "shared/Dockerfile") == []
    assert everything(engine) == full(root, {"shared/Dockerfile": CLEAN})

    engine.set_buffer("svc5/Dockerfile", LOSING)
    engine.refresh()
    assert engine.analysed == 15
    assert summary(engine, "svc5/Jenkinsfile") == [("KL001", "svc5/Jenkinsfile", 10)]


def test_an_unchanged_text_reanalyses_nothing_and_an_undo_reuses_the_result(make_workspace) -> None:
    root = monorepo(make_workspace, 3)
    engine = Engine(Workspace(root))
    engine.scan()
    engine.refresh()
    before = engine.analysed
    engine.set_buffer("svc1/Dockerfile", CLEAN)  # what the disk holds: nothing changes
    engine.refresh()
    assert engine.analysed == before
    engine.set_buffer("svc1/Dockerfile", LOSING)
    engine.refresh()
    engine.set_buffer("svc1/Dockerfile", CLEAN)
    engine.changed(["svc1/Dockerfile"], on_disk=False)
    engine.refresh()
    assert engine.analysed == before + 2, "the edit, then the undo (its inputs read as before the edit)"


def test_creating_a_dockerfile_that_was_looked_for_reanalyses_its_pipeline(make_workspace) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("docker/app.Dockerfile")})
    engine = Engine(Workspace(root))
    engine.scan()
    engine.refresh()
    (missing,) = engine.findings_in("Jenkinsfile")
    assert missing.rule == "KL011" and "no Dockerfile found at docker/app.Dockerfile" in missing.message
    assert engine.readers_of("docker/app.Dockerfile") == {"Jenkinsfile"}

    (root / "docker").mkdir()
    (root / "docker" / "app.Dockerfile").write_text(LOSING)
    assert engine.changed(["docker/app.Dockerfile"]) == {"Jenkinsfile"}
    affected = engine.refresh()
    assert affected == {"Jenkinsfile", "docker/app.Dockerfile"}
    assert [f.rule for f in engine.findings_in("Jenkinsfile")] == ["KL001"]
    assert [f.rule for f in engine.findings_in("docker/app.Dockerfile")] == ["KL001"]


def test_config_files_pipelines_and_yaml_files_are_inputs_too(make_workspace) -> None:
    jenkinsfile = ("pipeline { agent { kubernetes { yamlFile 'ci/pod.yaml' } }\n"
                   " stages { stage('b') { steps { container('kaniko') {\n"
                   "  sh '/kaniko/executor --context `pwd` --dockerfile Dockerfile'\n} } } } }\n")
    pod = "spec:\n  containers:\n  - name: kaniko\n    workingDir: /tmp/b\n"
    root = make_workspace({"Jenkinsfile": jenkinsfile, "ci/pod.yaml": pod, "Dockerfile": LOSING})
    engine = Engine(Workspace(root))
    engine.scan()
    engine.refresh()
    assert [f.rule for f in engine.findings_in("ci/pod.yaml")] == ["KL001"]

    (root / ".kaniko-lsp.yaml").write_text("ignore: [KL001]\n")
    assert engine.changed([".kaniko-lsp.yaml"]) == {"Jenkinsfile"}
    engine.refresh()
    assert engine.findings_in("ci/pod.yaml") == [] and engine.findings_in("Dockerfile") == []

    (root / ".kaniko-lsp.yaml").unlink()
    engine.changed([".kaniko-lsp.yaml"])
    engine.set_buffer("ci/pod.yaml", pod.replace("/tmp/b", "/home/jenkins/agent"))
    engine.refresh()
    assert engine.findings_in("Dockerfile") == []

    (root / "other").mkdir()
    (root / "other" / "Jenkinsfile").write_text(pipeline("Dockerfile"))  # sh steps run at the checkout root
    assert engine.changed(["other/Jenkinsfile"]) == {"other/Jenkinsfile"}
    assert engine.refresh() == {"Dockerfile", "other/Jenkinsfile"}
    assert [f.rule for f in engine.findings_in("Dockerfile")] == ["KL001"]
    (root / "other" / "Jenkinsfile").unlink()
    assert engine.changed(["other/Jenkinsfile"]) == set()
    assert engine.refresh() == {"Dockerfile", "other/Jenkinsfile"}
    assert "other/Jenkinsfile" not in engine.pipelines and engine.findings_in("Dockerfile") == []


def test_the_parse_cache_holds_only_current_texts(make_workspace) -> None:
    root = monorepo(make_workspace, 2)
    engine = Engine(Workspace(root))
    engine.scan()
    engine.refresh()
    for n in range(50):
        engine.set_buffer("shared/Dockerfile", f"FROM alpine\nRUN mkdir -p /tmp/b/{n}\n")
        engine.refresh()
    assert len(engine.parsed.dockerfiles.entries) == 3
    assert len(engine.parsed.effects) == 3


def test_discovery_knows_the_readers_of_a_file_before_any_analysis(make_workspace) -> None:
    root = monorepo(make_workspace, 4)
    engine = Engine(Workspace(root))
    engine.scan()
    for pipeline in sorted(engine.pipelines):
        engine.discover(pipeline)
    assert engine.analysed == 0 and engine.complete
    readers = engine.readers_of("shared/Dockerfile")
    assert readers == {"svc0/Jenkinsfile.shared", "svc1/Jenkinsfile.shared"}
    engine.refresh(readers)
    assert engine.analysed == 2
    assert [r for r, *_ in summary(engine, "shared/Dockerfile")] == ["KL001", "KL001"]
    assert engine.readers_of("shared/Dockerfile") == readers
