"""Bare arq, as the baseline: a no-op job that records when it started."""

from __future__ import annotations

import os
import time
from typing import Any

from arq.connections import RedisSettings


async def noop(ctx: dict[str, Any], enqueued_at: float) -> None:
    await ctx["redis"].rpush("bench:arq:started", f"{time.time() - enqueued_at:.6f}")


class WorkerSettings:
    functions = [noop]  # noqa: RUF012 - arq's settings class convention
    redis_settings = RedisSettings.from_dsn(os.environ["REDIS_URL"])
    queue_name = "bench:arq:queue"
    keep_result = 0
    max_jobs = 50
