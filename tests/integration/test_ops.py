"""The operators' API: an operator key reads every account's jobs and nothing else; an
account key gets 403 on /ops; the summary, the filtered list and one job's timeline; retry
and cancel of one job, and a bulk retry of "failed with error code X" that retries exactly
those; each action an entry of the audit log."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
from arq.connections import ArqRedis

from harness.processes import Proc
from harness.waits import eventually
from tests.support.toys import create_toy_job, job_row, toy_mix


async def _get(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await http.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def _status(db: asyncpg.Pool, job_id: str) -> str:
    return str((await job_row(db, job_id))["status"])


async def test_keys_keep_to_their_side(web: str, ops: httpx.AsyncClient, api_key: str) -> None:
    async with httpx.AsyncClient(base_url=web, timeout=30,
                                 headers={"Authorization": f"Bearer {api_key}"}) as account:
        for path in ("/ops/summary", "/ops/jobs"):
            response = await account.get(path)
            assert response.status_code == 403, response.text
            assert response.json()["error"]["code"] == "OPERATOR_ONLY"
    refused = await ops.get("/legacy-migration/jobs")
    assert refused.status_code == 403
    assert "/ops" in refused.json()["error"]["message"]


async def test_summary_lists_and_timeline(ops: httpx.AsyncClient, db: asyncpg.Pool,
                                          arq_redis: ArqRedis, queue_name: str,
                                          worker: Proc) -> None:
    account = "acc_ops_" + uuid.uuid4().hex[:6]
    done = await create_toy_job(db, arq_redis, queue_name, ticks=3, account=account)
    failed = await create_toy_job(db, arq_redis, queue_name, ticks=-1, account=account)

    async def finished() -> bool:
        return {await _status(db, done), await _status(db, failed)} == {"completed", "failed"}

    await eventually(finished, "both toy jobs finished")

    async def summarised() -> Any:  # read every METRICS_REFRESH_SECONDS, not per request
        summary = await _get(ops, "/ops/summary")
        return summary if any(s["kind"] == "toy" for s in summary["steps"]) else None

    summary = await eventually(summarised, "the summary shows the toy jobs", timeout=10)
    assert set(summary) == {"jobs", "queue", "workers", "throughput", "steps"}
    assert summary["jobs"]["toy"]["completed"] >= 1
    assert set(summary["queue"]) == {"depth", "oldest_wait_seconds"}
    assert any(w["pid"] == worker.pid and w["alive"] for w in summary["workers"])
    assert {"id", "host", "pid", "started_at", "last_seen_seconds_ago", "alive", "running",
            "jobs"} <= set(summary["workers"][0])
    assert any(s["kind"] == "toy" and s["name"] == "Ticking" for s in summary["steps"])
    listed = await _get(ops, "/ops/jobs", account=account)
    assert [j["id"] for j in listed["data"]] == [failed, done]  # newest first
    only_failed = await _get(ops, "/ops/jobs", account=account, status="failed",
                             error_code="TOY_BROKEN", kind="toy")
    assert [j["id"] for j in only_failed["data"]] == [failed]
    page = await _get(ops, "/ops/jobs", account=account, limit=1)
    assert page["has_more"] is True
    rest = await _get(ops, "/ops/jobs", account=account, starting_after=page["data"][0]["id"])
    assert [j["id"] for j in rest["data"]] == [done]
    detail = await _get(ops, f"/ops/jobs/{done}")
    assert (detail["account"], detail["kind"], detail["attempts"]) == (account, "toy", 1)
    assert [(s["name"], s["status"]) for s in detail["timeline"]] == [
        ("Counting", "finished"), ("Ticking", "finished")]
    missing = await ops.get("/ops/jobs/job_000000000000000000000000")
    assert missing.json()["error"]["code"] == "JOB_NOT_FOUND"


async def test_actions_one_and_bulk(ops: httpx.AsyncClient, db: asyncpg.Pool,
                                    arq_redis: ArqRedis, queue_name: str,
                                    worker: Proc) -> None:
    account = "acc_ops_" + uuid.uuid4().hex[:6]
    mix = await toy_mix(db, arq_redis, queue_name, account)
    broken, other, long_one = mix.broken, mix.other, mix.long_one
    response = await ops.post("/ops/jobs/retry", json={"account": account, "status": "failed",
                                                       "error_code": "TOY_BROKEN"})
    assert response.status_code == 200, response.text
    assert (response.json()["matched"], response.json()["acted"]) == (2, 2)

    async def retried() -> bool:
        return all([(await job_row(db, j))["attempts"] == 2 for j in broken])

    await eventually(retried, "exactly the broken jobs ran again")
    assert (await job_row(db, other))["status"] == "failed"
    assert (await job_row(db, other))["attempts"] == 1
    nothing = await ops.post("/ops/jobs/cancel", json={})
    assert nothing.json()["error"]["code"] == "FILTER_REQUIRED"
    cancelled = await ops.post(f"/ops/jobs/{long_one}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    await ops.post(f"/ops/jobs/{long_one}/cancel")  # asked again while it stops: no entry
    await eventually(lambda: _cancelled(db, long_one), "the long job cancelled")
    again = await ops.post(f"/ops/jobs/{long_one}/cancel")
    assert again.json()["error"]["code"] == "JOB_FINISHED"
    # the audit log: one entry per job acted on, naming its bulk action, and the bulk
    # action's own with its filter and counts; the refused second cancel left none
    entries = (await _get(ops, "/ops/audit", account=account))["data"]
    operator_prefix = ops.headers["Authorization"].removeprefix("Bearer ")[:10]
    assert {e["key_prefix"] for e in entries} == {operator_prefix}
    assert {e["actor"] for e in entries} == {"operator"}
    assert all(e["address"] == "127.0.0.1" for e in entries), entries
    retries = [e for e in entries if e["action"] == "job.retried"]
    assert sorted(e["subject"] for e in retries) == sorted(broken)
    (bulk,) = (await _get(ops, "/ops/audit", action="jobs.bulk_retried",
                          subject=retries[0]["details"]["bulk"]))["data"]
    assert bulk["account"] == account  # filed under the account its filter names
    assert bulk["details"] == {"filter": {"account": account, "status": "failed",
                                          "error_code": "TOY_BROKEN"},
                               "matched": 2, "acted": 2, "refused": 0}
    assert {e["details"]["bulk"] for e in retries} == {bulk["subject"]}
    cancels = [e for e in entries if e["action"] == "job.cancelled"]
    assert [(e["subject"], e["details"]["was"]) for e in cancels] == [(long_one, "running")]


async def _cancelled(db: asyncpg.Pool, job_id: str) -> bool:
    return await _status(db, job_id) == "cancelled"
