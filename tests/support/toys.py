"""Jobs of the tests' toy kind (tests/kinds/toy.py), created through the enqueue layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from arq.connections import ArqRedis

from harness.waits import eventually
from tests.kinds.toy import TOY
from worker.db.types import Conn
from worker.enqueue import create_job

TOY_ACCOUNT = "acc_toy"


async def create_toy_job(db: asyncpg.Pool, arq: ArqRedis, queue_name: str, *, ticks: int,
                         tick_seconds: float = 0.02, clean_up_breaks: bool = False,
                         account: str = TOY_ACCOUNT) -> str:
    """A pending toy job, on the queue; its ID."""
    await db.execute("INSERT INTO accounts (id) VALUES ($1) ON CONFLICT DO NOTHING", account)

    async def fields(conn: Conn, job_id: str) -> None:
        await conn.execute("INSERT INTO toy_jobs (job_id, ticks, tick_seconds, clean_up_breaks) "
                           "VALUES ($1, $2, $3, $4)", job_id, ticks, tick_seconds,
                           clean_up_breaks)

    row = await create_job(db, arq, kind=TOY, account_id=account, queue_name=queue_name,
                           fields=fields)
    return row.id


async def job_row(db: asyncpg.Pool, job_id: str) -> dict[str, Any]:
    row = await db.fetchrow("SELECT * FROM migration_jobs WHERE id = $1", job_id)
    assert row is not None, job_id
    return dict(row)


async def step_runs(db: asyncpg.Pool, job_id: str) -> dict[int, dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM migration_step_runs WHERE job_id = $1", job_id)
    return {r["step_number"]: dict(r) for r in rows}


async def events(db: asyncpg.Pool, job_id: str) -> list[str]:
    rows = await db.fetch("SELECT event FROM toy_events WHERE job_id = $1 ORDER BY at", job_id)
    return [r["event"] for r in rows]


async def ticks_written(db: asyncpg.Pool, job_id: str) -> int:
    return int(await db.fetchval("SELECT count(*) FROM toy_ticks WHERE job_id = $1", job_id))


@dataclass(frozen=True)
class ToyMix:
    """An account's toy jobs for the operators' actions: two failed with TOY_BROKEN, one
    failed with another code (which a filter on TOY_BROKEN must leave alone), one long."""

    broken: list[str]
    other: str
    long_one: str


async def toy_mix(db: asyncpg.Pool, arq: ArqRedis, queue_name: str, account: str) -> ToyMix:
    """The mix, once the broken jobs have failed."""
    broken = [await create_toy_job(db, arq, queue_name, ticks=-1, account=account)
              for _ in range(2)]
    # long enough to be still running whenever a loaded machine lets the test cancel it
    long_one = await create_toy_job(db, arq, queue_name, ticks=12_000, tick_seconds=0.05,
                                    account=account)

    async def failed() -> bool:
        return all([(await job_row(db, j))["status"] == "failed" for j in broken])

    await eventually(failed, "the broken jobs failed")
    other = "job_" + uuid.uuid4().hex[:24]
    await db.execute(
        "INSERT INTO migration_jobs (id, kind, account_id, total_steps, status, error_code, "
        "error, attempts) VALUES ($1, 'toy', $2, 2, 'failed', 'OTHER_CODE', 'x', 1)",
        other, account)
    return ToyMix(broken, other, long_one)
