"""The limits' Lua scripts on a real Redis, as the web processes run them (LimitStore): a
GCRA bucket lets exactly its burst through; stream slots stop at the cap and free up on
release or when a lease lapses; the login throttle counts, waits, resets and takes back.
And a store whose Redis does not answer says so at once, instead of raising or stalling."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from api_stub import login_throttle, rate_limits
from api_stub.errors import RateLimited, ServiceUnavailable
from api_stub.limit_store import LimitStore
from api_stub.rate_limits import Bucket
from api_stub.stream_slots import StreamSlot
from harness.processes import free_port
from harness.waits import eventually
from tests.conftest import TEST_REDIS
from worker.redis_keys import login_failures_key
from worker.settings import Settings


@pytest.fixture
async def store(redis: Redis) -> AsyncIterator[LimitStore]:
    limits = LimitStore(TEST_REDIS)
    yield limits
    await limits.aclose()


def _key_id() -> int:
    return random.randrange(10**9, 2 * 10**9)


async def test_a_bucket_lets_its_burst_through_then_says_how_long_to_wait(
        store: LimitStore, redis: Redis) -> None:
    # one request every 1000 s: nothing refills while the test runs
    bucket = Bucket(f"key:{_key_id()}", "This API key", per_second=0.001, burst=5)
    waits = [await rate_limits.check(store, bucket) for _ in range(8)]
    assert waits[:5] == [0.0] * 5
    for wait in waits[5:]:
        assert wait is not None
        assert 990 < wait <= 1000
    ttl = await redis.pttl(f"mw:rate:{bucket.who}")
    assert 0 < ttl <= 5_000_000  # expires once full again


async def test_a_bucket_refills_at_its_rate(store: LimitStore) -> None:
    bucket = Bucket(f"addr:198.51.100.{random.randrange(256)}-{uuid.uuid4().hex[:6]}",
                    "This client", per_second=20, burst=2)
    assert [await rate_limits.check(store, bucket) for _ in range(2)] == [0.0, 0.0]
    wait = await rate_limits.check(store, bucket)
    assert wait is not None
    assert 0 < wait <= 0.05

    async def let_through() -> bool:
        return await rate_limits.check(store, bucket) == 0.0

    await eventually(let_through, "one more request once 1/20 s has passed", timeout=10)


async def test_stream_slots_stop_at_the_cap_and_free_up_on_release(store: LimitStore) -> None:
    key_id = _key_id()
    first, second, third = (StreamSlot(store, key_id, lease=60) for _ in range(3))
    assert await first.acquire(2) is None
    assert await second.acquire(2) is None
    assert await third.acquire(2) == 2  # refused: two open
    assert await StreamSlot(store, _key_id(), lease=60).acquire(2) is None  # another key
    await first.release()
    assert await third.acquire(2) is None


async def test_a_slot_whose_lease_lapses_frees_up(store: LimitStore) -> None:
    key_id = _key_id()
    held = StreamSlot(store, key_id, lease=0.3)  # its process died: never renewed
    assert await held.acquire(1) is None
    waiting = StreamSlot(store, key_id, lease=60)
    assert await waiting.acquire(1) == 1

    async def acquired() -> bool:
        return await waiting.acquire(1) is None

    await eventually(acquired, "the lapsed slot is free", timeout=10)


def _settings(**figures: float) -> Settings:
    return Settings(secret_key="test-secret", **figures)  # type: ignore[arg-type]


async def test_the_throttle_counts_waits_and_is_reset_by_a_success(
        store: LimitStore, redis: Redis) -> None:
    settings = _settings(legacy_login_free_failures=2, legacy_login_wait_seconds=1000,
                         legacy_login_max_wait_seconds=4000)
    key_id, email = _key_id(), f"{uuid.uuid4().hex}@example.com"
    for n in (1, 2):
        attempt = await login_throttle.begin(store, settings, key_id, email)
        assert (attempt.email_failures, attempt.key_failures) == (n, n)
    with pytest.raises(RateLimited) as refused:
        await login_throttle.begin(store, settings, key_id, email.upper())
    assert 990 <= refused.value.retry_after <= 1000
    assert "for this legacy email (2 in a row)" in refused.value.message
    # nothing of the email itself in Redis
    names = [k.decode() async for k in redis.scan_iter("mw:login-failures:*")]
    assert not [n for n in names if email.split("@")[0] in n]
    # the key waits for any email; another key, for this email only
    with pytest.raises(RateLimited):
        await login_throttle.begin(store, settings, key_id, "someone-else@example.com")
    with pytest.raises(RateLimited):
        await login_throttle.begin(store, settings, _key_id(), email)
    other = await login_throttle.begin(store, settings, _key_id(), "someone-else@example.com")
    assert (other.email_failures, other.key_failures) == (1, 1)
    # a success (let through by a wait that ended: here, the counts forgotten) resets them
    await attempt.succeeded()
    again = await login_throttle.begin(store, settings, key_id, email)
    assert (again.email_failures, again.key_failures) == (1, 1)


async def test_a_success_leaves_the_keys_failures_for_other_emails(store: LimitStore) -> None:
    settings = _settings(legacy_login_free_failures=3, legacy_login_wait_seconds=1000)
    key_id = _key_id()
    for n in range(2):
        await login_throttle.begin(store, settings, key_id, f"guess{n}-{key_id}@example.com")
    mine = await login_throttle.begin(store, settings, key_id, f"me-{key_id}@example.com")
    assert mine.key_failures == 3
    await mine.succeeded()
    # the two guesses still count against the key: one more and it waits
    guess = await login_throttle.begin(store, settings, key_id, f"guess9-{key_id}@example.com")
    assert guess.key_failures == 3
    with pytest.raises(RateLimited) as refused:
        await login_throttle.begin(store, settings, key_id, f"me-{key_id}@example.com")
    assert "through this API key (3 for emails" in refused.value.message


async def test_an_attempt_without_a_verdict_is_taken_back(store: LimitStore,
                                                          redis: Redis) -> None:
    settings = _settings(legacy_login_free_failures=1, legacy_login_wait_seconds=1000)
    key_id = _key_id()
    attempt = await login_throttle.begin(store, settings, key_id, "undo@example.com")
    await attempt.undo()
    assert not await redis.exists(login_failures_key(f"key:{key_id}"))
    assert (await login_throttle.begin(store, settings, key_id,
                                       "undo@example.com")).email_failures >= 1


async def test_the_counts_are_forgotten_after_their_time(store: LimitStore,
                                                         redis: Redis) -> None:
    settings = _settings(legacy_login_free_failures=5, legacy_login_forget_seconds=120,
                         legacy_login_max_wait_seconds=60)
    key_id = _key_id()
    await login_throttle.begin(store, settings, key_id, "forget@example.com")
    ttl = await redis.pttl(login_failures_key(f"key:{key_id}"))
    assert 110_000 < ttl <= 120_000


async def test_the_concurrent_attempts_of_a_burst_are_counted_before_any_ends(
        store: LimitStore) -> None:
    settings = _settings(legacy_login_free_failures=3, legacy_login_wait_seconds=1000)
    key_id, email = _key_id(), f"burst-{uuid.uuid4().hex}@example.com"
    outcomes = await asyncio.gather(
        *(login_throttle.begin(store, settings, key_id, email) for _ in range(50)),
        return_exceptions=True)
    let_through = [o for o in outcomes if isinstance(o, login_throttle.Attempt)]
    assert len(let_through) == 3
    assert all(isinstance(o, RateLimited) for o in outcomes if o not in let_through)


@pytest.mark.parametrize("silent", [False, True], ids=["refused", "silent"])
async def test_a_store_without_redis_says_unknown_at_once(silent: bool) -> None:
    port = free_port()
    server: asyncio.Server | None = None
    accepted: list[asyncio.StreamWriter] = []
    if silent:  # accepts connections and never answers
        server = await asyncio.start_server(lambda _, writer: accepted.append(writer),
                                            "127.0.0.1", port)
    store = LimitStore(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    try:
        bucket = Bucket("key:1", "This API key", per_second=1, burst=1)
        assert await asyncio.wait_for(rate_limits.check(store, bucket), 5) is None
        assert await asyncio.wait_for(rate_limits.check(store, bucket), 5) is None
        with pytest.raises(ServiceUnavailable, match="Redis"):
            await login_throttle.begin(store, _settings(), 1, "demo@example.com")
    finally:
        await store.aclose()
        for writer in accepted:
            writer.close()
        if server is not None:
            server.close()
            await server.wait_closed()
