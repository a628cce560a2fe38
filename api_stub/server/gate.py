"""The first thing a new connection meets: admitted within the caps (then handed to the HTTP
protocol), or refused at once with a 503 before anything else is spent on it.

A flood of connections is paid for connection by connection in the one event loop that
also serves everyone else, so refusing is kept as cheap as it can be: no HTTP parser, no
per-connection timer, a response prepared in advance (bench/connections.py measures it).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, ClassVar

from api_stub import refusals
from api_stub.server.limits import LINGER_SECONDS, ConnectionLimits

# connections a sweep closes at most before letting the event loop serve others: a flood's
# thousands, due at once, would otherwise be closed in one stretch of the loop
SWEEP_BATCH = 100


class Lingering:
    """Connections answered and half closed, closed whole after LINGER_SECONDS (or sooner
    by their clients): one timer for all of them, not one each."""

    def __init__(self) -> None:
        self._due: deque[tuple[float, asyncio.BaseTransport]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def answer_and_close(self, transport: asyncio.Transport, response: bytes) -> None:
        """Write `response`, half close, and drop what the client still sends until it
        closes too or LINGER_SECONDS pass (closing with unread input makes the kernel
        send a reset, which can destroy the answer on its way)."""
        if transport.is_closing():
            return
        if response:
            transport.write(response)
        if not transport.can_write_eof():  # pragma: no cover - TLS cannot half close
            transport.close()
            return
        transport.write_eof()
        self._due.append((time.monotonic() + LINGER_SECONDS, transport))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(LINGER_SECONDS, self._sweep)

    def _sweep(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        for _ in range(SWEEP_BATCH):
            if not self._due or self._due[0][0] > now:
                break
            _, transport = self._due.popleft()
            if not transport.is_closing():
                transport.close()
        else:  # more are due: after what else is ready, not in one long stretch
            self._timer = loop.call_later(0, self._sweep)
            return
        if self._due:
            self._timer = loop.call_later(self._due[0][0] - now, self._sweep)


class Gate(asyncio.Protocol):
    """A new connection's first protocol; `limits`, `lingering` and `protocol_class` are
    set on a subclass per server (api_stub/server/protocol.py, `bound`)."""

    limits: ClassVar[ConnectionLimits]
    lingering: ClassVar[Lingering]
    # the HTTP protocol an admitted connection is handed to, called as uvicorn calls it
    protocol_class: ClassVar[Any]

    __slots__ = ("_kwargs",)

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs  # uvicorn's config, server_state, app_state

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # (uvloop's transports are not asyncio.Transport's subclasses, only alike)
        peer = transport.get_extra_info("peername")
        host = str(peer[0]) if isinstance(peer, tuple | list) and peer else None
        refused = self.limits.admit(host)
        if refused is None:
            protocol = self.protocol_class(**self._kwargs)
            protocol.admitted_host = host
            transport.set_protocol(protocol)
            protocol.connection_made(transport)
            return
        refusals.count(refusals.CONNECTION, refused)
        self.lingering.answer_and_close(transport, self.limits.refusal(refused))

    def data_received(self, data: bytes) -> None:
        pass  # a refused connection's request: dropped while it lingers

    def eof_received(self) -> bool:
        return False  # the client closed too: close now
