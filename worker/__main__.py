"""`python -m worker`: an arq worker with graceful shutdown (see worker.shutdown)."""

from __future__ import annotations

from arq.worker import create_worker

from worker.config import get_settings
from worker.settings import WorkerSettings
from worker.shutdown import GracefulShutdown


def main() -> None:
    worker = create_worker(WorkerSettings, handle_signals=False)  # type: ignore[arg-type]
    GracefulShutdown(worker, get_settings().shutdown_grace_seconds)
    worker.run()


if __name__ == "__main__":
    main()
