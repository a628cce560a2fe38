"""uvicorn's httptools protocol with what it lacks against hostile clients: a deadline for a
request's headers, a minimum rate for its body, a size cap on headers, and caps on open
connections per process and per client address (refused at once, with a 503).

uvicorn already closes an idle kept-alive connection (`timeout_keep_alive`); everything else
here is added around its parser callbacks. It relies on uvicorn's internals (the callbacks,
`cycle`, `flow`), so pyproject.toml pins uvicorn to the minor version these were read from;
tests/integration/test_connections.py fails if they change.

Timers are per connection and only run while the connection waits for the client:
- the header timer from the connection's opening, and on a kept-alive connection from the
  first byte of its next request, until that request's headers are complete;
- the body timer from the end of the headers until the body is complete, counting only the
  time the server is reading (not while uvicorn has paused reading because the app has not
  taken what it has, nor while a client waits for `100 Continue`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api_stub import refusals
from api_stub.server.limits import (
    LINGER_SECONDS,
    MAX_HEADER_BYTES,
    ConnectionLimits,
    error_response,
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One connection; `limits` is set on a subclass per server (see `bound`)."""

    limits: ClassVar[ConnectionLimits]

    # attributes set before super().__init__ can call back into them
    _admitted = False
    _refused = False
    _in_headers = False
    _header_bytes = 0
    _header_timer: asyncio.TimerHandle | None = None
    _linger_timer: asyncio.TimerHandle | None = None
    _body_expected = False
    _body_timer: asyncio.TimerHandle | None = None
    _body_tick_bytes = 0
    _body_window: deque[int] | None = None

    # --- opening and closing ---

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else None
        refused = self.limits.admit(host)
        if refused is None:
            self._admitted = True
            self._arm_header_timer()
            return
        # never among the server's connections: a flood of refusals must not hold up a
        # graceful shutdown, and they close within LINGER_SECONDS anyway
        self.connections.discard(self)
        refusals.count(refusals.CONNECTION, refused)
        if refused == "per_address":
            message = (f"This client address already has {self.limits.max_per_address} "
                       "connections open to this server: reuse them (keep-alive) or close "
                       "some, then try again.")
        else:
            message = ("This server has as many connections open as it takes; try again in "
                       "a moment.")
        self._refuse(error_response(503, "Service Unavailable", "TOO_MANY_CONNECTIONS",
                                    message, retry_after=1))

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in (self._header_timer, self._body_timer, self._linger_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = self._linger_timer = None
        self._body_expected = False
        if self._admitted:
            self._admitted = False
            self.limits.release(self.client[0] if self.client else None)
        super().connection_lost(exc)

    def _refuse(self, response: bytes) -> None:
        """Answer `response`, half close, and drop what the client still sends until it
        closes too or LINGER_SECONDS pass."""
        self._refused = True
        self._in_headers = self._body_expected = False
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None
        if self.cycle is not None:
            # a request being served writes nothing more (uvicorn drops a disconnected
            # cycle's output), and its app sees the client gone
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        transport = self.transport
        if transport.is_closing():
            return
        if response:
            transport.write(response)
        if transport.can_write_eof():
            transport.write_eof()
            self._linger_timer = self.loop.call_later(LINGER_SECONDS, transport.close)
        else:  # pragma: no cover - TLS transports cannot half close
            transport.close()

    def _close_silently(self) -> None:
        self._refuse(b"")

    # --- bytes in ---

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # lingering: read and dropped
        super().data_received(data)
        if self._refused or self.transport.is_closing():
            return
        if self._in_headers:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                refusals.count(refusals.CONNECTION, "header_too_large")
                self._refuse(error_response(
                    431, "Request Header Fields Too Large", "HEADERS_TOO_LARGE",
                    f"The request's headers are larger than {MAX_HEADER_BYTES} bytes."))
                return
        if self._header_timer is None and self._idle():
            # bytes between requests (even a lone CRLF, which starts no request) end
            # uvicorn's keep-alive timer: the header deadline takes over
            self._arm_header_timer()
        if self._body_expected and self._body_timer is None:
            self._arm_body_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().on_headers_complete()
        self._body_expected = True
        self._body_tick_bytes = 0
        self._body_window = deque(maxlen=self.limits.body_ticks)

    def on_body(self, body: bytes) -> None:
        # counted even after the app has answered without reading it: the client is still
        # holding the connection with it
        self._body_tick_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._body_expected = False
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._in_headers and self._header_timer is None and self._idle():
            # a pipelined request began while this one was served: its deadline starts now
            self._arm_header_timer()

    # --- the header deadline ---

    def _idle(self) -> bool:
        """Is no request being served on this connection (so the client is the one to
        act)?"""
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if not self.transport.is_closing():
            self._header_timer = self.loop.call_later(self.limits.header_timeout,
                                                      self._header_timed_out)

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self._refused or self.transport.is_closing() or not self._idle():
            return
        refusals.count(refusals.CONNECTION, "header_timeout")
        if not self._in_headers:
            # nothing of a request: a preconnecting browser as much as an attacker, and
            # neither needs an answer
            self._close_silently()
            return
        self._refuse(error_response(
            408, "Request Timeout", "REQUEST_TIMEOUT",
            f"The request's headers did not arrive within {self.limits.header_timeout:g} "
            "seconds."))

    # --- the body's rate ---

    def _arm_body_timer(self) -> None:
        if self.limits.body_min_bytes_per_second > 0 and not self.transport.is_closing():
            self._body_timer = self.loop.call_later(self.limits.body_tick_seconds,
                                                    self._body_tick)

    def _body_tick(self) -> None:
        self._body_timer = None
        if not self._body_expected or self._refused or self.transport.is_closing():
            return
        waiting_for_us = self.flow.read_paused or (
            self.cycle is not None and self.cycle.waiting_for_100_continue)
        window = self._body_window
        if not waiting_for_us and window is not None:
            window.append(self._body_tick_bytes)
            self._body_tick_bytes = 0
            if (len(window) == window.maxlen
                    and sum(window) < self.limits.body_bytes_per_window):
                refusals.count(refusals.CONNECTION, "body_too_slow")
                response_started = self.cycle is not None and self.cycle.response_started
                self._refuse(b"" if response_started else error_response(
                    408, "Request Timeout", "REQUEST_TIMEOUT",
                    "The request's body arrived slower than "
                    f"{self.limits.body_min_bytes_per_second} bytes a second."))
                return
        self._arm_body_timer()


def bound(limits: ConnectionLimits) -> type[GuardedHttpToolsProtocol]:
    """The protocol class for one server, with its limits (uvicorn takes a class)."""

    class Bound(GuardedHttpToolsProtocol):
        pass

    Bound.limits = limits
    return Bound
