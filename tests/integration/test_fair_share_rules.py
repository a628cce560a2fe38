"""The fair share's rules as Postgres decides them (sql/queries/fair_share.sql), on a
database of this module's own where the test sets the workers, leases and parked jobs:
the cap is FAIR_SHARE of the live workers' slots (a fraction, at least one slot), a job
waits only while another account is starved, and parked jobs go back as slots free up."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import asyncpg
import pytest

from harness.database import recreate_database
from tests.conftest import TEST_DB
from worker.db.pool import connect
from worker.db.queries import q
from worker.db.schema import apply_migrations
from worker.models import QUEUED_DETAIL

DB = TEST_DB + "_fair_rules"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
async def rules_db() -> str:
    await recreate_database(DB)
    conn = await connect(DB)
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    return DB


@pytest.fixture
async def conn(rules_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection whose every change is rolled back at the end of the test."""
    connection = await connect(rules_db)
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("INSERT INTO accounts (id) VALUES ('acc_a'), ('acc_b')")
    # one live worker of 8 slots (and a dead one, whose slots do not count)
    await connection.execute(
        "INSERT INTO workers (id, host, pid, version, concurrency, status) VALUES "
        "('wrk_live', 'h', 1, 'v', 8, 'alive'), ('wrk_dead', 'h', 2, 'v', 8, 'dead')")
    yield connection
    await transaction.rollback()
    await connection.close()


async def job(conn: asyncpg.Connection, account: str, state: str, *,
              lease_seconds: float = 60, parked_seconds_ago: float | None = None) -> str:
    """A job of `account`: 'running' (leased), 'pending' or 'parked'."""
    job_id = f"job_{next(_ids):024x}"
    status = "running" if state == "running" else "pending"
    await conn.execute(
        "INSERT INTO migration_jobs (id, kind, account_id, total_steps, status, lease_owner, "
        "lease_expires_at, parked_at, created_at) VALUES ($1, 'toy', $2, 2, $3, $4, "
        "now() + make_interval(secs => $5), now() - make_interval(secs => $6), "
        "clock_timestamp())",
        job_id, account, status, "w/1" if state == "running" else None,
        lease_seconds if state == "running" else None,
        parked_seconds_ago if state == "parked" else None)
    return job_id


async def jobs(conn: asyncpg.Connection, account: str, state: str, n: int, **kw: float
               ) -> list[str]:
    return [await job(conn, account, state, **kw) for _ in range(n)]


async def must_wait(conn: asyncpg.Connection, job_id: str, share: float = 0.5) -> bool:
    return bool(await conn.fetchval(q("over_fair_share"), job_id, share))


async def unparked(conn: asyncpg.Connection, share: float = 0.5) -> list[str]:
    return [r["id"] for r in await conn.fetch(q("unpark_jobs"), share, QUEUED_DETAIL)]


async def test_the_cap_is_the_share_of_the_live_slots(conn: asyncpg.Connection) -> None:
    assert await conn.fetchval("SELECT fair_share_cap(0.5)") == 4
    assert await conn.fetchval("SELECT fair_share_cap(0.25)") == 2
    assert await conn.fetchval("SELECT fair_share_cap(0.1)") == 1  # 0.8 slot: at least one
    assert await conn.fetchval("SELECT fair_share_cap(1)") == 8


async def test_an_account_waits_only_at_its_share_while_another_is_starved(
        conn: asyncpg.Connection) -> None:
    await jobs(conn, "acc_a", "running", 3)
    mine = await job(conn, "acc_a", "pending")
    await job(conn, "acc_b", "pending")
    assert not await must_wait(conn, mine)  # 3 of a cap of 4
    await job(conn, "acc_a", "running")
    assert await must_wait(conn, mine)  # 4 of 4, and B has nothing running
    assert not await must_wait(conn, mine, share=1.0)  # the whole fleet: never
    assert await must_wait(conn, mine, share=0.25)  # cap 2


async def test_no_wait_when_the_other_account_has_its_share_or_nothing_pending(
        conn: asyncpg.Connection) -> None:
    await jobs(conn, "acc_a", "running", 4)
    mine = await job(conn, "acc_a", "pending")
    assert not await must_wait(conn, mine)  # nobody else waits: the whole fleet is A's
    await jobs(conn, "acc_b", "running", 4)
    await job(conn, "acc_b", "pending")
    assert not await must_wait(conn, mine)  # B holds its share: not starved


async def test_an_expired_lease_is_not_a_running_job(conn: asyncpg.Connection) -> None:
    await jobs(conn, "acc_a", "running", 4, lease_seconds=-1)
    mine = await job(conn, "acc_a", "pending")
    await job(conn, "acc_b", "pending")
    assert not await must_wait(conn, mine)


async def test_parked_jobs_return_as_their_account_falls_under_its_share(
        conn: asyncpg.Connection) -> None:
    await jobs(conn, "acc_a", "running", 2)
    parked = await jobs(conn, "acc_a", "parked", 5, parked_seconds_ago=5)
    await job(conn, "acc_b", "pending")  # B starved: A may have 4 - 2 more
    assert await unparked(conn) == parked[:2]  # the oldest first
    assert await unparked(conn) == []  # those two are queued: they take the slots first


async def test_parked_jobs_fill_only_the_free_slots_when_nobody_else_waits(
        conn: asyncpg.Connection) -> None:
    await jobs(conn, "acc_a", "running", 5)
    await jobs(conn, "acc_b", "running", 1)
    parked = await jobs(conn, "acc_a", "parked", 6, parked_seconds_ago=5)
    assert await unparked(conn) == parked[:2]  # 8 slots, 6 busy


async def test_a_job_parked_a_moment_ago_is_left_for_arq_to_forget(
        conn: asyncpg.Connection) -> None:
    fresh = await job(conn, "acc_a", "parked", parked_seconds_ago=0)
    assert await unparked(conn) == []
    await conn.execute("UPDATE migration_jobs SET parked_at = now() - interval '2 seconds' "
                       "WHERE id = $1", fresh)
    assert await unparked(conn) == [fresh]
