"""Hostile connections against real web processes over real sockets (security.md,
"Connections and requests"; api_stub/server): headers or a body sent slowly are cut, idle
connections closed, and connections beyond the caps per client address and per process
refused at once with a 503 while others are served; every refusal counted in /metrics.

Each web process here has low limits of its own. A second client address is another
loopback address (127.0.0.2 …) bound as the client socket's source.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.api import Api
from harness.processes import (
    Proc,
    create_key,
    exit_code,
    free_port,
    python_module,
    wait_http,
)
from harness.waits import eventually
from legacy_sim.orgs import ORGS, SMALL

Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# long enough for a loaded machine, far shorter than the capped processes' header timeout:
# an answer within it is an answer "at once", not after a timeout
WAIT = 30.0
HALF_A_HEADER = b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Half: "

# refusals this module has caused so far, by reason: /metrics must come to show exactly these
# (all of them the web tier's, in this run's Redis database)
caused: Counter[str] = Counter()


def start_web(name: str, env: dict[str, str], logs_dir: Path) -> Iterator[str]:
    port = free_port()
    proc = Proc(name, python_module("api_stub", "serve"), {**env, "PORT": str(port)},
                logs_dir / f"{name}.log").start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", proc=proc)
        yield url
    finally:
        proc.terminate()


@pytest.fixture(scope="module")
def strict_web(service_env: dict[str, str], logs_dir: Path) -> Iterator[str]:
    """Short timeouts, the suite's generous caps."""
    yield from start_web("web-strict", {
        **service_env, "HTTP_HEADER_TIMEOUT_SECONDS": "1", "HTTP_KEEPALIVE_SECONDS": "1",
        "HTTP_BODY_GRACE_SECONDS": "2", "HTTP_BODY_MIN_BYTES_PER_SECOND": "8192"}, logs_dir)


@pytest.fixture(scope="module")
def capped_web(service_env: dict[str, str], logs_dir: Path) -> Iterator[str]:
    """Five connections per address; timeouts far longer than any wait here."""
    yield from start_web("web-capped", {
        **service_env, "HTTP_HEADER_TIMEOUT_SECONDS": "120",
        "HTTP_MAX_CONNECTIONS_PER_ADDRESS": "5"}, logs_dir)


@pytest.fixture(scope="module")
def proxied_web(service_env: dict[str, str], logs_dir: Path) -> Iterator[str]:
    """Six connections in all, three per address, except from the proxy 127.0.0.4."""
    yield from start_web("web-proxied", {
        **service_env, "HTTP_HEADER_TIMEOUT_SECONDS": "120", "HTTP_MAX_CONNECTIONS": "6",
        "HTTP_MAX_CONNECTIONS_PER_ADDRESS": "3", "FORWARDED_ALLOW_IPS": "127.0.0.4"}, logs_dir)


# --- raw connections ---

async def connect(url: str, source: str = "127.0.0.1") -> Conn:
    parts = urlsplit(url)
    return await asyncio.open_connection(parts.hostname, parts.port, local_addr=(source, 0))


@contextlib.asynccontextmanager
async def held(url: str, n: int, source: str) -> AsyncIterator[list[Conn]]:
    """`n` connections from `source`, each having sent half a request header."""
    conns = [await connect(url, source) for _ in range(n)]
    for _, writer in conns:
        writer.write(HALF_A_HEADER)
        await writer.drain()
    try:
        yield conns
    finally:
        for _, writer in conns:
            writer.close()


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (within WAIT)."""
    try:
        return await asyncio.wait_for(reader.read(), WAIT)
    except TimeoutError:
        raise AssertionError(f"the server did not close the connection within {WAIT} s"
                             ) from None


async def response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One whole response: status, headers (lower-case names), body (by Content-Length)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip()
               for name, _, value in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), WAIT)
    return int(lines[0].split()[1]), headers, body


def error_code(body: bytes) -> str:
    return str(orjson.loads(body)["error"]["code"])


async def dripping(writer: asyncio.StreamWriter, chunk: bytes, every: float) -> None:
    """Send `chunk` every `every` seconds until cancelled or the server closes."""
    with contextlib.suppress(ConnectionError):
        while not writer.is_closing():
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def drip(writer: asyncio.StreamWriter, chunk: bytes, every: float
               ) -> AsyncIterator[None]:
    task = asyncio.create_task(dripping(writer, chunk, every))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        writer.close()


async def get_healthz(url: str, source: str = "127.0.0.1") -> int:
    """GET /healthz on a new connection from `source`; its status."""
    reader, writer = await connect(url, source)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        await writer.drain()
        status, _, _ = await response(reader)
        return status
    finally:
        writer.close()


# --- /metrics ---

async def connection_refusals(url: str) -> dict[str, float]:
    async with httpx.AsyncClient(timeout=10) as http:
        text = (await http.get(f"{url}/metrics")).text
    return {sample.labels["reason"]: sample.value
            for family in text_string_to_metric_families(text)
            if family.name == "migration_web_refusals"
            for sample in family.samples
            if sample.name == "migration_web_refusals_total"
            and sample.labels.get("what") == "connection"}


async def refusals_shown(url: str, *exact: str, at_least: tuple[str, ...] = ()) -> None:
    """Wait until /metrics shows the refusals `caused` so far: exactly, for the reasons in
    `exact`; at least, for those in `at_least` (a poll for a connection being served again
    may itself be refused)."""
    async def shown() -> bool:
        seen = await connection_refusals(url)
        return (all(seen.get(reason, 0) == caused[reason] for reason in exact)
                and all(seen.get(reason, 0) >= caused[reason] for reason in at_least))

    try:
        await eventually(shown, f"refusals {dict(caused)} in /metrics", timeout=WAIT)
    except TimeoutError:
        raise AssertionError(f"/metrics shows {await connection_refusals(url)}, "
                             f"expected {dict(caused)}") from None


# --- timeouts ---

async def test_a_connection_that_sends_nothing_is_closed(strict_web: str) -> None:
    reader, writer = await connect(strict_web)
    try:
        assert await until_closed(reader) == b""  # nothing of a request: no answer either
    finally:
        writer.close()
    caused["header_timeout"] += 1
    await refusals_shown(strict_web, "header_timeout")


async def test_headers_sent_slowly_are_cut_with_408(strict_web: str) -> None:
    reader, writer = await connect(strict_web)
    writer.write(HALF_A_HEADER)
    # a byte of header every 0.1 s would keep a connection forever on a per-read timeout
    async with drip(writer, b"x", 0.1):
        answer = await until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"connection: close" in answer.lower()
    assert error_code(answer.split(b"\r\n\r\n", 1)[1]) == "REQUEST_TIMEOUT"
    caused["header_timeout"] += 1
    await refusals_shown(strict_web, "header_timeout")


async def test_a_kept_alive_connection_serves_requests_then_closes_when_idle(
        strict_web: str) -> None:
    reader, writer = await connect(strict_web)
    try:
        for _ in range(2):  # kept alive between requests
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            await writer.drain()
            status, headers, _ = await response(reader)
            assert status == 200
            assert headers.get("connection") != "close"
        assert await until_closed(reader) == b""
    finally:
        writer.close()
    await refusals_shown(strict_web, "header_timeout")  # an idle close is not a refusal


async def test_line_breaks_between_requests_do_not_keep_a_connection(strict_web: str) -> None:
    """A lone CRLF starts no request (the parser skips it) but ends the keep-alive timer:
    the header deadline must take over."""
    reader, writer = await connect(strict_web)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    status, _, _ = await response(reader)
    assert status == 200
    async with drip(writer, b"\r\n", 0.1):
        assert await until_closed(reader) == b""
    caused["header_timeout"] += 1
    await refusals_shown(strict_web, "header_timeout")


async def test_headers_too_large_are_refused_with_431(strict_web: str) -> None:
    reader, writer = await connect(strict_web)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: " + b"a" * 100_000)
        with contextlib.suppress(ConnectionError):  # the server may stop reading first
            await writer.drain()
        answer = await until_closed(reader)
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert error_code(answer.split(b"\r\n\r\n", 1)[1]) == "HEADERS_TOO_LARGE"
    caused["header_too_large"] += 1
    await refusals_shown(strict_web, "header_too_large")


def post_head(length: int) -> bytes:
    return (b"POST /legacy-migration/jobs HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % length)


async def test_a_body_sent_slowly_is_cut_with_408(strict_web: str) -> None:
    reader, writer = await connect(strict_web)
    writer.write(post_head(100_000) + b"{")
    async with drip(writer, b" " * 16, 0.1):  # 160 bytes a second, 8192 required
        answer = await until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert error_code(answer.split(b"\r\n\r\n", 1)[1]) == "REQUEST_TIMEOUT"
    caused["body_too_slow"] += 1
    await refusals_shown(strict_web, "body_too_slow", "header_timeout")


async def test_a_body_sent_at_a_fair_rate_is_read_whole(strict_web: str) -> None:
    """Longer than the grace period, at ten times the minimum rate: answered by the app."""
    chunk, chunks = 8192, 40  # 320 kB at about 80 kB/s: 4 s
    reader, writer = await connect(strict_web)
    try:
        writer.write(post_head(chunk * chunks + 2) + b"{")
        for _ in range(chunks):
            writer.write(b" " * chunk)
            await writer.drain()
            await asyncio.sleep(0.1)
        writer.write(b"}")
        status, _, body = await response(reader)
    finally:
        writer.close()
    # the app's own answer (no API key) to a body it read whole
    assert status == 401, body
    await refusals_shown(strict_web, "body_too_slow")


# --- caps ---

async def test_connections_beyond_the_per_address_cap_are_refused_at_once(
        capped_web: str) -> None:
    async with held(capped_web, 5, "127.0.0.2") as conns:
        reader, writer = await connect(capped_web, "127.0.0.2")
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            status, headers, body = await response(reader)
            assert await until_closed(reader) == b""
        finally:
            writer.close()
        assert status == 503, body
        assert headers["connection"] == "close"
        assert headers["retry-after"] == "1"
        assert error_code(body) == "TOO_MANY_CONNECTIONS"
        assert "5 connections" in orjson.loads(body)["error"]["message"]
        caused["per_address"] += 1
        # another address is served meanwhile, and the held ones are still open
        assert await get_healthz(capped_web, "127.0.0.1") == 200
        for reader, _ in conns:
            assert not reader.at_eof()
        # one closed: that address gets a connection again
        conns[0][1].close()

        async def served_again() -> bool:
            return await get_healthz(capped_web, "127.0.0.2") == 200

        await eventually(served_again, "127.0.0.2 served once one of its five closed",
                         timeout=WAIT)
    await refusals_shown(capped_web, at_least=("per_address",))


async def test_upgrade_requests_give_their_slots_back(capped_web: str) -> None:
    """An upgrade (WebSocket) request is answered as plain HTTP: no protocol takes the
    connection over with its slot still counted."""
    for _ in range(6):  # more than the cap of 5, one after the other
        reader, writer = await connect(capped_web, "127.0.0.6")
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\n"
                     b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        status, _, _ = await response(reader)
        writer.close()
        assert status == 200

    async def fifth_served() -> bool:  # four held, and a fifth request: within the cap
        async with held(capped_web, 4, "127.0.0.6"):
            return await get_healthz(capped_web, "127.0.0.6") == 200

    await eventually(fifth_served, "the fifth connection from 127.0.0.6 served",
                     timeout=WAIT)


async def test_a_proxy_in_front_is_capped_per_process_only(proxied_web: str) -> None:
    async with held(proxied_web, 5, "127.0.0.4"):
        # the proxy's sixth connection: beyond the per-address cap (3), within the
        # process's (6)
        assert await get_healthz(proxied_web, "127.0.0.4") == 200
        async with held(proxied_web, 1, "127.0.0.4"):
            # now six are open: anyone's next one is refused
            reader, writer = await connect(proxied_web, "127.0.0.5")
            try:
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                status, _, body = await response(reader)
            finally:
                writer.close()
            assert status == 503, body
            assert error_code(body) == "TOO_MANY_CONNECTIONS"
            caused["per_process"] += 1
    # all closed: served again
    async def served_again() -> bool:
        return await get_healthz(proxied_web, "127.0.0.5") == 200

    await eventually(served_again, "served once the held connections closed", timeout=WAIT)
    await refusals_shown(proxied_web, at_least=("per_process", "per_address"))


async def test_a_refused_flood_does_not_stop_the_server_answering(capped_web: str) -> None:
    """200 connections from one address beyond its cap of 5: each refused and closed, while
    another address is served throughout."""
    async with held(capped_web, 5, "127.0.0.3"):
        flood = [await connect(capped_web, "127.0.0.3") for _ in range(200)]
        try:
            assert await get_healthz(capped_web, "127.0.0.1") == 200
            answers = await asyncio.gather(*(until_closed(reader) for reader, _ in flood))
        finally:
            for _, writer in flood:
                writer.close()
    assert all(answer.startswith(b"HTTP/1.1 503 ") for answer in answers)
    caused["per_address"] += 200
    await refusals_shown(capped_web, at_least=("per_address",))


# --- shutdown ---

async def test_sigterm_ends_open_event_streams_after_their_grace(
        service_env: dict[str, str], logs_dir: Path) -> None:
    """The server keeps uvicorn's graceful shutdown with a deadline: the stream of a job that
    never moves (no worker here) is ended, and the process exits."""
    port = free_port()
    proc = Proc("web-shutdown", python_module("api_stub", "serve"),
                {**service_env, "PORT": str(port)}, logs_dir / "web-shutdown.log").start()
    url = f"http://127.0.0.1:{port}"
    api = Api(url, create_key(service_env, "acc_conn_shutdown"))
    try:
        wait_http(url + "/healthz", proc=proc)
        job = await api.start(ORGS[SMALL].id)
        async with api.http.stream("GET", f"/legacy-migration/jobs/{job['id']}/events",
                                   timeout=WAIT) as stream:
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            assert await anext(lines)  # the stream is open
            proc.signal(signal.SIGTERM)
            with contextlib.suppress(httpx.RemoteProtocolError):  # cut mid-stream
                async for _ in lines:
                    pass
        # uvicorn raises the signal it caught again once it has shut down
        assert await exit_code(proc, WAIT) in (0, -signal.SIGTERM)
    finally:
        await api.aclose()
        if proc.alive():
            proc.kill()
