"""A conversation with a source's JSON API over httpx, riding out its transient faults.

Timeouts, dropped connections, 429 and 5xx are retried with exponential backoff and full
jitter, honouring Retry-After (a 429's holds every request of the conversation, not only
the refused one). Any other answer is final, in the source's own words (`refused`). JSON
numbers are parsed as Decimal: money never passes through a float.
"""

from __future__ import annotations

import asyncio
import functools
import http.cookiejar
import ssl
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import msgspec
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from worker.backoff import backoff_seconds

RETRY_STATUSES = {429, 500, 502, 503, 504}

# Called before each wait: (reason, its label, seconds to wait, retry number). The label
# is one of metrics.RETRY_LABELS: what the metrics count, the reason's words are for people.
RetryHook = Callable[[str, str, float, int], Awaitable[None]]


class Transient(Exception):
    """A fault worth retrying."""

    def __init__(self, reason: str, label: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.label = reason, label
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 6
    base_seconds: float = 0.5
    max_seconds: float = 30.0

    def backoff(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `retry` (1-based): Retry-After when the
        server gave one, else exponential backoff with jitter."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_seconds)
        return backoff_seconds(retry, self.base_seconds, self.max_seconds)


# msgspec: about twice as fast as the standard library's with parse_float=Decimal (same
# values: a number with a fraction or an exponent becomes the Decimal of its text, an
# integer of any size an int)
_EXACT = msgspec.json.Decoder(float_hook=Decimal)


def parse_json(content: bytes) -> Any:
    """JSON with every non-integer number as an exact Decimal."""
    return _EXACT.decode(content)


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client of the process: building one reads the CA bundle,
    which took a fifth of a small job's CPU when each job's client built its own."""
    return httpx.create_ssl_context()


# One HTTP client (its connection pool) per event loop, base URL and timeout, shared by
# every conversation of the process: a small job makes a dozen requests, and building a
# client and opening a connection for each job cost more than the requests themselves.
# Keyed by loop because connections belong to the loop that opened them.
_shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                   dict[tuple[str, float], httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary())


def _shared_http(base_url: str, timeout: float) -> httpx.AsyncClient:
    """The running loop's client for `base_url` (made on first use, kept open)."""
    clients = _shared.setdefault(asyncio.get_running_loop(), {})
    key = (base_url, timeout)
    client = clients.get(key)
    if client is None or client.is_closed:
        # no cookie is kept: conversations of different users share the client, and each
        # request carries its own credentials
        no_cookies = http.cookiejar.CookieJar(
            policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        client = clients[key] = httpx.AsyncClient(base_url=base_url, timeout=timeout,
                                                  verify=tls_context(), cookies=no_cookies)
    return client


class RetryingJsonClient:
    """One conversation with a source's JSON API. A subclass names its endpoints and says,
    in its own errors, what a final answer means (`refused`), what running out of retries
    means (`unavailable`) and what a body it cannot read means (`bad_response`)."""

    def __init__(self, base_url: str, *, timeout: float = 10.0,
                 policy: RetryPolicy | None = None, on_retry: RetryHook | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        # a transport of the caller's own (tests) gets a client of its own, closed with
        # this conversation; otherwise the process's shared client, which stays open
        self._own_http = transport is not None
        self._http = (httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout,
                                        transport=transport, verify=tls_context())
                      if self._own_http else _shared_http(base_url.rstrip("/"), timeout))
        self.policy = policy or RetryPolicy()
        self.on_retry = on_retry
        self._resume_at = 0.0

    async def aclose(self) -> None:
        """End the conversation (the shared client stays open for the next)."""
        if self._own_http:
            await self._http.aclose()

    # --- what a subclass says in its own words ---------------------------------------------

    def headers(self) -> dict[str, str]:
        """Sent with every request (the credentials, once there are some)."""
        return {}

    def refused(self, path: str, status: int) -> Exception:
        """The error for a final answer: anything but 2xx, 429 and 5xx."""
        return RuntimeError(f"{path} answered HTTP {status}")

    def unavailable(self, reason: str) -> Exception:
        """The error once every retry of a transient fault is spent."""
        return RuntimeError(f"the API is not answering: {reason}, "
                            f"still after {self.policy.max_retries} retries")

    def bad_response(self, problem: str) -> Exception:
        """The error for a body that is not what the API promises."""
        return RuntimeError(problem)

    # --- requests ----------------------------------------------------------------------------

    async def request(self, method: str, path: str, *, keep_body: bool = False,
                      parse: Callable[[bytes], Any] = parse_json, **kwargs: Any) -> Any:
        """The body parsed by `parse`, or with `keep_body` (parsed body, the body's bytes)."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(Transient),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send(method, path, keep_body, parse, **kwargs)
        except Transient as exc:
            raise self.unavailable(exc.reason) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = exc.retry_after if isinstance(exc, Transient) else None
        return self.policy.backoff(state.attempt_number, after)

    async def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if self.on_retry is not None and isinstance(exc, Transient) and state.next_action:
            await self.on_retry(exc.reason, exc.label, state.next_action.sleep,
                                state.attempt_number)

    async def _send(self, method: str, path: str, keep_body: bool,
                    parse: Callable[[bytes], Any], **kwargs: Any) -> Any:
        """One HTTP exchange: the parsed body (and its bytes), a final error, or Transient."""
        wait = self._resume_at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            response = await self._http.request(method, path, headers=self.headers(),
                                                **kwargs)
        except httpx.TimeoutException:
            raise Transient("timed out", "timeout") from None
        except httpx.TransportError as exc:
            raise Transient(f"connection failed ({type(exc).__name__})", "connection"
                            ) from None
        status = response.status_code
        if status < 300:
            try:
                parsed = parse(response.content)
            except msgspec.ValidationError as exc:  # a parse that expects a shape
                raise self.bad_response(f"{path} answered records of another shape: {exc}"
                                        ) from None
            except ValueError:
                raise self.bad_response(f"{path} answered invalid JSON") from None
            return (parsed, response.content) if keep_body else parsed
        if status == 429:
            after = retry_after(response)
            if after:
                self._resume_at = max(self._resume_at, time.monotonic() + after)
            raise Transient("rate limited (429)", "rate_limited", after)
        if status in RETRY_STATUSES:
            raise Transient(f"server error ({status})", "server_error", retry_after(response))
        raise self.refused(path, status)
