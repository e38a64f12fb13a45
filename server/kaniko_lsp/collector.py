"""Settings of Python's cycle collector for long analyses.

Reading a workspace allocates millions of small objects (tokens, words, nodes, effects) that are almost
all free of reference cycles and freed by reference counting. With CPython's default thresholds the
collector still walks the young objects about a thousand times while `check` reads 700 pipelines, a
fifth of the run. Collecting less often trades memory (the cyclic garbage waiting for the next
collection) for that time: worth it in `check`, which ends. The server keeps running and must answer
requests between slices of work, so it collects less often only during a long stretch of analysis
(`bulk`: the index, a queue of stale pipelines), and less so than `check`: a young collection walks
every young object still alive, and with the generated 700-pipeline workspace the server's hover p99
while it analyses everything was 129 ms with the default, 27 ms at 10,000 (and the young objects that
50,000 lets pile up cost one 200 ms pause when the stretch ends).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

CHECK_THRESHOLD = 50_000
"""Allocations (minus deallocations) between two collections of the youngest generation in `check`:
a fifth faster than the default 700, for under 10 MB more at peak on 700 pipelines."""
BULK_THRESHOLD = 10_000
"""The same during the server's long stretches of analysis."""


def tune(young: int | None = None) -> None:
    """Moves what is loaded so far (modules, rule tables) out of the collector's sight, and with `young`
    collects the youngest generation every `young` allocations; call once, after the imports a command
    needs."""
    gc.freeze()
    if young is not None:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young, max(middle, 20), max(old, 20))


_bulk_depth = 0
_thresholds = gc.get_threshold()
"""The thresholds outside `bulk`."""


@contextmanager
def bulk() -> Iterator[None]:
    """Collects the youngest generation every BULK_THRESHOLD allocations inside the block (blocks may
    nest and span `await`s); when the outermost ends, the thresholds are the ones before it."""
    global _bulk_depth, _thresholds
    if _bulk_depth == 0:
        _thresholds = gc.get_threshold()
        gc.set_threshold(BULK_THRESHOLD, *_thresholds[1:])
    _bulk_depth += 1
    try:
        yield
    finally:
        _bulk_depth -= 1
        if _bulk_depth == 0:
            gc.set_threshold(*_thresholds)
            gc.freeze()


def keep() -> None:
    """Inside a `bulk` stretch, moves what is alive now (the results of the analysis steps so far) out of
    the collector's sight: a young collection then walks only what the current step allocates, not every
    result of the stretch. Outside `bulk` it does nothing."""
    if _bulk_depth:
        gc.freeze()


def collect_everything() -> None:
    """A full collection, of frozen objects too, after which everything still alive is frozen again.

    The server runs one when it is idle. Between two of them (and after a `bulk` stretch, which freezes
    what it leaves), the full collections CPython starts on its own walk only the objects made since,
    not the whole analysis of a large workspace (a quarter of a second on 700 pipelines): a keystroke
    never waits for that walk. Cyclic garbage among frozen objects waits for the next call.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
