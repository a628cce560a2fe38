"""A worker runs below the API's CPU priority (WORKER_NICE): on a shared host the API and
Postgres come first."""

from __future__ import annotations

import os

import asyncpg

from harness.waits import eventually
from tests.support.workers import Workers


async def _registered(db: asyncpg.Pool, pid: int) -> bool:
    return bool(await db.fetchval("SELECT count(*) FROM workers WHERE pid = $1", pid))


async def test_a_worker_lowers_its_priority_by_its_setting(
        db: asyncpg.Pool, workers: Workers) -> None:
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    niced = workers.start("niced", WORKER_NICE="7")
    default = workers.start("default-nice")
    await eventually(lambda: _registered(db, niced.pid), "the niced worker registered")
    await eventually(lambda: _registered(db, default.pid), "the other worker registered")
    assert os.getpriority(os.PRIO_PROCESS, niced.pid) == min(ours + 7, 19)
    assert os.getpriority(os.PRIO_PROCESS, default.pid) == min(ours + 10, 19)
