"""Transient legacy API faults are retried, honouring Retry-After, and shown to the user."""

import time

import httpx

from legacy_sim.orgs import ORGS, SMALL
from tests.support.api import Api
from worker.sources.legacy.client import LegacyClient, RetryPolicy
from worker.sources.legacy.errors import LegacyAuthFailed, LegacyTokenExpired


async def test_a_job_rides_out_503s_and_429s(api: Api, sim: httpx.Client) -> None:
    sim.put("/_sim/faults", json={"path_contains": "/clients", "script": [
        {"status": 503}, {"status": 503}, {"status": 429, "retry_after": 1}]})
    job = await api.start(ORGS[SMALL].id)
    seen: list[dict] = []
    done = await api.wait_for(job["id"], seen=seen)
    assert done["status"] == "completed", done["error"]
    waits = [j["progress_detail"] for j in seen if "retrying in" in (j["progress_detail"] or "")]
    assert any("rate limited (429); retrying in 1.0 s" in w for w in waits), waits
    step3 = (await api.report(job["id"]))["steps"][2]
    assert step3["retries"] == 3


async def test_client_honours_retry_after_and_gives_up_on_401(simulator: str,
                                                              sim: httpx.Client) -> None:
    waits: list[tuple[str, float]] = []

    async def record(reason: str, wait: float, retry: int) -> None:
        waits.append((reason, wait))

    sim.put("/_sim/faults", json={"path_contains": "/Accounts", "script": [
        {"status": 429, "retry_after": 2}, {"status": 500}]})
    async with LegacyClient(simulator, policy=RetryPolicy(base_seconds=0.01),
                            on_retry=record) as client:
        started = time.monotonic()
        login = await client.login("demo@example.com", "demo-password")
        assert time.monotonic() - started >= 2.0  # Retry-After: 2 was honoured
        assert [w[0] for w in waits] == ["rate limited (429)", "server error (500)"]
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
