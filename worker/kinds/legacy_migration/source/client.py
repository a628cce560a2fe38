"""An httpx client of the legacy v1 API (spec/legacy-v1.md).

Transient faults (429, 5xx, timeouts, dropped connections) are retried with exponential
backoff and full jitter, honouring Retry-After; 401 and 404 are final. JSON numbers are
parsed as Decimal: money never passes through a float (a page asked for with `exact`
False keeps only what step 1's scan reads of each record: no number).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import http.cookiejar
import ssl
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import msgspec
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from worker.backoff import backoff_seconds
from worker.kinds.legacy_migration.source.errors import (
    LegacyAuthFailed,
    LegacyBadResponse,
    LegacyNotFound,
    LegacyTokenExpired,
    LegacyUnavailable,
)

_RETRY_STATUSES = {429, 500, 502, 503, 504}

# Called before each wait: (reason, its label, seconds to wait, retry number). The label
# is one of metrics.RETRY_LABELS: what the metrics count, the reason's words are for people.
RetryHook = Callable[[str, str, float, int], Awaitable[None]]


class _Transient(Exception):
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


@dataclass(frozen=True)
class LoginResult:
    token: str
    user_id: str


class ScannedRecord(msgspec.Struct):
    """What step 1's scan reads of a record: text only (a type and a currency)."""

    id: Any = None
    type: Any = None
    currencyId: Any = None


# msgspec: the exact parse about twice as fast as the standard library's with
# parse_float=Decimal (same values: a number with a fraction or an exponent becomes the
# Decimal of its text, an integer of any size an int); the scan's four times as fast as a
# full parse, skipping every field it does not read.
_EXACT = msgspec.json.Decoder(float_hook=Decimal)
_SCAN = msgspec.json.Decoder(list[ScannedRecord] | dict[str, Any])


def parse_json_scan(content: bytes) -> Any:
    """A page of records with only their id, type and currencyId (an object as it is).
    Only for a caller that reads nothing else of them."""
    parsed = _SCAN.decode(content)
    if isinstance(parsed, dict):
        return parsed
    return [{"id": r.id, "type": r.type, "currencyId": r.currencyId} for r in parsed]


def parse_json(content: bytes) -> Any:
    """JSON with every non-integer number as an exact Decimal."""
    return _EXACT.decode(content)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


@functools.cache
def _tls_context() -> ssl.SSLContext:
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
        # request carries its own token
        no_cookies = http.cookiejar.CookieJar(
            policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        client = clients[key] = httpx.AsyncClient(base_url=base_url, timeout=timeout,
                                                  verify=_tls_context(), cookies=no_cookies)
    return client


class LegacyClient:
    """One legacy API conversation; `token` is sent on every call once set."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        policy: RetryPolicy | None = None,
        on_retry: RetryHook | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        read_ahead: int = 3,
    ) -> None:
        # a transport of the caller's own (tests) gets a client of its own, closed with
        # this conversation; otherwise the process's shared client, which stays open
        self._own_http = transport is not None
        self._http = (httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout,
                                        transport=transport, verify=_tls_context())
                      if self._own_http else _shared_http(base_url.rstrip("/"), timeout))
        self._token = token
        self.policy = policy or RetryPolicy()
        self.on_retry = on_retry
        self.read_ahead = max(1, read_ahead)
        # a 429's Retry-After holds every request of this conversation, not only the one
        # that was refused: concurrent page reads must not keep the API busy meanwhile
        self._resume_at = 0.0

    async def __aenter__(self) -> LegacyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """End the conversation (the shared client stays open for the next)."""
        if self._own_http:
            await self._http.aclose()

    async def _request(self, method: str, path: str, *, keep_body: bool = False,
                       exact: bool = True, **kwargs: Any) -> Any:
        """The parsed body, or with `keep_body` (parsed body, the body's bytes); `exact`
        False keeps only what step 1's scan reads (parse_json_scan)."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send(method, path, keep_body, exact, **kwargs)
        except _Transient as exc:
            raise LegacyUnavailable(
                f"the legacy API is not answering: {exc.reason}, "
                f"still after {self.policy.max_retries} retries"
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after if isinstance(exc, _Transient) else None
        return self.policy.backoff(state.attempt_number, retry_after)

    async def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if self.on_retry is not None and isinstance(exc, _Transient) and state.next_action:
            await self.on_retry(exc.reason, exc.label, state.next_action.sleep,
                                state.attempt_number)

    async def _send(self, method: str, path: str, keep_body: bool, exact: bool,
                    **kwargs: Any) -> Any:
        """One HTTP exchange: the parsed body (and its bytes), a final LegacyError, or
        _Transient."""
        headers = {"Authorization": self._token} if self._token else {}
        wait = self._resume_at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            response = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise _Transient("timed out", "timeout") from None
        except httpx.TransportError as exc:
            raise _Transient(f"connection failed ({type(exc).__name__})", "connection"
                             ) from None
        status = response.status_code
        if status < 300:
            try:
                parsed = (parse_json if exact else parse_json_scan)(response.content)
            except msgspec.ValidationError as exc:  # the scan's records are objects
                raise LegacyBadResponse(f"{path} answered records of another shape: {exc}"
                                        ) from None
            except ValueError:
                raise LegacyBadResponse(f"{path} answered invalid JSON") from None
            return (parsed, response.content) if keep_body else parsed
        if status == 401:
            if path.endswith("/login"):
                raise LegacyAuthFailed("the legacy email or password is wrong")
            raise LegacyTokenExpired("the legacy session has expired")
        if status == 404:
            raise LegacyNotFound(f"{path} was not found in the legacy account")
        if status == 429:
            retry_after = _retry_after(response)
            if retry_after:
                self._resume_at = max(self._resume_at, time.monotonic() + retry_after)
            raise _Transient("rate limited (429)", "rate_limited", retry_after)
        if status in _RETRY_STATUSES:
            raise _Transient(f"server error ({status})", "server_error",
                             _retry_after(response))
        raise LegacyBadResponse(f"{path} answered HTTP {status}")

    async def login(self, email: str, password: str) -> LoginResult:
        """Log in; sets this client's token. LegacyAuthFailed on wrong credentials."""
        body = await self._request(
            "POST", "/v1/Accounts/login", json={"email": email, "password": password}
        )
        try:
            result = LoginResult(token=str(body["id"]), user_id=str(body["userId"]))
        except (KeyError, TypeError):
            raise LegacyBadResponse("the legacy login answer has no id/userId") from None
        self._token = result.token
        return result

    async def organizations(self, user_id: str) -> list[dict[str, Any]]:
        body = await self._request("GET", f"/v1/Accounts/{user_id}/organizations")
        if not isinstance(body, list):
            raise LegacyBadResponse("the organisations list is not a list")
        return body

    async def organization(self, org_id: str) -> dict[str, Any]:
        body = await self._request("GET", f"/v1/Organizations/{org_id}")
        if not isinstance(body, dict):
            raise LegacyBadResponse("the organisation is not an object")
        return body

    async def count(self, org_id: str, resource: str) -> int:
        body = await self._request("GET", f"/v1/Organizations/{org_id}/{resource}/count")
        try:
            return int(body["count"])
        except (KeyError, TypeError, ValueError):
            raise LegacyBadResponse(f"{resource}/count answered no count") from None

    async def page(self, org_id: str, resource: str, skip: int, limit: int) -> list[Any]:
        return (await self._page(org_id, resource, skip, limit))[0]

    async def _page(self, org_id: str, resource: str, skip: int, limit: int,
                    exact: bool = True) -> tuple[list[Any], bytes]:
        body, content = await self._request(
            "GET",
            f"/v1/Organizations/{org_id}/{resource}",
            params={"filter[skip]": skip, "filter[limit]": limit},
            keep_body=True,
            exact=exact,
        )
        if not isinstance(body, list):
            raise LegacyBadResponse(f"{resource} page is not a list")
        return body, content

    async def pages(
        self, org_id: str, resource: str, *, start: int = 0, page_size: int = 1000
    ) -> AsyncIterator[tuple[int, list[Any]]]:
        """(skip, records) page by page from `start`, in order, while the next
        `read_ahead` pages are fetched concurrently (at most that many more pages in
        memory): a remote API's latency is paid once per `read_ahead` pages, not per page.
        The pages are read-only; whoever consumes them keeps its checkpoints in order."""
        async with contextlib.aclosing(self.pages_with_bodies(
                org_id, resource, start=start, page_size=page_size)) as pages:
            async for skip, rows, _ in pages:
                yield skip, rows

    async def pages_with_bodies(
        self, org_id: str, resource: str, *, start: int = 0, page_size: int = 1000,
        exact: bool = True,
    ) -> AsyncGenerator[tuple[int, list[Any], bytes], None]:
        """pages(), each with its body as the API sent it (to keep and read again). With
        `exact` False the records hold only their id, type and currencyId, four times as
        fast to parse: for step 1's scan (the body keeps everything, exactly)."""
        ahead: collections.deque[
            tuple[int, asyncio.Future[tuple[list[Any], bytes]]]] = collections.deque()
        following = start
        # one page first, then twice as many ahead after each page up to read_ahead (a
        # small resource asks for nothing past its end, and the first page is staged as
        # early as before)
        window = 1

        def fetch_more() -> None:
            nonlocal following
            while len(ahead) < window:
                ahead.append((following, asyncio.ensure_future(
                    self._page(org_id, resource, following, page_size, exact))))
                following += page_size

        try:
            fetch_more()
            while ahead:
                skip, pending = ahead.popleft()
                rows, content = await pending
                if not rows:
                    return
                if len(rows) == page_size:
                    window = min(window * 2, self.read_ahead)
                    fetch_more()
                else:  # the last page: what was asked for beyond it is empty
                    await _cancel(ahead)
                yield skip, rows, content
        finally:
            await _cancel(ahead)


async def _cancel(ahead: collections.deque[tuple[int, asyncio.Future[Any]]]) -> None:
    """Stop the page reads still in flight, and forget them."""
    for _, pending in ahead:
        pending.cancel()
    await asyncio.gather(*(p for _, p in ahead), return_exceptions=True)
    ahead.clear()
