"""A web process's background flush: what it counted or noted in memory, written every so
often, and once more at stop; a failed write is the flush's own to keep for next time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from worker.background import Periodic

STOP_FLUSH_SECONDS = 2.0


class FlushLoop:
    """`flush()` every `every` seconds from start() until stop(), then once more."""

    def __init__(self, name: str, every: float, flush: Callable[[], Awaitable[None]]) -> None:
        self.flush = flush
        self._loop = Periodic(name, every, flush, quiet=True)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.flush(), STOP_FLUSH_SECONDS)
