"""Settings of Python's cycle collector for long analyses.

Reading a workspace allocates millions of small objects (tokens, words, nodes, effects) that are almost
all free of reference cycles and freed by reference counting. With CPython's default thresholds the
collector still walks the young objects about a thousand times while `check` reads 700 pipelines, a
fifth of the run. Collecting less often trades a little memory (the cyclic garbage waiting for the next
collection, most of it the protocol library's in the server) for that time.
"""

from __future__ import annotations

import gc

CHECK_THRESHOLD = 50_000
"""Allocations (minus deallocations) between two collections of the youngest generation in `check`:
a fifth faster than the default 700, for under 10 MB more at peak on 700 pipelines."""
SERVER_THRESHOLD = 10_000
"""The same for the long-running server: workspace diagnostics of 700 pipelines about a seventh faster,
for 9 MB more on a small workspace (50,000 would cost 14 MB)."""


def tune(young: int) -> None:
    """Moves what is loaded so far (modules, rule tables) out of the collector's sight and collects the
    youngest generation every `young` allocations; call once, after the imports a command needs."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young, max(middle, 20), max(old, 20))
