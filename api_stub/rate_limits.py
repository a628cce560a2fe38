"""Requests per second per API key, and per client address for requests without a valid key
(security.md, "Connections and requests"): beyond them 429 RATE_LIMITED with Retry-After.

An ASGI middleware, the outermost: a request beyond its limit is refused before its body is
read or any route (or 404) runs, and a flood of bad keys is limited like any request without
one. It finds the request's key itself (the key cache, else one indexed query: an unknown
key costs that query before it is counted in its address's bucket, which a valid key from
the same address, behind one NAT, must not be; the connection caps bound how many run at
once) and
leaves what it found, or that the key is unknown, for the route's auth: a key is looked up
once per request at most.

The counters are GCRA buckets in Redis (limit_store.py), one script call per request, timed
by Redis' own clock so that every web process agrees. A bucket lets `burst` requests through
at once and one more every 1/`per_second` seconds after; it expires once full again.

Buckets:
- a request with a valid API key: per key (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST);
- /healthz and /metrics: per client address, the anonymous figures, in a bucket of their own,
  so that a client hammering the API without a key cannot make a probe or a scrape fail;
- any other request: per client address (RATE_LIMIT_ANONYMOUS_PER_SECOND, _BURST). An IPv6
  client is counted by its /64, which one host usually holds whole.

When Redis does not answer, a route in FAIL_CLOSED is refused with 503; every other route is
served unchecked (fail open): Postgres holds the truth, and an outage of the counters must
not become an outage of the API.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_stub import refusals
from api_stub.auth import bearer_token, lookup_key
from api_stub.errors import RateLimited, ServiceUnavailable, error_response
from api_stub.limit_store import LimitStore
from worker.redis_keys import rate_bucket_key
from worker.settings import Settings
from worker.store.api_keys import ApiKey, KeyRefused

PROBES = frozenset({"/healthz", "/metrics"})
# Routes refused while Redis does not answer. The legacy login guards a password oracle
# (its throttle needs Redis too), and keeps its sessions in Redis: without Redis it could
# not succeed anyway.
FAIL_CLOSED = frozenset({("POST", "/legacy-migration/auth")})
# The Retry-After of a refusal because the limits cannot be checked.
UNAVAILABLE_RETRY_SECONDS = 5

# KEYS[1]: the bucket; ARGV[1]: microseconds between requests, ARGV[2]: the burst.
# Answers {1, 0} when the request may go, else {0, microseconds until one may}.
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
local allowed_at = next_tat - tonumber(ARGV[2]) * interval
if allowed_at > now then
  return {0, math.ceil(allowed_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.0f', next_tat),
           'PX', math.max(1, math.ceil((next_tat - now) / 1000)))
return {1, 0}
"""


@dataclass(frozen=True)
class Bucket:
    """Whose requests one counter holds, at what rate."""

    who: str  # the counter's name: "key:<ID>", "addr:<address>" or "probe:<address>"
    whom: str  # who that is, in a refusal's message
    per_second: float
    burst: int


def address_group(host: str | None) -> str:
    """The address a client is counted by: itself, or an IPv6 address's /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_address(scope: Scope) -> str:
    """The request's client address, as counted (see address_group)."""
    client = scope.get("client")
    return address_group(client[0] if client else None)


def bucket_for(path: str, key: ApiKey | None, address: str, settings: Settings) -> Bucket:
    """The counter a request is counted in."""
    if path in PROBES:
        return Bucket(f"probe:{address}", f"This client address ({address}) asking {path}",
                      settings.rate_limit_anonymous_per_second,
                      settings.rate_limit_anonymous_burst)
    if key is not None:
        return Bucket(f"key:{key.id}", "This API key", settings.rate_limit_per_second,
                      settings.rate_limit_burst)
    return Bucket(f"addr:{address}", f"This client address ({address}) without an API key",
                  settings.rate_limit_anonymous_per_second, settings.rate_limit_anonymous_burst)


def fails_closed(method: str, path: str) -> bool:
    """Whether a route is refused while its limits cannot be checked."""
    return (method, path) in FAIL_CLOSED


def retry_after(wait_seconds: float) -> int:
    """Whole seconds to wait, at least 1: waiting that long is always enough."""
    return max(1, math.ceil(wait_seconds))


def refusal(bucket: Bucket, wait_seconds: float) -> RateLimited:
    """The 429 of a request beyond its bucket, naming the limit and its figures."""
    seconds = retry_after(wait_seconds)
    return RateLimited(
        f"{bucket.whom} made more than {bucket.per_second:g} requests per second (burst "
        f"{bucket.burst}); wait {seconds} s (Retry-After) and slow down.",
        retry_after=seconds)


async def check(store: LimitStore, bucket: Bucket) -> float | None:
    """Count one request: 0 when it may go, else the seconds until one may; None when
    Redis does not answer."""
    interval_us = 1_000_000 / bucket.per_second
    answer = await store.run(GCRA, [rate_bucket_key(bucket.who)], [interval_us, bucket.burst])
    if answer is None:
        return None
    allowed, wait_us = answer[0], answer[1]
    return 0.0 if allowed else wait_us / 1_000_000


def limits_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "Redis is not answering, and this route is not served while its limits cannot be "
        "checked (it tries legacy passwords); try again in a moment.")


class RateLimits:
    """ASGI middleware: 429 for a request beyond its bucket; owns the process's LimitStore
    (`request.state.limit_store`, for the stream cap and the login throttle)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.store = LimitStore(settings.redis_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["limit_store"] = self.store
        path, address = scope["path"], client_address(scope)
        token = None if path in PROBES else bearer_token(
            Headers(scope=scope).get("authorization"))
        key = None if token is None else await self._key(scope, token)
        if key is not None:
            state["api_key"] = key  # for auth._api_key: no second lookup
        bucket = bucket_for(path, key, address, self.settings)
        wait = await check(self.store, bucket)
        if wait is None and fails_closed(scope["method"], path):
            headers = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}
            await error_response(limits_unavailable(), headers)(scope, receive, send)
            return
        if wait:
            refusals.count(refusals.REQUEST, "rate_limited")
            await error_response(refusal(bucket, wait))(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _key(scope: Scope, token: str) -> ApiKey | None:
        """The request's valid API key, or None (unknown: noted for the route's auth, which
        answers 401 without a second lookup; or not checkable now: the route's auth then
        answers 503 as it would)."""
        app_state = scope["app"].state
        try:
            found = await lookup_key(app_state.key_cache, app_state.api.pool, token,
                                     getattr(app_state, "key_usage", None))
        except Exception:
            return None
        if isinstance(found, KeyRefused):
            # the route's auth answers 401 naming why, without a second lookup
            scope["state"]["api_key_refused"] = found
            return None
        if found is None:
            scope["state"]["api_key_unknown"] = True
        return found

    def _closing(self, send: Send) -> Send:
        async def closing(message: Message) -> None:
            if message["type"].startswith("lifespan.shutdown"):
                await self.store.aclose()
            await send(message)

        return closing
