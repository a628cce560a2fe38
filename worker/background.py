"""The one way a process runs something in the background, every so often: the workers'
sweep, registry heartbeat and job lease renewal, the web process's metrics snapshot,
change feed and flushes.

A step that raises is logged and the next one still comes (a background task that died
of one error would stop its work silently); a step that returns False ends the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType

import structlog

from worker.engine.transient import TRANSIENT_ERRORS

log = structlog.get_logger(__name__)

Step = Callable[[], Awaitable[bool | None]]


class Periodic:
    """`step()` every `every` seconds (a number, or read at each turn: a setting) from
    start() until stop(). `at_once`: the first step runs at start, not after a wait.
    `quiet`: a step's transient failure is logged at debug level (a flush that keeps what
    it could not write, tried again every second while Redis is away)."""

    def __init__(self, name: str, every: float | Callable[[], float], step: Step, *,
                 at_once: bool = False, quiet: bool = False) -> None:
        self.name, self.step, self.at_once, self.quiet = name, step, at_once, quiet
        self._every = every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def _wait(self) -> float:
        return self._every() if callable(self._every) else self._every

    async def _loop(self) -> None:
        if not self.at_once:
            await asyncio.sleep(self._wait())
        while True:
            try:
                if await self.step() is False:
                    return
            except TRANSIENT_ERRORS as exc:  # Postgres or Redis briefly away
                (log.debug if self.quiet else log.warning)(
                    "background step failed; trying again", loop=self.name,
                    error=type(exc).__name__)
            except Exception:  # whatever it is, the next step must still come
                log.exception("background step failed unexpectedly; trying again",
                              loop=self.name)
            await asyncio.sleep(self._wait())

    async def stop(self) -> None:
        """Cancel the loop (a step under way included) and wait for it to end."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def __aenter__(self) -> Periodic:
        self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()
