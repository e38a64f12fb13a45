"""kaniko facts: ignore-list matching by whole components, executor flag spellings, path resolution."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaniko_lsp.kaniko import PathIndex, covers, executor_calls, workspace_path


@pytest.mark.parametrize(
    ("entry", "path", "expected"),
    [
        ("/home/jenkins", "/home/jenkins", True),
        ("/home/jenkins", "/home/jenkins/.m2", True),
        ("/home/jenkins", "/home/jenkins2/x", False),
        ("/home/jenkins", "/home", False),
        ("/home/jenkins/agent", "/home/jenkins/.m2", False),
        ("/var/run", "/run/x", False),
        ("/var/run", "/var/run/secrets/kubernetes.io/serviceaccount/token", True),
        ("/data*", "/data1/x", True),
        ("relative", "/relative/x", False),
        ("/", "/anything", False),
        ("/foo/", "/foo/bar", True),
    ],
)
def test_ignore_entry_matching(entry: str, path: str, expected: bool) -> None:
    assert covers(entry, path) is expected


@pytest.mark.parametrize(
    "script",
    [
        "/kaniko/executor --context=`pwd` --dockerfile=`pwd`/sub/Dockerfile --destination x",
        "/kaniko/executor --context `pwd` --dockerfile `pwd`/sub/Dockerfile",
        "/kaniko/executor -c $(pwd) -f $(pwd)/sub/Dockerfile",
        "executor -c . -f sub/Dockerfile",
        "/kaniko/executor --context=dir://$WORKSPACE -f \"$(pwd)/sub/Dockerfile\"",
        "set -e\nexport A=1 && \\\n  /kaniko/executor \\\n"
        "    --context ${WORKSPACE} \\\n    --dockerfile sub/Dockerfile",
    ],
)
def test_executor_flags_in_every_spelling(script: str) -> None:
    (call,) = executor_calls(script)
    assert workspace_path(call.last("--context").value, "") == ""
    assert workspace_path(call.last("--dockerfile").value, "") == "sub/Dockerfile"


def test_flag_value_offsets_point_at_the_value() -> None:
    script = "/kaniko/executor --dockerfile=Dockerfile.ci -c ctx"
    (call,) = executor_calls(script)
    flag = call.last("--dockerfile")
    assert script[flag.start:flag.end] == "Dockerfile.ci"
    assert script[call.start:call.end] == "/kaniko/executor"


def test_workspace_path_is_relative_to_the_step_directory() -> None:
    assert workspace_path("`pwd`/Dockerfile", "app") == "app/Dockerfile"
    assert workspace_path("$WORKSPACE/Dockerfile", "app") == "Dockerfile"
    assert workspace_path("/workspace/Dockerfile", "") is None
    assert workspace_path("$IMAGE_DIR/Dockerfile", "") is None


def test_collector_tuning_freezes_what_is_loaded_and_leaves_the_thresholds_alone():
    import gc

    from kaniko_lsp import collector

    before = gc.get_threshold()
    try:
        collector.tune()
        assert gc.get_threshold() == before and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_bulk_stretch_collects_less_often_and_ends_where_it_started():
    """The server's long analyses (index, a queue of stale pipelines) collect the young generation every
    BULK_THRESHOLD allocations; nested stretches end together, with the thresholds of before."""
    import gc

    from kaniko_lsp import collector

    before = gc.get_threshold()
    with collector.bulk():
        assert gc.get_threshold() == (collector.BULK_THRESHOLD, *before[1:])
        with collector.bulk():
            pass
        assert gc.get_threshold()[0] == collector.BULK_THRESHOLD
    assert gc.get_threshold() == before


def test_what_a_bulk_stretch_leaves_is_frozen_until_the_idle_full_collection():
    """After a stretch, CPython's own full collections walk only newer objects; the idle collection
    (`collect_everything`) frees cyclic garbage that was frozen, and freezes what survives."""
    import gc
    import weakref

    from kaniko_lsp import collector

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    try:
        with collector.bulk():
            kept, dropped = Cycle(), Cycle()
            gone = weakref.ref(dropped)
        frozen = gc.get_freeze_count()
        assert frozen > 0 and not any(o is kept for o in gc.get_objects())
        del dropped
        gc.collect()
        assert gone() is not None  # frozen: not even a full collection by CPython walks it
        collector.collect_everything()
        assert gone() is None
        assert gc.get_freeze_count() > 0 and not any(o is kept for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_keep_hides_the_results_of_earlier_steps_of_a_bulk_stretch_from_young_collections():
    """Each step of a long analysis leaves results that live on: `keep` freezes them inside a stretch,
    so the next step's young collections walk only what that step allocates; outside one it does nothing."""
    import gc

    from kaniko_lsp import collector

    class Result:
        pass

    try:
        gc.unfreeze()
        outside = Result()
        collector.keep()
        assert gc.get_freeze_count() == 0 and any(o is outside for o in gc.get_objects())
        with collector.bulk():
            first = Result()
            assert any(o is first for o in gc.get_objects())
            collector.keep()
            second = Result()
            assert not any(o is first for o in gc.get_objects())
            assert any(o is second for o in gc.get_objects(generation=0))
    finally:
        gc.unfreeze()


_COMPONENTS = st.sampled_from(["home", "jenkins", "agent", "var", "run", "a", "ab", "x.y"])
_PATHS = st.lists(_COMPONENTS, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))


@given(st.lists(_PATHS, max_size=6), _PATHS)
def test_the_deepest_mount_is_the_longest_covering_entry(entries: list[str], path: str) -> None:
    """`longest` names the deepest entry `path` is at or under by whole components, the first of equals."""
    index = PathIndex((entry, n) for n, entry in enumerate(entries))
    covering = [(n, entry) for n, entry in enumerate(entries) if path == entry or path.startswith(entry + "/")]
    expected = min(covering, key=lambda c: (-len(c[1]), c[0]))[0] if covering else None
    assert index.longest(path) == expected
