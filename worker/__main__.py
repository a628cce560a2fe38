"""`python -m worker`: an arq worker that rides out Redis connection loss
(worker.process.arq_worker) and shuts down gracefully (worker.process.shutdown); it runs
below the API's CPU priority and gives freed large blocks back (worker.process.memory)."""

from __future__ import annotations

import os

from worker.deployment import start_or_exit
from worker.process.arq_worker import create_worker
from worker.process.memory import return_large_blocks
from worker.process.shutdown import GracefulShutdown
from worker.settings import get_settings


def main() -> None:
    settings = get_settings()
    start_or_exit(settings, "the worker")
    # A worker's work is batch work: on a shared host it yields the CPU to the API and to
    # Postgres, so that creating or polling a job stays quick beside busy workers (README,
    # Performance). Its reading children inherit this.
    os.nice(settings.worker_nice)
    return_large_blocks()
    worker = create_worker(settings, handle_signals=False)
    GracefulShutdown(worker, settings.shutdown_grace_seconds)
    worker.run()


if __name__ == "__main__":
    main()
