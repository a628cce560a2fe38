"""The operators' API over HTTP: one request, its JSON, or a `CliError` saying what went
wrong and how to fix it. The CLI never talks to Postgres or Redis itself."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from api_stub.ops_cli.defaults import KEY_HELP
from api_stub.ops_cli.exits import CliError, ExitCode

READ_TIMEOUT_SECONDS = 10.0
# a bulk action acts on up to 1,000 jobs, one by one, before it answers
ACTION_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Reply:
    """An answer of the API: its body as sent, and parsed."""

    text: str
    data: Any


class OpsClient:
    """A client of /ops at `url` with an operator key."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url.rstrip("/")
        try:
            self.http = httpx.Client(base_url=self.url, timeout=READ_TIMEOUT_SECONDS,
                                     headers={"Authorization": f"Bearer {key}"})
        except (httpx.InvalidURL, ValueError) as exc:
            raise CliError(ExitCode.USAGE, f"invalid --url {url!r} ({exc}); give one like "
                                           "http://127.0.0.1:8000.") from None

    def __enter__(self) -> OpsClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.http.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Reply:
        """GET `path`; parameters that are None are left out."""
        given = {k: v for k, v in (params or {}).items() if v is not None}
        return self._send("GET", path, params=given, timeout=READ_TIMEOUT_SECONDS)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Reply:
        """POST `path`, with a JSON body when one is given."""
        return self._send("POST", path, json=body, timeout=ACTION_TIMEOUT_SECONDS)

    def _send(self, method: str, path: str, *, timeout: float, **kwargs: Any) -> Reply:
        try:
            response = self.http.request(method, path, timeout=timeout, **kwargs)
        except httpx.UnsupportedProtocol:
            raise CliError(ExitCode.USAGE, f"invalid --url {self.url!r}: it needs http:// "
                           "or https://, e.g. http://127.0.0.1:8000.") from None
        except httpx.TimeoutException:
            raise CliError(ExitCode.UNREACHABLE, f"the API at {self.url} did not answer "
                           f"{method} {path} within {timeout:g} s; check that the web "
                           "process is up and not overloaded.") from None
        except httpx.TransportError as exc:
            raise CliError(ExitCode.UNREACHABLE, f"cannot reach the API at {self.url} "
                           f"({type(exc).__name__}: {exc}); start the web process (python "
                           "-m api_stub serve) or pass --url / set API_URL.") from None
        return self._reply(method, path, response)

    def _reply(self, method: str, path: str, response: httpx.Response) -> Reply:
        try:
            data = response.json()
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if response.is_success and data is not None:
            return Reply(response.text, data)
        if not isinstance(error, dict) or "code" not in error:
            raise CliError(ExitCode.API_ERROR, f"{method} {self.url}{path} answered HTTP "
                           f"{response.status_code} without this service's JSON; check "
                           "--url (it must be the migration service's web API).")
        code, message = str(error["code"]), str(error.get("message", ""))
        if response.status_code in (401, 403):
            raise CliError(ExitCode.AUTH_REFUSED, f"the API refused the key ({code}: "
                           f"{message}); {KEY_HELP}.")
        raise CliError(ExitCode.API_ERROR, f"{method} {path}: HTTP {response.status_code} "
                       f"{code}: {message}")
