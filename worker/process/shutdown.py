"""Graceful shutdown of a worker process on SIGTERM or SIGINT.

arq's own handler cancels running jobs at once. Ours stops taking jobs, lets each running
job reach its next checkpoint (where it releases its lease and goes back on the queue for
another worker), and only cancels what is still running when the grace period ends. A
second signal skips the wait.
"""

from __future__ import annotations

import asyncio
import signal

import structlog
from arq.worker import Worker

log = structlog.get_logger(__name__)


class GracefulShutdown:
    """Installs itself as the worker's SIGTERM/SIGINT handler."""

    def __init__(self, worker: Worker, grace_seconds: float) -> None:
        self.worker = worker
        self.grace_seconds = grace_seconds
        self._drain: asyncio.Task[None] | None = None
        for sig in (signal.SIGTERM, signal.SIGINT):
            worker.loop.add_signal_handler(sig, self.request, sig)

    def request(self, sig: signal.Signals) -> None:
        """Begin the shutdown (first signal) or cut it short (second signal)."""
        if self._drain is not None:
            log.warning("second signal: cancelling running jobs now", signal=sig.name)
            self._cancel_all()
            return
        running = self._running()
        log.info("shutting down: no new jobs; running jobs stop at their next checkpoint",
                 signal=sig.name, running=len(running), grace_seconds=self.grace_seconds)
        self.worker.allow_pick_jobs = False
        deps = self.worker.ctx.get("deps")
        if deps is not None:
            deps.stopping.set()
        self._drain = self.worker.loop.create_task(self._drain_then_stop())

    def _running(self) -> list[asyncio.Task[object]]:
        return [t for t in self.worker.tasks.values() if not t.done()]

    async def _drain_then_stop(self) -> None:
        running = self._running()
        if running:
            await asyncio.wait(running, timeout=self.grace_seconds)
        left = self._running()
        if left:
            log.warning("grace period over: cancelling jobs still running", running=len(left))
        self._cancel_all()

    def _cancel_all(self) -> None:
        # A cancelled job releases its lease (engine.runner) and arq puts it back on the
        # queue; cancelling the main task ends Worker.run(), which exits 0.
        for task in self._running():
            task.cancel()
        if self.worker.main_task is not None:
            self.worker.main_task.cancel()
