"""The worker's arq arguments come from the settings the process read at start, not from
the environment at import time."""

from __future__ import annotations

import subprocess
import sys

from worker.process.arq_worker import FUNCTIONS, worker_settings
from worker.settings import Settings


def test_importing_the_worker_module_reads_no_settings() -> None:
    # a broken value would fail a read: importing must not do one
    done = subprocess.run([sys.executable, "-c", "import worker.process.arq_worker"],
                          env={"WORKER_CONCURRENCY": "not a number", "PATH": ""},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_the_arguments_follow_the_settings_given() -> None:
    settings = Settings(redis_url="redis://redis.example:6390/3", queue_name="q_test",
                        worker_concurrency=7, worker_poll_delay_seconds=0.02)
    args = worker_settings(settings)
    assert (args["queue_name"], args["max_jobs"], args["poll_delay"]) == ("q_test", 7, 0.02)
    assert (args["redis_settings"].host, args["redis_settings"].port,
            args["redis_settings"].database) == ("redis.example", 6390, 3)
    assert args["functions"] is FUNCTIONS
