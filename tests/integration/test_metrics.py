"""GET /metrics shows the whole fleet from any web process: two web processes show the same
counts, equal to what jobs of two kinds did (completed, failed, cancelled), histograms with
observations, and the workers alive, one fewer within seconds of a SIGKILL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis
from prometheus_client.parser import text_string_to_metric_families

from harness.api import Api
from harness.processes import Proc, free_port, python_module, wait_http
from harness.waits import eventually
from legacy_sim.orgs import ORGS, SMALL
from tests.kinds.toy import TOY
from tests.support.toys import TOY_ACCOUNT, create_toy_job, job_row
from tests.support.workers import Workers
from worker.enqueue import cancel_job
from worker.store.audit import SERVICE

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def second_web(service_env: dict[str, str], logs_dir: Path) -> AsyncIterator[str]:
    port = free_port()
    proc = Proc("web2", python_module("api_stub", "serve"), {**service_env, "PORT": str(port)},
                logs_dir / "web2.log").start()
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz", proc=proc)
    yield url
    proc.terminate()


async def scrape(url: str) -> Samples:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def _finished(db: asyncpg.Pool, job_id: str) -> bool:
    return (await job_row(db, job_id))["status"] in ("completed", "failed", "cancelled")


async def test_every_web_process_shows_the_whole_fleet(
        web: str, second_web: str, api: Api, db: asyncpg.Pool, arq_redis: ArqRedis,
        queue_name: str, workers: Workers, rescuer: Proc) -> None:
    before = await scrape(web)
    toy_done = await create_toy_job(db, arq_redis, queue_name, ticks=2)
    toy_failed = await create_toy_job(db, arq_redis, queue_name, ticks=-1)
    toy_cancelled = await create_toy_job(db, arq_redis, queue_name, ticks=500,
                                         tick_seconds=0.05)
    legacy = await api.start(ORGS[SMALL].id)
    await eventually(lambda: _step_two(db, toy_cancelled), "the long toy job ticks")
    await cancel_job(db, kind=TOY, job_id=toy_cancelled, account_id=TOY_ACCOUNT, by=SERVICE)
    for job_id in (toy_done, toy_failed, toy_cancelled, legacy["id"]):
        await eventually(partial(_finished, db, job_id), "the jobs finished")

    deltas = {
        ("migration_jobs_created_total", (("environment", "live"), ("kind", "toy"))): 3,
        ("migration_jobs_created_total", (("environment", "sandbox"),
                                          ("kind", "legacy_migration"))): 1,
        ("migration_jobs_finished_total", (("kind", "toy"), ("outcome", "completed"))): 1,
        ("migration_jobs_finished_total", (("kind", "toy"), ("outcome", "failed"))): 1,
        ("migration_jobs_finished_total", (("kind", "toy"), ("outcome", "cancelled"))): 1,
        ("migration_jobs_finished_total", (("kind", "legacy_migration"),
                                           ("outcome", "completed"))): 1,
        ("migration_records_total", (("kind", "legacy_migration"), ("outcome", "created"),
                                     ("record_type", "clients"))): 15,
        ("migration_step_duration_seconds_count", (("kind", "legacy_migration"),
                                                   ("step", "8"))): 1,
        ("migration_queue_wait_seconds_count", (("kind", "toy"),)): 3,
    }

    async def both_show_it() -> bool:
        for url in (web, second_web):
            now = await scrape(url)
            if any(value(now, name, **dict(labels)) - value(before, name, **dict(labels))
                   != delta for (name, labels), delta in deltas.items()):
                return False
        return True

    await eventually(both_show_it, "both web processes show what the jobs did", timeout=15)
    first, second = await scrape(web), await scrape(second_web)
    counters = {k: v for k, v in first.items() if k[0].endswith(("_total", "_count"))}
    assert counters == {k: v for k, v in second.items() if k in counters}
    # the gauges come from Postgres too, and every kind has every status
    assert value(first, "migration_jobs", kind="wizard_execute", status="running") == 0
    assert value(first, "migration_jobs", kind="toy", status="cancelled") >= 1

    alive = sum(p.alive() for p in workers.procs.values())

    async def workers_alive(n: int) -> bool:
        return bool(value(await scrape(second_web), "migration_workers_alive") == n)

    await eventually(lambda: workers_alive(alive), f"{alive} workers alive", timeout=10)
    rescuer.kill()
    await eventually(lambda: workers_alive(alive - 1), "one fewer after the SIGKILL",
                     timeout=10)


async def _step_two(db: asyncpg.Pool, job_id: str) -> bool:
    return bool((await job_row(db, job_id))["step_number"] == 2)


async def test_metrics_need_no_key_and_carry_no_job_id(web: str) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{web}/metrics")).text
    assert "mig_" not in text
    assert "job_" not in text.replace("migration_jobs", "")
    await asyncio.sleep(0)
