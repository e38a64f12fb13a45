"""GitLab CI: the jobs whose script runs the kaniko executor, with `extends`, `default:` and variables,
their Dockerfile checked against the runner's builds volume at /builds, through the CLI and the language
server."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from test_cli import check

from helpers import launcher_findings as findings
from helpers import place
from lsp_support import open_document, replace_and_expect_clear, start, wait_for

CI = """\
stages: [build]

variables:
  DOCKERFILE: docker/Dockerfile

.kaniko:
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]

build-image:
  extends: .kaniko
  stage: build
  script:
    - /kaniko/executor
      --context "${CI_PROJECT_DIR}"
      --dockerfile "${CI_PROJECT_DIR}/${DOCKERFILE}"
      --destination "${CI_REGISTRY_IMAGE}:${CI_COMMIT_TAG}"

test:
  image: node:20
  script:
    - npm test
"""
WRITES_BUILDS = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && mkdir -p /builds/cache\n"
WRITES_APP = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && mkdir -p /app/cache\n"




def workspace(root: Path, dockerfile: str, files: dict[str, str] | None = None) -> Path:
    """`root` with the CI files (default: `.gitlab-ci.yml` holding CI) and docker/Dockerfile."""
    for name, text in {**(files or {".gitlab-ci.yml": CI}), "docker/Dockerfile": dockerfile}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_dockerfile_writing_under_builds_is_found_on_both_sides(tmp_path: Path) -> None:
    found = findings(workspace(tmp_path, WRITES_BUILDS))
    job = CI.splitlines().index("build-image:")
    assert [place(f) for f in found] == [("KL001", ".gitlab-ci.yml", job, 0),
                                         ("KL001", "docker/Dockerfile", 3, 23)]
    assert found[0]["message"] == ("kaniko never snapshots the GitLab Runner's builds volume, mounted at /builds "
                                   "(job 'build-image'): 1 change by docker/Dockerfile will be missing from the "
                                   "image (/builds/cache); make the Dockerfile write outside /builds (the GitLab "
                                   "Runner mounts it into every job)")
    assert found[1]["related"][0]["path"] == ".gitlab-ci.yml"


def test_look_alikes_stay_silent(tmp_path: Path) -> None:
    workspace(tmp_path, WRITES_APP)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "build.yml").write_text(  # not GitLab CI: `run:` steps
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: /kaniko/executor --context . --no-push\n")
    assert findings(tmp_path) == []


def test_a_job_without_a_shell_or_without_kaniko_is_reported(tmp_path: Path) -> None:
    no_shell = CI.replace("v1.23.2-debug", "v1.23.2")
    (tmp_path / ".gitlab-ci.yml").write_text(no_shell)
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(WRITES_APP)
    executor = no_shell.splitlines().index("    - /kaniko/executor")
    (warning,) = findings(tmp_path)
    assert place(warning) == ("KL005", ".gitlab-ci.yml", executor, 6)
    assert warning["message"] == ("its script runs in job 'build-image', whose image "
                                  "gcr.io/kaniko-project/executor:v1.23.2 has no shell: use a debug image (tag ending "
                                  "in -debug)")


async def reported_on_the_job(client: LanguageClient, root: Path, ci: str) -> str:
    """Starts the server on `root`, opens `.gitlab-ci.yml` and waits for its one KL001 on the job's key."""
    await start(client, root)
    ci_uri = open_document(client, root / ".gitlab-ci.yml", "yaml")
    (on_job,) = await wait_for(client, ci_uri, lambda d: len(d) == 1)
    assert (on_job.code, on_job.range.start.line) == ("KL001", ci.splitlines().index("build-image:"))
    return ci_uri


async def test_the_language_server_reports_both_sides_and_clears_them(client: LanguageClient,
                                                                       tmp_path: Path) -> None:
    ci_uri = await reported_on_the_job(client, workspace(tmp_path, WRITES_BUILDS), CI)
    dockerfile_uri = open_document(client, tmp_path / "docker" / "Dockerfile", "dockerfile")
    (on_dockerfile,) = await wait_for(client, dockerfile_uri, lambda d: len(d) == 1)
    assert (on_dockerfile.range.start.line, on_dockerfile.range.start.character) == (3, 23)
    await replace_and_expect_clear(client, dockerfile_uri, 3, 23, 30, "/app", ci_uri)


def test_the_runner_mounts_come_from_the_project_configuration(tmp_path: Path) -> None:
    workspace(tmp_path, "FROM alpine\nRUN mkdir -p /cache/x /certs/client/y /ci/z /builds/w\n")
    assert findings(tmp_path) and {f["message"].split(" (job")[0].rsplit(" ", 1)[-1] for f in findings(tmp_path)
                                   if f["path"] == "docker/Dockerfile"} == {"/builds"}
    (tmp_path / ".kaniko-lsp.yaml").write_text(
        "gitlabRunner:\n  executor: docker\n  buildsDir: /ci\n  volumes: [\"/srv/certs:/certs/client:ro\"]\n")
    lost = sorted(f["message"].split(" writes ")[1].split(",")[0] for f in findings(tmp_path)
                  if f["path"] == "docker/Dockerfile")
    assert lost == ["/cache/x", "/certs/client/y", "/ci/z"]
    process = check(tmp_path)
    assert "the GitLab Runner's volume at /cache (job 'build-image')" in process.stdout
    assert "the GitLab Runner's builds volume, mounted at /ci (job 'build-image')" in process.stdout


def test_a_script_taken_by_reference_is_read(tmp_path: Path) -> None:
    ci = (".kaniko-build:\n  script:\n    - /kaniko/executor --context \"${CI_PROJECT_DIR}\" "
          "--dockerfile \"${CI_PROJECT_DIR}/docker/Dockerfile\" --no-push\n\n"
          "build:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [\"\"]\n"
          "  script:\n    - echo start\n    - !reference [.kaniko-build, script]\n")
    (tmp_path / ".gitlab-ci.yml").write_text(ci)
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(WRITES_BUILDS)
    found = findings(tmp_path)
    assert [place(f) for f in found] == [("KL001", ".gitlab-ci.yml", 4, 0), ("KL001", "docker/Dockerfile", 3, 23)]
    assert "(job 'build')" in found[0]["message"]


INCLUDING = """\
include:
  - local: /ci/kaniko.yml
  - project: group/templates
    file: /docker.yml
  - remote: https://example.com/ci.yml

variables:
  DOCKERFILE: docker/Dockerfile

build-image:
  extends: .kaniko
"""
TEMPLATE = """\
include: ci/common.yml

.kaniko:
  extends: .registry
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "${CI_PROJECT_DIR}" --dockerfile "${CI_PROJECT_DIR}/${DOCKERFILE}" --no-push
"""
COMMON = ".registry:\n  before_script:\n    - echo logging in\n"


def including_workspace(root: Path, dockerfile: str) -> Path:
    return workspace(root, dockerfile, {".gitlab-ci.yml": INCLUDING, "ci/kaniko.yml": TEMPLATE,
                                        "ci/common.yml": COMMON})


def test_a_job_extending_a_template_of_an_included_file_is_read(tmp_path: Path) -> None:
    found = findings(including_workspace(tmp_path, WRITES_BUILDS))
    assert [place(f) for f in found] == [("KL001", ".gitlab-ci.yml", INCLUDING.splitlines().index("build-image:"), 0),
                                         ("KL001", "docker/Dockerfile", 3, 23)]
    assert "(job 'build-image')" in found[1]["message"]
    assert findings(including_workspace(tmp_path / "clean", WRITES_APP)) == []


def test_a_job_of_an_included_file_runs_in_the_including_pipeline(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / ".gitlab-ci.yml").write_text("include: ci/build.yml\n\nvariables:\n  DOCKERFILE: docker/Dockerfile\n")
    (tmp_path / "ci" / "build.yml").write_text(TEMPLATE.replace(".kaniko:", "build:").replace("  extends: .registry\n",
                                                                                            ""))
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(WRITES_BUILDS)
    assert [place(f) for f in findings(tmp_path)] == [("KL001", "ci/build.yml", 2, 0),
                                                      ("KL001", "docker/Dockerfile", 3, 23)]


def test_includes_that_loop_or_are_missing_are_harmless(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / ".gitlab-ci.yml").write_text("include: [ci/a.yml, ci/missing.yml, ../outside.yml]\n")
    (tmp_path / "ci" / "a.yml").write_text("include: .gitlab-ci.yml\n.x:\n  script: [echo]\n")
    process = check(tmp_path)
    assert (process.returncode, process.stdout) == (0, "All clear: 1 pipeline checked, no findings.\n")


async def test_editing_the_included_template_updates_the_including_pipeline(client: LanguageClient,
                                                                            tmp_path: Path) -> None:
    ci_uri = await reported_on_the_job(client, including_workspace(tmp_path, WRITES_BUILDS), INCLUDING)
    template_uri = open_document(client, tmp_path / "ci" / "kaniko.yml", "yaml")
    line = TEMPLATE.splitlines().index(next(x for x in TEMPLATE.splitlines() if "--dockerfile" in x))
    start_at = TEMPLATE.splitlines()[line].index("${DOCKERFILE}")
    # the template now builds another Dockerfile, which writes nothing under /builds
    (tmp_path / "docker" / "clean.Dockerfile").write_text(WRITES_APP)
    await replace_and_expect_clear(client, template_uri, line, start_at, start_at + len("${DOCKERFILE}"),
                                   "docker/clean.Dockerfile", ci_uri)


WILDCARD_INCLUDING = INCLUDING.replace("  - local: /ci/kaniko.yml\n", "  - local: ci/**.yml\n")


def test_wildcard_includes_read_every_yaml_file_they_match_as_gitlab_does(tmp_path: Path) -> None:
    workspace(tmp_path, WRITES_BUILDS, {".gitlab-ci.yml": WILDCARD_INCLUDING, "ci/templates/kaniko.yml": TEMPLATE,
                                        "ci/common.yml": COMMON})
    found = findings(tmp_path)
    assert [place(f) for f in found] == [
        ("KL001", ".gitlab-ci.yml", WILDCARD_INCLUDING.splitlines().index("build-image:"), 0),
        ("KL001", "docker/Dockerfile", 3, 23)]
    # `*` stays within a folder: the template in a subfolder is no longer included, the job extends nothing
    (tmp_path / ".gitlab-ci.yml").write_text(WILDCARD_INCLUDING.replace("ci/**.yml", "ci/*.yml"))
    assert findings(tmp_path) == []


async def test_a_file_created_where_a_wildcard_include_looks_is_merged(client: LanguageClient, tmp_path: Path) -> None:
    workspace(tmp_path, WRITES_BUILDS, {".gitlab-ci.yml": WILDCARD_INCLUDING, "ci/common.yml": COMMON})
    await start(client, tmp_path)
    ci_uri = open_document(client, tmp_path / ".gitlab-ci.yml", "yaml")
    assert not await wait_for(client, ci_uri, lambda d: True)  # `.kaniko` is nowhere yet
    (tmp_path / "ci" / "kaniko.yml").write_text(TEMPLATE)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent(uri=from_fs_path(str(tmp_path / "ci" / "kaniko.yml")), type=types.FileChangeType.Created)]))
    (on_job,) = await wait_for(client, ci_uri, lambda d: len(d) == 1)
    assert (on_job.code, on_job.range.start.line) == ("KL001", WILDCARD_INCLUDING.splitlines().index("build-image:"))


def test_wildcard_includes_match_like_gitlab() -> None:
    from kaniko_lsp.workspace import PATH_WILDCARD, glob_matches

    def matches(pattern: str, path: str) -> bool:
        return glob_matches(PATH_WILDCARD + pattern, path)

    assert matches("configs/*.yml", "configs/build.yml")
    assert not matches("configs/*.yml", "configs/deploy.yaml")
    assert not matches("configs/*.yml", "configs/jobs/build.yml")
    assert matches("configs/**.yml", "configs/jobs/build.yml") and matches("configs/**.yml", "configs/build.yml")
    assert matches("configs/**/*.yml", "configs/jobs/build.yml")
    assert not matches("configs/**/*.yml", "configs/build.yml")
    assert not matches("*.yml", "configs/build.yml")
    assert not matches("**a**a**a**a**a**b", "a" * 5000 + "c")  # no catastrophic backtracking
