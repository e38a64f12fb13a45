"""The scheduler's housekeeping: a full collection of cyclic garbage when the server is quiet."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kaniko_lsp import collector
from kaniko_lsp.lsp import scheduler as scheduling
from kaniko_lsp.lsp.scheduler import IDLE_COLLECT_AFTER, Scheduler


class _QuietServer:
    """A server with no folder and no document: a run finds nothing to do."""

    def __init__(self) -> None:
        self.roots: dict[Path, object] = {}
        self.pull_diagnostics = self.pull_refresh = False


@pytest.fixture
def collections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    done: list[int] = []
    monkeypatch.setattr(collector, "collect_everything", lambda: done.append(1))
    monkeypatch.setattr(scheduling, "IDLE_SECONDS", 0.01)
    return done


async def _run_and_wait(scheduler: Scheduler, quiet: float = 0.05) -> None:
    scheduler.request()
    await scheduler.settled()
    await asyncio.sleep(quiet)


def test_a_quiet_server_collects_fully_once_enough_was_analysed(collections: list[int]) -> None:
    async def scenario() -> None:
        scheduler = Scheduler(_QuietServer())  # type: ignore[arg-type]
        scheduler.analysed = IDLE_COLLECT_AFTER - 1
        await _run_and_wait(scheduler)
        assert collections == []  # too little analysed to be worth a quarter of a second
        scheduler.analysed = IDLE_COLLECT_AFTER
        await _run_and_wait(scheduler)
        assert collections == [1] and scheduler.analysed == 0

    asyncio.run(scenario())


def test_work_during_the_quiet_time_postpones_the_collection(collections: list[int]) -> None:
    async def scenario() -> None:
        scheduler = Scheduler(_QuietServer())  # type: ignore[arg-type]
        scheduler.analysed = IDLE_COLLECT_AFTER
        await _run_and_wait(scheduler, quiet=0)
        scheduler.idle.clear()  # still analysing when the quiet time ends
        await asyncio.sleep(0.05)
        assert collections == []
        scheduler.idle.set()
        await _run_and_wait(scheduler, quiet=0)
        scheduler.runs += 1  # another run started (and ended) before the quiet time ended
        await asyncio.sleep(0.05)
        assert collections == []
        await _run_and_wait(scheduler)  # a quiet time of its own
        assert collections == [1]

    asyncio.run(scenario())
