"""Settings of Python's cycle collector for long analyses.

Reading a workspace allocates millions of small objects (tokens, words, nodes, effects) that are almost
all free of reference cycles and freed by reference counting. With CPython's default thresholds the
collector still walks the young objects about a thousand times while `check` reads 700 pipelines, a
fifth of the run. Collecting less often trades memory (the cyclic garbage waiting for the next
collection) for that time: worth it in `check`, which ends; not in the server, which keeps running
(there it held 9 MB more on a small workspace for workspace diagnostics a seventh faster).
"""

from __future__ import annotations

import gc

CHECK_THRESHOLD = 50_000
"""Allocations (minus deallocations) between two collections of the youngest generation in `check`:
a fifth faster than the default 700, for under 10 MB more at peak on 700 pipelines."""


def tune(young: int | None = None) -> None:
    """Moves what is loaded so far (modules, rule tables) out of the collector's sight, and with `young`
    collects the youngest generation every `young` allocations; call once, after the imports a command
    needs."""
    gc.freeze()
    if young is not None:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young, max(middle, 20), max(old, 20))
