"""uvicorn's httptools protocol with what it lacks against hostile clients: a deadline for a
request's headers, a minimum rate for its body and a size cap on its headers. Connections
reach it through the gate (api_stub/server/gate.py), which caps them per process and per
client address.

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
from api_stub.server.gate import Gate, Lingering
from api_stub.server.limits import (
    MAX_HEADER_BYTES,
    ConnectionLimits,
    error_response,
)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One admitted connection; `limits` and `lingering` are set on a subclass per server
    (see `bound`)."""

    limits: ClassVar[ConnectionLimits]
    lingering: ClassVar[Lingering]
    # the client's address, as the gate admitted it (released when the connection closes)
    admitted_host: str | None = None

    # attributes set before super().__init__ can call back into them
    _admitted = False
    _refused = False
    _in_headers = False
    _header_bytes = 0
    _header_timer: asyncio.TimerHandle | None = None
    _body_expected = False
    _body_timer: asyncio.TimerHandle | None = None
    _body_tick_bytes = 0
    _body_window: deque[int] | None = None

    # --- opening and closing (admitted by api_stub/server/gate.py) ---

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._admitted = True
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in (self._header_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._header_timer = self._body_timer = None
        self._body_expected = False
        if self._admitted:
            self._admitted = False
            self.limits.release(self.admitted_host)
        super().connection_lost(exc)

    def _refuse(self, response: bytes) -> None:
        """Stop serving this connection: answer `response` (if any), then close."""
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
        self.lingering.answer_and_close(self.transport, response)

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
        self._body_window = None  # made at the first tick: most requests have no body

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
        if self._body_window is None:
            self._body_window = deque(maxlen=self.limits.body_ticks)
        window = self._body_window
        if not waiting_for_us:
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


def bound(limits: ConnectionLimits) -> type[Gate]:
    """The protocol class uvicorn is given for one server: a gate that hands admitted
    connections to this protocol, both with `limits`."""
    lingering = Lingering()

    class BoundProtocol(GuardedHttpToolsProtocol):
        pass

    BoundProtocol.limits = limits
    BoundProtocol.lingering = lingering

    class BoundGate(Gate):
        __slots__ = ()

    BoundGate.limits = limits
    BoundGate.lingering = lingering
    BoundGate.protocol_class = BoundProtocol
    return BoundGate
