"""Rate limits against real web processes with low limits (the suite's own are generous): a
burst with one key gets 429 RATE_LIMITED with a truthful Retry-After while another key is
served; two web processes share one count; requests without a key are limited per address,
bad keys too, and /healthz keeps a bucket of its own; an API key's open event streams stop at
the cap; with Redis down, reads are served unchecked and the legacy login refused; the
refusals are in /metrics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.api import DEMO_EMAIL, DEMO_PASSWORD
from harness.processes import create_key, free_port
from harness.waits import eventually
from tests.support.web import Web, own_web

PER_SECOND, BURST = 2, 8
ANONYMOUS_PER_SECOND, ANONYMOUS_BURST = 1, 4
STREAMS = 2
LIMITS = {
    "RATE_LIMIT_PER_SECOND": str(PER_SECOND), "RATE_LIMIT_BURST": str(BURST),
    "RATE_LIMIT_ANONYMOUS_PER_SECOND": str(ANONYMOUS_PER_SECOND),
    "RATE_LIMIT_ANONYMOUS_BURST": str(ANONYMOUS_BURST),
    "MAX_EVENT_STREAMS_PER_KEY": str(STREAMS),
}
JOBS = "/legacy-migration/jobs"


@pytest.fixture(scope="module")
def limited_env(service_env: dict[str, str]) -> dict[str, str]:
    return {**service_env, **LIMITS}


@pytest.fixture(scope="module")
async def webs(limited_env: dict[str, str], logs_dir: Path) -> AsyncIterator[tuple[Web, Web]]:
    """Two web processes with the low limits, on one Redis."""
    async with own_web("web-limited", limited_env, logs_dir) as one, \
            own_web("web-limited-2", limited_env, logs_dir) as two:
        yield one, two


@pytest.fixture(scope="module")
def web_url(webs: tuple[Web, Web]) -> str:
    return webs[0].url


def new_key(env: dict[str, str]) -> tuple[str, str]:
    account = "acc_rate_" + uuid.uuid4().hex[:10]
    return create_key(env, account), account


def client(url: str, key: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    kwargs.setdefault("timeout", 30)
    return httpx.AsyncClient(base_url=url, headers=headers, **kwargs)


def assert_rate_limited(response: httpx.Response, *in_message: str) -> int:
    """The answer is a 429 RATE_LIMITED whose message says each of `in_message`; its
    Retry-After in seconds."""
    assert response.status_code == 429, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == "RATE_LIMITED", error
    for text in in_message:
        assert text in error["message"], error["message"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) >= 1
    return int(retry_after)


async def burst_until_refused(clients: list[httpx.AsyncClient], path: str,
                              ) -> tuple[list[httpx.Response], float]:
    """Requests in concurrent rounds (spread over `clients`) until one is refused; the
    answers and the seconds they took."""
    answers: list[httpx.Response] = []
    started = time.monotonic()
    while not any(r.status_code == 429 for r in answers):
        assert len(answers) < 400, "never limited"
        answers += await asyncio.gather(*(clients[i % len(clients)].get(path)
                                          for i in range(20)))
    return answers, time.monotonic() - started


def most_let_through(burst: int, per_second: float, seconds: float) -> float:
    """What a bucket can let through in `seconds`: its burst and what refilled."""
    return burst + per_second * seconds + 1


async def test_a_burst_with_one_key_is_limited_while_another_key_is_served(
        web_url: str, limited_env: dict[str, str]) -> None:
    (key, _), (other_key, _) = new_key(limited_env), new_key(limited_env)
    async with client(web_url, key) as http, client(web_url, other_key) as other:
        answers, took = await burst_until_refused([http], JOBS)
        assert {r.status_code for r in answers} == {200, 429}
        served = sum(r.status_code == 200 for r in answers)
        assert BURST <= served <= most_let_through(BURST, PER_SECOND, took)
        refused = next(r for r in answers if r.status_code == 429)
        retry_after = assert_rate_limited(
            refused, f"This API key made more than {PER_SECOND} requests per second (burst "
                     f"{BURST}); wait ")
        # another key is served at once
        assert (await other.get(JOBS)).status_code == 200
        # Retry-After is truthful: after it, the key is served again
        await asyncio.sleep(retry_after + 0.05)
        assert (await http.get(JOBS)).status_code == 200


async def test_every_web_process_shares_one_count(webs: tuple[Web, Web],
                                                  limited_env: dict[str, str]) -> None:
    key, _ = new_key(limited_env)
    async with client(webs[0].url, key) as one, client(webs[1].url, key) as two:
        answers, took = await burst_until_refused([one, two], JOBS)
    served = sum(r.status_code == 200 for r in answers)
    # a count per process would let a burst through each
    assert served <= most_let_through(BURST, PER_SECOND, took)


async def test_requests_without_a_key_are_limited_per_address(
        web_url: str, limited_env: dict[str, str]) -> None:
    key, _ = new_key(limited_env)
    async with client(web_url) as anonymous:
        answers, took = await burst_until_refused([anonymous], JOBS)
        assert {r.status_code for r in answers} == {401, 429}
        served = sum(r.status_code == 401 for r in answers)
        assert served <= most_let_through(ANONYMOUS_BURST, ANONYMOUS_PER_SECOND, took)
        assert_rate_limited(next(r for r in answers if r.status_code == 429),
                            "This client address (127.0.0.1) without an API key made more "
                            f"than {ANONYMOUS_PER_SECOND} requests per second (burst "
                            f"{ANONYMOUS_BURST})")
        # guessing keys from this address is limited like no key
        guessed = await anonymous.get(JOBS, headers={"Authorization": "Bearer mwk_guess"})
        assert_rate_limited(guessed, "without an API key")
        # every path is limited, inside the document or not
        for path in ("/dashboard", "/openapi.json", "/no-such-path"):
            assert_rate_limited(await anonymous.get(path), "without an API key")
        # a probe has a bucket of its own
        assert (await anonymous.get("/healthz")).status_code == 200
        assert (await anonymous.get("/metrics")).status_code == 200
    # a valid key from the same address is counted per key
    async with client(web_url, key) as keyed:
        assert (await keyed.get(JOBS)).status_code == 200
    # another address (127.0.0.2 is this host too) is served
    transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with client(web_url, transport=transport) as elsewhere:
        assert (await elsewhere.get(JOBS)).status_code == 401


async def open_stream(stack: AsyncExitStack, http: httpx.AsyncClient, path: str
                      ) -> httpx.Response:
    """A stream opened (and closed with `stack`); its answer, read whole unless a 200."""
    response = await stack.enter_async_context(http.stream("GET", path))
    if response.status_code != 200:
        await response.aread()
    return response


async def test_an_api_keys_open_event_streams_stop_at_the_cap(
        web_url: str, limited_env: dict[str, str]) -> None:
    (key, _), (other_key, _) = new_key(limited_env), new_key(limited_env)
    async with client(web_url, key) as http, client(web_url, other_key) as other:
        mine = (await http.post("/migrations", json={
            "provider": "freeagent", "cutoverDate": "2026-09-30"})).json()["id"]
        theirs = (await other.post("/migrations", json={
            "provider": "freeagent", "cutoverDate": "2026-09-30"})).json()["id"]
        path = f"/migrations/{mine}/events"
        async with AsyncExitStack() as streams:
            for _ in range(STREAMS):
                assert (await open_stream(streams, http, path)).status_code == 200
            async with AsyncExitStack() as refused:
                beyond = await open_stream(refused, http, path)
                assert_rate_limited(beyond, f"This API key has {STREAMS} event streams open",
                                    f"MAX_EVENT_STREAMS_PER_KEY {STREAMS}")
                # the cap is per key, across both kinds of stream
                job_stream = await open_stream(refused, http, f"{JOBS}/no-such-job/events")
                assert_rate_limited(job_stream, "event streams open")
                # another key's stream is served
                served = await open_stream(refused, other, f"/migrations/{theirs}/events")
                assert served.status_code == 200
        # the streams ended: their slots are given back
        async def opens_again() -> bool:
            await asyncio.sleep(1 / PER_SECOND)  # within the key's request rate
            async with AsyncExitStack() as stack:
                return (await open_stream(stack, http, path)).status_code == 200

        await eventually(opens_again, "a stream opens once the others ended", timeout=30)


async def test_refusals_are_counted_in_metrics(web_url: str,
                                               limited_env: dict[str, str]) -> None:
    key, _ = new_key(limited_env)
    async with client(web_url, key) as http, client(web_url) as scraper:
        answers, _ = await burst_until_refused([http], JOBS)
        refused = sum(r.status_code == 429 for r in answers)

        async def counted() -> float | None:
            await asyncio.sleep(1 / ANONYMOUS_PER_SECOND)  # within the probes' rate
            response = await scraper.get("/metrics")
            if response.status_code != 200:
                return None
            for family in text_string_to_metric_families(response.text):
                for sample in family.samples:
                    if sample.name == "migration_web_refusals_total" and sample.labels == {
                            "what": "request", "reason": "rate_limited"}:
                        return sample.value if sample.value >= refused else None
            return None

        await eventually(counted, "the refusals in /metrics", timeout=30)


@pytest.mark.parametrize("outage", ["refused", "silent"])
async def test_with_redis_down_reads_are_served_and_the_legacy_login_refused(
        outage: str, limited_env: dict[str, str], logs_dir: Path) -> None:
    """Fail open for a read (Postgres holds the truth), fail closed for the legacy login,
    whether Redis refuses connections or accepts them and never answers: every answer comes
    (the limits' calls are bounded), none is a 429."""
    port = free_port()
    accepted: list[asyncio.StreamWriter] = []
    server = None
    if outage == "silent":
        server = await asyncio.start_server(lambda _, writer: accepted.append(writer),
                                            "127.0.0.1", port)
    env = {**limited_env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    key, _ = new_key(limited_env)
    try:
        async with own_web(f"web-redis-{outage}", env, logs_dir) as web, \
                client(web.url, key, timeout=15) as http:
            reads = await asyncio.gather(*(http.get(JOBS) for _ in range(3 * BURST)))
            assert [r.status_code for r in reads] == [200] * (3 * BURST)
            login = await http.post("/legacy-migration/auth",
                                    json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
            assert login.status_code == 503, login.text
            assert login.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
            assert "Redis" in login.json()["error"]["message"]
            assert login.headers["Retry-After"].isdigit()
            health = await http.get("/healthz")
            assert health.status_code == 503, health.text  # its own answer, not a 429
    finally:
        for writer in accepted:
            writer.close()
        if server is not None:
            server.close()
            await server.wait_closed()
