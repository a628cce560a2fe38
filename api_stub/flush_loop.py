"""A web process's background flush: what it counted or noted in memory, written every so
often, and once more at stop; a failed write is the flush's own to keep for next time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)

STOP_FLUSH_SECONDS = 2.0


class FlushLoop:
    """`flush()` every `every` seconds from start() until stop(), then once more."""

    def __init__(self, name: str, every: float, flush: Callable[[], Awaitable[None]]) -> None:
        self.name, self.every, self.flush = name, every, flush
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.flush()
            except Exception as exc:  # its store away: kept, and tried again next time
                log.debug("not flushed", loop=self.name, error=type(exc).__name__)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.flush(), STOP_FLUSH_SECONDS)
