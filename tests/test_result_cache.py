"""`kaniko-lsp check` keeps each pipeline's findings between runs and reuses them only while every input the
pipeline read is unchanged."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

from kaniko_lsp import engine as engine_module
from kaniko_lsp.analysis import Result, analyze
from kaniko_lsp.config import Config
from kaniko_lsp.engine import Engine
from kaniko_lsp.result_cache import FORMAT, ResultCache, _finding, _read_finding, default_directory, encode
from kaniko_lsp.workspace import Workspace
from test_incremental import FILES, OPTIONAL, variants

from conftest import EXAMPLES, SERVER
from lsp_support import index_ended, open_document, start

WRITES_M2 = "FROM alpine\nRUN mkdir -p /build/.m2\n"
CLEAN = "FROM alpine\nRUN mkdir -p /opt/app\n"


def pipeline(dockerfile: str) -> str:
    return ("pipeline { agent { kubernetes { yaml '''\n"
            "spec:\n  containers:\n  - name: kaniko\n    image: gcr.io/kaniko-project/executor:debug\n"
            "    workingDir: /build\n"
            "''' } }\n  stages { stage('i') { steps { container(name: 'kaniko', shell: '/busybox/sh') {\n"
            f"    sh '/kaniko/executor --context `pwd` --dockerfile `pwd`/{dockerfile} --no-push'\n"
            "  } } } }\n}\n")


THREE_PIPELINES = {"a/Jenkinsfile": pipeline("shared/Dockerfile"), "b/Jenkinsfile": pipeline("shared/Dockerfile"),
                   "c/Jenkinsfile": pipeline("c/Dockerfile"), "shared/Dockerfile": WRITES_M2, "c/Dockerfile": CLEAN}
"""Two pipelines build one Dockerfile, a third its own."""


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pipelines analysed (not taken from the cache), in order."""
    analysed: list[str] = []
    original = engine_module.analyze_pipeline

    def counting(workspace, path, *rest):  # type: ignore[no-untyped-def]
        analysed.append(path)
        return original(workspace, path, *rest)

    monkeypatch.setattr(engine_module, "analyze_pipeline", counting)
    return analysed


def cached_run(root: Path, folder: Path, config: Config | None = None, jobs: int = 1) -> Result:
    """One `check` run: a fresh workspace, the cache read from and written to `folder`."""
    workspace = Workspace(root)
    return analyze(workspace, config=config, jobs=jobs, cache=ResultCache(folder, workspace, config))


def view(result: Result) -> tuple[object, ...]:
    return ([(f, f.parts) for f in result.findings], result.unreadable, result.config_problems,
            result.syntax_problems, result.pipelines)


def test_a_pipeline_is_analysed_again_only_when_what_it_read_changed(
        make_workspace, tmp_path: Path, counted: list[str]) -> None:
    root = make_workspace(THREE_PIPELINES)
    folder = tmp_path / "cache"
    first = cached_run(root, folder)
    assert sorted(counted) == ["a/Jenkinsfile", "b/Jenkinsfile", "c/Jenkinsfile"]
    assert [f.location.path for f in first.findings if f.rule == "KL001"].count("shared/Dockerfile") == 2

    counted.clear()
    assert view(cached_run(root, folder)) == view(first)
    assert counted == []

    (root / "shared/Dockerfile").write_text(CLEAN)
    after_edit = cached_run(root, folder)
    assert sorted(counted) == ["a/Jenkinsfile", "b/Jenkinsfile"]
    assert not [f for f in after_edit.findings if f.rule == "KL001"]

    counted.clear()
    (root / "c/Dockerfile").unlink()
    assert "c/Dockerfile" not in {f.location.path for f in cached_run(root, folder).findings}
    assert counted == ["c/Jenkinsfile"]


def test_a_file_that_appears_where_a_pipeline_looked_is_read(make_workspace, tmp_path: Path) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("images/Dockerfile")})
    folder = tmp_path / "cache"
    assert not [f for f in cached_run(root, folder).findings if f.rule == "KL001"]
    (root / "images").mkdir()
    (root / "images/Dockerfile").write_text(WRITES_M2)
    found = [(f.rule, f.location.path, f.location.range.start.line) for f in cached_run(root, folder).findings
             if f.rule == "KL001"]
    assert ("KL001", "images/Dockerfile", 1) in found


def test_a_new_file_matching_a_dockerfile_pattern_is_read(make_workspace, tmp_path: Path) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("images/${params.NAME}/Dockerfile"), "images/a/Dockerfile": CLEAN})
    folder = tmp_path / "cache"
    assert cached_run(root, folder).findings == []
    (root / "images/b").mkdir()
    (root / "images/b/Dockerfile").write_text(WRITES_M2)
    found = [(f.rule, f.location.path, f.location.range.start.line) for f in cached_run(root, folder).findings]
    assert found == [("KL001", "Jenkinsfile", 5), ("KL001", "images/b/Dockerfile", 1)]


def test_the_configuration_given_on_the_command_line_has_its_own_entries(
        make_workspace, tmp_path: Path, counted: list[str]) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("Dockerfile"), "Dockerfile": WRITES_M2})
    folder = tmp_path / "cache"
    assert any(f.rule == "KL001" for f in cached_run(root, folder).findings)
    ignoring = Config(ignore=frozenset({"KL001"}))
    assert not any(f.rule == "KL001" for f in cached_run(root, folder, ignoring).findings)
    assert any(f.rule == "KL001" for f in cached_run(root, folder).findings)
    assert counted == ["Jenkinsfile", "Jenkinsfile"]


@pytest.mark.parametrize("content", ["", "{", "[]", '{"pipelines": {"Jenkinsfile": 3}}',
                                     '{"pipelines": {"Jenkinsfile": {"inputs": {"Jenkinsfile": "x"}}}}',
                                     '{"pipelines": {"Jenkinsfile": {"inputs": {}, "findings": [{"rule": 1}]}}}',
                                     '{"pipelines": {"Jenkinsfile": {"inputs": {}, "unreadable": {}, "problems": [], '
                                     '"config_problems": {}, "findings": [{"rule": "KL001", "severity": "error", '
                                     '"location": [], "message": "", "related": [], "fixes": [], "parts": []}]}}}'])
def test_a_cache_file_that_cannot_be_used_is_ignored_and_replaced(make_workspace, tmp_path: Path,
                                                                  content: str) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("Dockerfile"), "Dockerfile": WRITES_M2})
    folder = tmp_path / "cache"
    fresh = analyze(Workspace(root))
    cache = ResultCache(folder, Workspace(root), None)
    folder.mkdir()
    cache.file.write_text(content)
    assert view(cached_run(root, folder)) == view(fresh)
    assert view(cached_run(root, folder)) == view(fresh)
    assert json.loads(cache.file.read_text())["format"] == 1


def test_the_cache_file_is_the_json_of_its_entries() -> None:
    """The text written, entry by entry, reads back as the entries, and is what encoding them at once gives."""
    entries = {"Jenkinsfile": {"inputs": {"Dockerfile": "text 0a"}, "findings": []},
               'ci/"quoted" \\ é.groovy': {"inputs": {}, "findings": [{"message": "naïve \u2028 \"x\""}]}}
    for each in ({}, entries):
        text = encode(each)
        assert json.loads(text) == {"format": FORMAT, "pipelines": each}
        assert text == json.dumps({"format": FORMAT, "pipelines": each}, separators=(",", ":"))


def test_random_changes_never_leave_a_stale_finding(tmp_path: Path) -> None:
    """After each random change on disk, a run with the cache says exactly what a run without it says."""
    rng = random.Random(5)
    root, folder = tmp_path / "ws", tmp_path / "cache"
    for step in range(120):
        path = rng.choice(FILES)
        content = variants(path, rng)
        target = root / path
        if content is None or (path in OPTIONAL and rng.random() < 0.3):
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        assert view(cached_run(root, folder, jobs=1 + step % 2)) == view(analyze(Workspace(root))), step


def test_every_finding_of_the_examples_reads_back_the_same() -> None:
    findings = [f for example in ("seed", "seed-fixed") for f in analyze(Workspace(EXAMPLES / example)).findings]
    assert any(f.fixes and f.related and f.parts for f in findings)
    for finding in findings:
        copy = _read_finding(json.loads(json.dumps(_finding(finding))))
        assert (copy, copy.parts) == (finding, finding.parts)


def check(root: Path, *flags: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SERVER, "check", str(root), "--format", "json", *flags], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_the_cli_reuses_its_cache_and_can_do_without_it(make_workspace, tmp_path: Path) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("Dockerfile"), "Dockerfile": WRITES_M2})
    folder = tmp_path / "cache"
    env = {**os.environ, "KANIKO_LSP_CACHE_DIR": str(folder)}
    first = check(root, env=env)
    assert first.returncode == 1 and first.stderr == ""
    assert [p.name for p in folder.iterdir()] == [ResultCache(folder, Workspace(root), None).file.name]
    second = check(root, env=env)
    assert (second.returncode, second.stdout, second.stderr) == (1, first.stdout, "")

    (root / "Dockerfile").write_text(CLEAN)
    assert json.loads(check(root, env=env).stdout)["findings"] == []

    elsewhere = tmp_path / "elsewhere"
    assert check(root, "--cache-dir", str(elsewhere), env=env).returncode == 0 and elsewhere.is_dir()
    unused = tmp_path / "unused"
    assert check(root, "--no-cache", "--cache-dir", str(unused), env=env).returncode == 0
    assert not unused.exists()


def test_a_cache_folder_that_cannot_be_written_only_costs_time(make_workspace, tmp_path: Path) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("Dockerfile"), "Dockerfile": WRITES_M2})
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    process = check(root, "--cache-dir", str(blocked / "cache"), env=dict(os.environ))
    assert process.returncode == 1 and process.stderr == ""
    assert [f["rule"] for f in json.loads(process.stdout)["findings"]].count("KL001") == 2


def test_the_cache_lives_in_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KANIKO_LSP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "xdg" / "kaniko-lsp"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_directory() == tmp_path / "home" / ".cache" / "kaniko-lsp"
    monkeypatch.setenv("KANIKO_LSP_CACHE_DIR", str(tmp_path / "chosen"))
    assert default_directory() == tmp_path / "chosen"


def test_a_change_to_an_included_gitlab_file_is_seen(tmp_path: Path) -> None:
    from test_gitlab import TEMPLATE, WRITES_APP, WRITES_BUILDS, including_workspace

    root, folder = including_workspace(tmp_path / "ws", WRITES_BUILDS), tmp_path / "cache"
    (root / "docker" / "clean.Dockerfile").write_text(WRITES_APP)
    assert len(cached_run(root, folder).findings) == 2
    (root / "ci" / "kaniko.yml").write_text(TEMPLATE.replace("${DOCKERFILE}", "docker/clean.Dockerfile"))
    assert view(cached_run(root, folder)) == view(analyze(Workspace(root))) and cached_run(root, folder).findings == []
    (root / "ci" / "common.yml").write_text(".registry:\n  script: [/kaniko/executor --context . --no-push]\n")
    assert view(cached_run(root, folder)) == view(analyze(Workspace(root)))


def test_the_editor_engine_starts_from_the_cache_and_analyses_a_pipeline_when_a_feature_needs_it(
        make_workspace, tmp_path: Path, counted: list[str]) -> None:
    root = make_workspace(THREE_PIPELINES)
    folder = tmp_path / "cache"
    cold = cached_run(root, folder)
    counted.clear()

    engine = Engine(Workspace(root))
    engine.cache = ResultCache(folder, engine.workspace, None)
    engine.scan()
    for found in sorted(engine.pipelines):
        engine.discover(found)
    engine.refresh()
    assert counted == [] and engine.from_cache == {"a/Jenkinsfile", "b/Jenkinsfile", "c/Jenkinsfile"}
    assert view(engine.result()) == view(cold)

    assert len(engine.analyses_reading("shared/Dockerfile")) == 2  # hover, links: analysed on demand
    assert sorted(counted) == ["a/Jenkinsfile", "b/Jenkinsfile"] and engine.from_cache == {"c/Jenkinsfile"}

    engine.set_buffer("c/Dockerfile", WRITES_M2)  # unsaved text: analysed, never stored as the disk's
    engine.refresh()
    assert counted[-1] == "c/Jenkinsfile" and any(f.location.path == "c/Dockerfile" for f in engine.result().findings)
    engine.save_cache()
    counted.clear()  # the disk still holds the clean c/Dockerfile: only c/Jenkinsfile is analysed again
    assert view(cached_run(root, folder)) == view(cold) and counted == ["c/Jenkinsfile"]


async def test_the_server_reports_what_the_cache_holds_and_answers_hover(client: LanguageClient,
                                                                         make_workspace) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("Dockerfile"), "Dockerfile": WRITES_M2})
    assert check(root, env=dict(os.environ)).returncode == 1  # fills the cache the server reads
    await start(client, root, pull=True)
    assert (await index_ended(client)).message == "1 pipeline(s) indexed, 1 with findings from the cache"
    report = await client.workspace_diagnostic_async(types.WorkspaceDiagnosticParams(previous_result_ids=[]))
    assert sorted((Path(to_fs_path(item.uri)).name, [d.code for d in item.items]) for item in report.items) == \
        [("Dockerfile", ["KL001"]), ("Jenkinsfile", ["KL001"])]
    dockerfile = open_document(client, root / "Dockerfile", "dockerfile")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=dockerfile), position=types.Position(line=1, character=2)))
    assert hover is not None and "RUN mkdir writes `/build/.m2`: missing from the image" in hover.contents.value


async def test_the_server_writes_what_it_analysed_once_work_settles(client: LanguageClient, make_workspace) -> None:
    root = make_workspace({"Jenkinsfile": pipeline("Dockerfile"), "Dockerfile": WRITES_M2})
    written = ResultCache(Path(os.environ["KANIKO_LSP_CACHE_DIR"]), Workspace(root), None).file
    await start(client, root)
    for _ in range(200):
        if written.exists():
            break
        await asyncio.sleep(0.05)
    entry = json.loads(written.read_text())["pipelines"]["Jenkinsfile"]
    assert sorted(entry["inputs"]) == [".kaniko-lsp.yaml", "Dockerfile", "Jenkinsfile"]
    assert [(f["rule"], f["location"][0]) for f in entry["findings"]] == [("KL001", "Dockerfile"),
                                                                          ("KL001", "Jenkinsfile")]
