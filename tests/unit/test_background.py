"""The one background loop: steps come every so often whatever a step raised, a step that
returns False ends it, stop() ends it at once."""

from __future__ import annotations

import asyncio

from worker.background import Periodic


async def _until(condition: asyncio.Event) -> None:
    await asyncio.wait_for(condition.wait(), 10)


async def test_a_failing_step_does_not_end_the_loop() -> None:
    calls: list[int] = []
    third = asyncio.Event()

    async def step() -> None:
        calls.append(len(calls))
        if len(calls) == 3:
            third.set()
        if len(calls) == 1:
            raise ConnectionError("Postgres briefly away")
        if len(calls) == 2:
            raise RuntimeError("a bug")

    loop = Periodic("test", 0.001, step, at_once=True)
    loop.start()
    await _until(third)
    assert loop.running
    await loop.stop()
    assert not loop.running
    done = len(calls)
    await asyncio.sleep(0.01)
    assert len(calls) == done  # nothing after stop


async def test_a_step_returning_false_ends_it_and_every_is_read_each_turn() -> None:
    waits = iter([0.001, 0.002, 0.003])
    seen: list[str] = []
    finished = asyncio.Event()

    async def step() -> bool:
        seen.append("step")
        if len(seen) < 2:
            return True
        finished.set()
        return False

    async with Periodic("test", lambda: next(waits), step) as loop:
        await _until(finished)
        # the loop returned in the same turn as its step: no more steps, no more waits
        assert not loop.running
    assert seen == ["step", "step"]
