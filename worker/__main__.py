"""`python -m worker`: an arq worker that rides out Redis connection loss
(worker.process.arq_worker) and shuts down gracefully (worker.process.shutdown)."""

from __future__ import annotations

from worker.process.arq_worker import create_worker
from worker.process.shutdown import GracefulShutdown
from worker.settings import get_settings


def main() -> None:
    worker = create_worker(handle_signals=False)
    GracefulShutdown(worker, get_settings().shutdown_grace_seconds)
    worker.run()


if __name__ == "__main__":
    main()
