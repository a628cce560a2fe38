"""arq's worker settings: `arq worker.settings.WorkerSettings`."""

from __future__ import annotations

from typing import Any, ClassVar

from arq import cron, func

from worker.config import get_settings
from worker.queue import JOB_TIMEOUT_SECONDS, RUN_MIGRATION, arq_redis_settings
from worker.tasks import run_migration, shutdown, startup, sweep

_settings = get_settings()


class WorkerSettings:
    """One settings class, as arq expects; values come from the environment."""

    functions: ClassVar[list[Any]] = [
        # Our lease, not arq's timeout, guards a running job, so the arq timeout only
        # bounds a job that hangs; arq's own retries are unlimited in practice because
        # the job resumes from its checkpoints.
        func(run_migration, name=RUN_MIGRATION, timeout=JOB_TIMEOUT_SECONDS, max_tries=1000),
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(sweep, second=set(range(0, 60, _settings.sweep_every_seconds)),
             run_at_startup=True, timeout=60),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = arq_redis_settings(_settings.redis_url)
    queue_name = _settings.queue_name
    max_jobs = _settings.worker_concurrency
    # arq polls its queue; the default 0.5 s would be most of our enqueue-to-start latency
    poll_delay = _settings.worker_poll_delay_seconds
    # results live in Postgres; keeping none in Redis lets a retried job reuse its ID
    keep_result = 0
    job_timeout = JOB_TIMEOUT_SECONDS
    health_check_interval = 10
