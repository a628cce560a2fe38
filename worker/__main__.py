"""`python -m worker`: an arq worker that rides out Redis connection loss
(worker.arq_worker) and shuts down gracefully (worker.shutdown)."""

from __future__ import annotations

from worker.arq_worker import create_worker
from worker.config import get_settings
from worker.settings import WorkerSettings
from worker.shutdown import GracefulShutdown


def main() -> None:
    worker = create_worker(WorkerSettings, handle_signals=False)
    GracefulShutdown(worker, get_settings().shutdown_grace_seconds)
    worker.run()


if __name__ == "__main__":
    main()
