"""An httpx client of the legacy v1 API (spec/legacy-v1.md): its endpoints and its errors'
words on the shared retrying JSON client (worker/sources/http.py: transient faults retried
with backoff, Retry-After honoured; 401 and 404 are final here). A page asked for with
`exact` False keeps only what step 1's scan reads of each record: no number.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from worker.kinds.legacy_migration.source.errors import (
    LegacyAuthFailed,
    LegacyBadResponse,
    LegacyNotFound,
    LegacyTokenExpired,
    LegacyUnavailable,
)
from worker.sources.http import RetryHook, RetryingJsonClient, RetryPolicy, parse_json
from worker.sources.pages import pages_read_ahead

__all__ = ["LegacyClient", "LoginResult", "parse_json_scan"]


@dataclass(frozen=True)
class LoginResult:
    token: str
    user_id: str


class ScannedRecord(msgspec.Struct):
    """What step 1's scan reads of a record: text only (a type and a currency)."""

    id: Any = None
    type: Any = None
    currencyId: Any = None


# the scan's parse is four times as fast as a full one, skipping every field it does not read
_SCAN = msgspec.json.Decoder(list[ScannedRecord] | dict[str, Any])


def parse_json_scan(content: bytes) -> Any:
    """A page of records with only their id, type and currencyId (an object as it is).
    Only for a caller that reads nothing else of them."""
    parsed = _SCAN.decode(content)
    if isinstance(parsed, dict):
        return parsed
    return [{"id": r.id, "type": r.type, "currencyId": r.currencyId} for r in parsed]


class LegacyClient(RetryingJsonClient):
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
        super().__init__(base_url, timeout=timeout, policy=policy, on_retry=on_retry,
                         transport=transport)
        self._token = token
        self.read_ahead = max(1, read_ahead)

    async def __aenter__(self) -> LegacyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def headers(self) -> dict[str, str]:
        return {"Authorization": self._token} if self._token else {}

    def refused(self, path: str, status: int) -> Exception:
        if status == 401:
            if path.endswith("/login"):
                return LegacyAuthFailed("the legacy email or password is wrong")
            return LegacyTokenExpired("the legacy session has expired")
        if status == 404:
            return LegacyNotFound(f"{path} was not found in the legacy account")
        return LegacyBadResponse(f"{path} answered HTTP {status}")

    def unavailable(self, reason: str) -> Exception:
        return LegacyUnavailable(f"the legacy API is not answering: {reason}, "
                                 f"still after {self.policy.max_retries} retries")

    def bad_response(self, problem: str) -> Exception:
        return LegacyBadResponse(problem)

    async def _request(self, method: str, path: str, *, keep_body: bool = False,
                       exact: bool = True, **kwargs: Any) -> Any:
        """The parsed body, or with `keep_body` (parsed body, the body's bytes); `exact`
        False keeps only what step 1's scan reads (parse_json_scan)."""
        return await self.request(method, path, keep_body=keep_body,
                                  parse=parse_json if exact else parse_json_scan, **kwargs)

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
        async with contextlib.aclosing(pages_read_ahead(
                lambda skip: self._page(org_id, resource, skip, page_size, exact),
                start=start, page_size=page_size, ahead=self.read_ahead)) as pages:
            async for page in pages:
                yield page
