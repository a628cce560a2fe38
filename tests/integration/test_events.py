"""Pushed progress (Server-Sent Events): a client sees every step from 1 to 8 in order and
the terminal event; resuming with Last-Event-ID loses nothing; 50 clients on one job all
finish; a migration's stream follows its imports to the end; keep-alive comments; a stream
whose notifications were lost still converges. Real worker, web and simulator."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from harness.api import Api
from harness.processes import Proc
from harness.wizard import Wizard
from legacy_sim.orgs import ORGS, SMALL
from scripts.demo_workbook import write_demo_workbook
from tests.support.isolation import OWN_BACKENDS
from tests.support.sse import Message, events, messages

TERMINAL = {"completed", "failed", "cancelled"}


@pytest.fixture
async def stream_client(web: str, api_key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web, timeout=60,
                                 headers={"Authorization": f"Bearer {api_key}"}) as http:
        yield http


@contextmanager
def paused(worker: Proc) -> Iterator[None]:
    """The worker frozen (briefly: it is presumed dead after WORKER_DEAD_AFTER_SECONDS), so
    that a job created meanwhile is still pending when its stream opens."""
    os.kill(worker.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(worker.pid, signal.SIGCONT)


def _path(job: dict[str, Any]) -> str:
    return f"/legacy-migration/jobs/{job['id']}/events"


def _assert_well_formed(found: list[Message]) -> None:
    ids = [m.id for m in found]
    assert all(m.event == "job" for m in found)
    assert all(i is not None for i in ids)
    numbered = [i for i in ids if i is not None]  # all of them, as just asserted
    assert numbered == sorted(numbered), ids
    assert len(set(ids)) == len(ids), ids  # increasing


async def test_every_step_in_order_then_the_end(api: Api, stream_client: httpx.AsyncClient,
                                                worker: Proc) -> None:
    with paused(worker):
        job = await api.start(ORGS[SMALL].id)
        watching = asyncio.create_task(events(stream_client, _path(job)))
        await asyncio.sleep(0.5)  # the stream is open and has its snapshot
    found = await asyncio.wait_for(watching, 90)
    _assert_well_formed(found)
    jobs = [m.json() for m in found]
    assert (jobs[0]["status"], jobs[0]["step_number"]) == ("pending", 0)
    numbers = [j["step_number"] for j in jobs]
    assert numbers == sorted(numbers)
    assert set(range(1, 9)) <= set(numbers), numbers
    assert jobs[-1]["status"] == "completed"
    assert [j for j in jobs if j["status"] in TERMINAL] == [jobs[-1]]  # then it closes
    assert jobs[-1] == await api.job(job["id"])  # the object exactly as GET answers it


async def test_resuming_with_last_event_id_loses_nothing(
        api: Api, stream_client: httpx.AsyncClient, worker: Proc) -> None:
    with paused(worker):
        job = await api.start(ORGS[SMALL].id)
        whole = asyncio.create_task(events(stream_client, _path(job)))
        first_part = asyncio.create_task(events(stream_client, _path(job), until=3))
        await asyncio.sleep(0.5)
    begun = await asyncio.wait_for(first_part, 60)  # then it hangs up
    await asyncio.sleep(0.3)  # changes happen while it is away
    rest = await asyncio.wait_for(
        events(stream_client, _path(job), last_event_id=begun[-1].id), 90)
    reference = await asyncio.wait_for(whole, 90)
    resumed = begun + rest
    _assert_well_formed(resumed)
    assert [(m.id, m.data) for m in resumed] == [(m.id, m.data) for m in reference]
    assert resumed[-1].json()["status"] == "completed"


async def test_fifty_clients_on_one_job_all_finish(api: Api, web: str, api_key: str) -> None:
    job = await api.start(ORGS[SMALL].id)
    limits = httpx.Limits(max_connections=60)
    async with httpx.AsyncClient(base_url=web, timeout=120, limits=limits,
                                 headers={"Authorization": f"Bearer {api_key}"}) as http:
        watched = await asyncio.wait_for(
            asyncio.gather(*(events(http, _path(job)) for _ in range(50))), 120)
    final = await api.job(job["id"])
    assert final["status"] == "completed"
    for found in watched:
        _assert_well_formed(found)
        assert found[-1].json() == final


async def test_keep_alive_and_a_lost_notification_connection(
        api: Api, stream_client: httpx.AsyncClient, worker: Proc, db: asyncpg.Pool) -> None:
    with paused(worker):
        job = await api.start(ORGS[SMALL].id)
        async with stream_client.stream("GET", _path(job)) as response:
            stream = messages(response)
            first = await anext(stream)
            assert first.retry is not None
            snapshot = await anext(stream)
            assert snapshot.json()["status"] == "pending"
            quiet = await asyncio.wait_for(anext(stream), 5)  # nothing moves meanwhile
            assert (quiet.comment, quiet.event) == ("keep-alive", None)
            # the web's LISTEN connection dies: the stream must still see the job through
            cut = await db.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                f"WHERE {OWN_BACKENDS} AND query ILIKE 'LISTEN%object_changes%'")
            assert cut >= 1
            os.kill(worker.pid, signal.SIGCONT)
            rest = [m async for m in stream if m.event == "job"]
    assert rest[-1].json()["status"] == "completed"
    _assert_well_formed([snapshot, *rest])


async def test_a_migration_streams_to_its_end(wizard: Wizard, tmp_path: Path) -> None:
    workbook = tmp_path / "demo.xlsx"
    write_demo_workbook(workbook)
    migration = await wizard.create()
    path = f"/migrations/{migration['id']}/events"
    watching = asyncio.create_task(events(wizard.http, path))
    await asyncio.sleep(0.3)
    uploaded = await wizard.upload_workbook(migration["id"], workbook)
    assert uploaded.status_code == 202, uploaded.text
    for found in uploaded.json()["uploads"].values():
        await wizard.wait_import(found["id"])
    reviewed = await wizard.ok("GET", f"/migrations/{migration['id']}")
    await asyncio.sleep(0.5)  # the last import's event reaches the stream
    await wizard.ok("DELETE", f"/migrations/{migration['id']}")
    found = await asyncio.wait_for(watching, 30)
    _assert_well_formed(found)
    objects = [m.json() for m in found]
    assert objects[0]["status"] == "setup"
    assert reviewed in objects  # every import reviewable, as GET showed it
    assert any(o["imports"]["contacts"] and o["imports"]["contacts"]["status"] in
               ("queued", "processing") for o in objects)  # seen on its way
    assert objects[-1] == await wizard.ok("GET", f"/migrations/{migration['id']}")
    assert objects[-1]["status"] == "abandoned"
    resumed = await asyncio.wait_for(events(wizard.http, path, last_event_id=found[1].id), 10)
    assert [m.json() for m in resumed] == [objects[-1]]  # straight to the present


async def test_streams_of_what_is_not_yours_are_refused(
        stream_client: httpx.AsyncClient, wizard: Wizard, api: Api) -> None:
    missing = await stream_client.get("/legacy-migration/jobs/job_nope/events")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "JOB_NOT_FOUND"
    theirs = await wizard.create()
    refused = await stream_client.get(f"/migrations/{theirs['id']}/events")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "MIGRATION_NOT_FOUND"
    async with httpx.AsyncClient(base_url=str(stream_client.base_url)) as nobody:
        anonymous = await nobody.get(f"/migrations/{theirs['id']}/events")
    assert anonymous.status_code == 401
