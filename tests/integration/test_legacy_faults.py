"""Transient legacy API faults are retried, honouring Retry-After, and shown to the user."""

import time
from typing import Any

import asyncpg
import httpx

from harness.api import Api
from harness.oracle import expected
from harness.target import (
    assert_migrated_exactly,
    entities_of_job,
    staged_rows,
    step_cursor,
)
from harness.waits import eventually
from legacy_sim.orgs import MEDIUM, ORGS, SMALL
from worker.kinds.legacy_migration.source.client import LegacyClient
from worker.kinds.legacy_migration.source.errors import LegacyAuthFailed, LegacyTokenExpired
from worker.sources.http import RetryPolicy


async def test_a_job_rides_out_503s_429s_and_a_hang(api: Api, db: asyncpg.Pool,
                                                    sim: httpx.Client, simulator: str) -> None:
    # The suite's legacy client timeout is 3 s (tests/conftest.py); the hang outlasts it.
    # Latency on every request keeps each wait's message up long enough to be polled.
    sim.put("/_sim/faults", json={"path_contains": "/clients", "latency_ms": 400, "script": [
        {"status": 503}, {"status": 503}, {"status": 429, "retry_after": 1},
        {"hang_seconds": 5}]})
    job = await api.start(ORGS[SMALL].id)
    seen: list[dict[str, Any]] = []
    done = await api.wait_for(job["id"], seen=seen)
    await assert_migrated_exactly(db, done, expected(simulator, ORGS[SMALL].id))
    waits = [j["progress_detail"] for j in seen if "retrying in" in (j["progress_detail"] or "")]
    assert any("server error (503); retrying in" in w for w in waits), waits
    assert any("rate limited (429); retrying in 1.0 s" in w for w in waits), waits
    assert any("timed out; retrying in" in w for w in waits), waits
    step3 = (await api.report(job["id"]))["steps"][2]
    assert step3["retries"] == 4
    assert step3["attempts"] == 1  # ridden out inside the step, not by re-running it


async def test_a_token_expiring_mid_run_fails_the_job_clearly_and_retry_resumes(
        api: Api, db: asyncpg.Pool, sim: httpx.Client, simulator: str) -> None:
    sim.put("/_sim/faults", json={"latency_ms": 200, "path_contains": "/documents"})
    job = await api.start(ORGS[MEDIUM].id)
    await eventually(lambda: step_cursor(db, job["id"], 5), "step 5 under way")
    sim.post("/_sim/tokens/expire")
    failed = await api.wait_for(job["id"])
    assert failed["status"] == "failed"
    assert failed["step_number"] == 5
    assert failed["error"].startswith("The legacy session expired while migrating documents. "
                                      "Log in again with POST /legacy-migration/auth and "
                                      "retry the job with the new legacy_session_id")
    assert await entities_of_job(db, job["id"]) == 0  # nothing reached the target

    sim.put("/_sim/faults", json={})
    session = await api.login()
    response = await api.http.post(f"/legacy-migration/jobs/{job['id']}/retry",
                                   json={"legacy_session_id": session["legacy_session_id"]})
    assert response.status_code == 200, response.text
    done = await api.wait_for(job["id"])
    await assert_migrated_exactly(db, done, expected(simulator, ORGS[MEDIUM].id))
    steps = (await api.report(job["id"]))["steps"]
    assert [s["attempts"] for s in steps[:4]] == [1, 1, 1, 1]  # finished steps not redone
    assert steps[4]["attempts"] == 2  # resumed at the failed step


async def test_client_honours_retry_after_and_gives_up_on_401(simulator: str,
                                                              sim: httpx.Client) -> None:
    waits: list[tuple[str, float]] = []
    labels: list[str] = []

    async def record(reason: str, label: str, wait: float, retry: int) -> None:
        waits.append((reason, wait))
        labels.append(label)

    sim.put("/_sim/faults", json={"path_contains": "/Accounts", "script": [
        {"status": 429, "retry_after": 2}, {"status": 500}]})
    async with LegacyClient(simulator, policy=RetryPolicy(base_seconds=0.01),
                            on_retry=record) as client:
        started = time.monotonic()
        login = await client.login("demo@example.com", "demo-password")
        assert time.monotonic() - started >= 2.0  # Retry-After: 2 was honoured
        assert [w[0] for w in waits] == ["rate limited (429)", "server error (500)"]
        assert labels == ["rate_limited", "server_error"]  # what the metrics count
        assert waits[0][1] == 2.0
        assert login.user_id
        try:
            await client.login("demo@example.com", "wrong")
            raise AssertionError("wrong credentials must fail")
        except LegacyAuthFailed:
            pass
    async with LegacyClient(simulator, token="ltok_unknown") as client:
        try:
            await client.organization(ORGS[SMALL].id)
            raise AssertionError("an unknown token must fail")
        except LegacyTokenExpired:
            pass


async def _retry(api: Api, job_id: str) -> None:
    response = await api.http.post(f"/legacy-migration/jobs/{job_id}/retry")
    assert response.status_code == 200, response.text


async def test_retries_exhausted_fail_the_job_clearly(api: Api, db: asyncpg.Pool,
                                                     sim: httpx.Client, simulator: str) -> None:
    sim.put("/_sim/faults", json={"path_contains": "/items", "error_rate": 1.0})
    job = await api.start(ORGS[SMALL].id)
    failed = await api.wait_for(job["id"])
    assert failed["status"] == "failed"
    assert failed["step_number"] == 4
    assert failed["error"].startswith("The legacy system could not be reached while "
                                      "migrating items: ")
    assert failed["error"].endswith("Retry the job later; it resumes where it stopped.")
    step4 = (await api.report(job["id"]))["steps"][3]
    assert step4["status"] == "failed"
    assert step4["retries"] == 6  # LEGACY_MAX_RETRIES
    assert await entities_of_job(db, job["id"]) == 0

    sim.put("/_sim/faults", json={})
    await _retry(api, job["id"])
    done = await api.wait_for(job["id"])
    await assert_migrated_exactly(db, done, expected(simulator, ORGS[SMALL].id))


async def test_invalid_source_data_fails_the_job_naming_the_record(
        api: Api, db: asyncpg.Pool, sim: httpx.Client) -> None:
    sim.put("/_sim/faults", json={"path_contains": "/clients", "blank_field": "name"})
    job = await api.start(ORGS[SMALL].id)
    failed = await api.wait_for(job["id"])
    assert failed["status"] == "failed"
    assert failed["step_number"] == 3
    assert failed["error"] == (
        "The legacy client 010200000000000000000000 cannot be migrated: it has no name. "
        "Correct it in the legacy account and retry the job.")
    assert await entities_of_job(db, job["id"]) == 0
    assert await staged_rows(db, job["id"], "customers") == 0  # the bad page staged nothing
