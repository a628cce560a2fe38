"""Every request that can be wrong is refused with a precise message, and nothing is written."""

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis

from harness.api import Api
from harness.processes import create_key
from legacy_sim.orgs import ORGS, OTHER, SMALL
from worker.redis_keys import legacy_session_key

JOBS = "/legacy-migration/jobs"


@pytest.fixture
async def jobs_written(db: asyncpg.Pool) -> Callable[[], Awaitable[None]]:
    """Call it at the end of a test: asserts no job row was added meanwhile."""
    before = await db.fetchval("SELECT count(*) FROM migration_jobs")

    async def check() -> None:
        assert await db.fetchval("SELECT count(*) FROM migration_jobs") == before

    return check


def error_of(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    return str(body["error"]["message"])


async def test_no_key_and_bad_keys(web: str, jobs_written: Any) -> None:
    async with httpx.AsyncClient(base_url=web) as http:
        assert "Authorization: Bearer" in error_of(await http.get(JOBS), 401, "UNAUTHORIZED")
        bad = await http.get(JOBS, headers={"Authorization": "Bearer mwk_nope"})
        assert "not valid" in error_of(bad, 401, "INVALID_API_KEY")
        basic = await http.get(JOBS, headers={"Authorization": "Basic abc"})
        assert "Bearer <api key>" in error_of(basic, 401, "UNAUTHORIZED")
        create = await http.post(JOBS, json={})
        error_of(create, 401, "UNAUTHORIZED")
    await jobs_written()


async def test_account_selection(web: str, service_env: dict[str, str]) -> None:
    key = create_key(service_env, "acc_multi_a", "acc_multi_b")
    async with httpx.AsyncClient(base_url=web, headers={"Authorization": f"Bearer {key}"}) as h:
        assert "x-account-id" in error_of(await h.get(JOBS), 400, "ACCOUNT_REQUIRED")
        forbidden = await h.get(JOBS, headers={"x-account-id": "acc_test"})
        assert "acc_test" in error_of(forbidden, 403, "ACCOUNT_FORBIDDEN")
        ok = await h.get(JOBS, headers={"x-account-id": "acc_multi_b"})
        assert ok.status_code == 200


async def test_another_accounts_job_is_invisible(api: Api, web: str,
                                                 service_env: dict[str, str]) -> None:
    job = await api.start(ORGS[SMALL].id)
    other = Api(web, create_key(service_env, "acc_other"))
    try:
        path = f"{JOBS}/{job['id']}"
        for response in (await other.http.get(path), await other.http.delete(path),
                         await other.http.post(path + "/retry"),
                         await other.http.get(path + "/report")):
            assert job["id"] in error_of(response, 404, "JOB_NOT_FOUND")
        listed = (await other.http.get(JOBS)).json()["data"]
        assert job["id"] not in [j["id"] for j in listed]
        unknown = await other.http.get(f"{JOBS}/mig_000000000000000000000000")
        error_of(unknown, 404, "JOB_NOT_FOUND")
    finally:
        await other.aclose()
    await api.wait_for(job["id"])


async def test_session_problems(api: Api, redis: Redis, web: str, service_env: dict[str, str],
                                jobs_written: Any) -> None:
    org = ORGS[SMALL].id
    missing = await api.create(org, "lm_session_doesnotexist")
    assert "log in again" in error_of(missing, 404, "LEGACY_SESSION_NOT_FOUND")

    session = (await api.login())["legacy_session_id"]
    await redis.delete(legacy_session_key(session))  # what its TTL does after an hour
    expired = await api.create(org, session)
    assert "expired" in error_of(expired, 404, "LEGACY_SESSION_NOT_FOUND")

    session = (await api.login())["legacy_session_id"]
    assert await redis.ttl(legacy_session_key(session)) > 3500
    not_owned = await api.create(ORGS[OTHER].id, session)
    assert ORGS[OTHER].id in error_of(not_owned, 404, "LEGACY_ORG_NOT_FOUND")

    # a session belongs to the account that opened it
    other = Api(web, create_key(service_env, "acc_thief"))
    try:
        stolen = await other.create(org, session)
        error_of(stolen, 404, "LEGACY_SESSION_NOT_FOUND")
    finally:
        await other.aclose()
    await jobs_written()


async def test_wrong_legacy_credentials(api: Api) -> None:
    response = await api.http.post("/legacy-migration/auth",
                                   json={"email": "demo@example.com", "password": "wrong"})
    assert "password is wrong" in error_of(response, 401, "LEGACY_LOGIN_FAILED")


@pytest.mark.parametrize(("body", "status", "code", "fragment"), [
    ('{"legacy_org_id": "x", ', 400, "INVALID_JSON", "not valid JSON"),
    ('{"legacy_org_id": "x", "legacy_session_id": "s", "environment": "production"}', 422,
     "VALIDATION_ERROR", "environment: Input should be 'live' or 'sandbox'"),
    ('{"legacy_session_id": "s", "environment": "live"}', 422, "VALIDATION_ERROR",
     "legacy_org_id is required"),
    ('{"legacy_org_id": "x", "legacy_session_id": "s", "environment": "live", "x": 1}', 422,
     "VALIDATION_ERROR", "x: Extra inputs are not permitted"),
    ('[1, 2]', 422, "VALIDATION_ERROR", "Invalid request"),
])
async def test_bad_bodies(api: Api, jobs_written: Any, body: str, status: int, code: str,
                          fragment: str) -> None:
    response = await api.http.post(JOBS, content=body,
                                   headers={"Content-Type": "application/json"})
    assert fragment in error_of(response, status, code)
    await jobs_written()


async def test_bad_query_and_oversized_body(api: Api) -> None:
    error_of(await api.http.get(JOBS, params={"limit": 500}), 422, "VALIDATION_ERROR")
    error_of(await api.http.get(JOBS, params={"status": "sleeping"}), 422, "VALIDATION_ERROR")
    big = await api.http.post(JOBS, content=b"x" * 1_100_000,
                              headers={"Content-Type": "application/json"})
    error_of(big, 413, "PAYLOAD_TOO_LARGE")


async def test_cancel_and_retry_refuse_wrong_states(api: Api) -> None:
    job = await api.start(ORGS[SMALL].id)
    done = await api.wait_for(job["id"])
    assert done["status"] == "completed"
    path = f"{JOBS}/{job['id']}"
    assert "already completed" in error_of(await api.http.delete(path), 409, "JOB_FINISHED")
    assert "Only failed jobs" in error_of(await api.http.post(path + "/retry"), 409,
                                          "JOB_NOT_FAILED")


async def test_listing_pages_newest_first(api: Api) -> None:
    for _ in range(3):
        await api.wait_for((await api.start(ORGS[SMALL].id))["id"])
    first = (await api.http.get(JOBS, params={"limit": 2})).json()
    assert len(first["data"]) == 2
    assert first["has_more"] is True
    ids = [j["id"] for j in first["data"]]
    assert ids == sorted(ids, reverse=True)
    second = (await api.http.get(JOBS, params={"limit": 2, "starting_after": ids[-1]})).json()
    assert all(j["id"] < ids[-1] for j in second["data"])
    completed = (await api.http.get(JOBS, params={"status": "completed"})).json()["data"]
    assert completed
    assert {j["status"] for j in completed} == {"completed"}
