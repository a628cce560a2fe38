"""What one web process allows its connections (security.md, "Connections and requests"):
the settings as numbers, the count of open connections per process and per client address,
and the short answers sent to a connection before it is closed.

One instance is shared by every connection of a process (they all run on its one event
loop, so the counts need no lock).
"""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from dataclasses import dataclass, field

import orjson

from worker.settings import Settings

# Headers larger than this are refused (431) before they are parsed whole: llhttp, uvicorn's
# parser, sets no limit of its own, and the header timeout alone would let a fast client
# send hundreds of megabytes. 64 KiB is four times h11's default; no client of this API
# sends more than a few kilobytes.
MAX_HEADER_BYTES = 64 * 1024
# A refused connection's answer is followed by a half close; what the client still sends
# is read and dropped for at most this long, so that it gets the answer rather than a reset
# (closing with unread data makes the kernel send RST, which can destroy the answer).
LINGER_SECONDS = 1.0

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_group(host: str) -> str:
    """The address a client's connections are counted by: itself, or an IPv6 address's /64
    (one host usually holds a whole /64, and could otherwise open 64 connections from each
    of its 2**64 addresses)."""
    if ":" not in host:  # IPv4 (or a path): as it is, without parsing, once a connection
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a Unix socket's path, or nothing: one group
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d on a dual-stack socket
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def parse_trusted(spec: str) -> tuple[bool, list[Network]]:
    """FORWARDED_ALLOW_IPS as (everyone?, networks): comma-separated addresses or networks,
    or "*"."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if "*" in items:
        return True, []
    return False, [ipaddress.ip_network(item, strict=False) for item in items]


def error_response(status: int, reason: str, code: str, message: str,
                   retry_after: int | None = None) -> bytes:
    """A whole HTTP/1.1 response in the API's error shape, announcing that the connection
    closes."""
    body = orjson.dumps({"error": {"code": code, "message": message}})
    head = [f"HTTP/1.1 {status} {reason}", "content-type: application/json",
            f"content-length: {len(body)}", "connection: close"]
    if retry_after is not None:
        head.append(f"retry-after: {retry_after}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


@dataclass
class ConnectionLimits:
    """The limits of one web process's connections, and its open connections."""

    header_timeout: float
    keepalive: float
    body_min_bytes_per_second: int
    body_grace: float
    max_connections: int
    max_per_address: int
    trust_everyone: bool = False
    trusted: list[Network] = field(default_factory=list)
    open_total: int = 0
    open_by_address: Counter[str] = field(default_factory=Counter)
    _refusals: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        everyone, networks = parse_trusted(settings.forwarded_allow_ips)
        return cls(header_timeout=settings.http_header_timeout_seconds,
                   keepalive=settings.http_keepalive_seconds,
                   body_min_bytes_per_second=settings.http_body_min_bytes_per_second,
                   body_grace=settings.http_body_grace_seconds,
                   max_connections=settings.http_max_connections,
                   max_per_address=settings.http_max_connections_per_address,
                   trust_everyone=everyone, trusted=networks)

    # --- the body's rate: checked every tick over a window of `body_grace` seconds ---

    @property
    def body_ticks(self) -> int:
        """Ticks in one window (a tick is at most a second, so a cut comes soon after)."""
        return max(1, math.ceil(self.body_grace))

    @property
    def body_tick_seconds(self) -> float:
        return self.body_grace / self.body_ticks

    @property
    def body_bytes_per_window(self) -> float:
        return self.body_min_bytes_per_second * self.body_grace

    # --- open connections ---

    def refusal(self, reason: str) -> bytes:
        """The 503 a connection refused for `reason` gets (made once: a flood gets many)."""
        if reason not in self._refusals:
            if reason == "per_address":
                message = (f"This client address already has {self.max_per_address} "
                           "connections open to this server: reuse them (keep-alive) or close "
                           "some, then try again.")
            else:
                message = ("This server has as many connections open as it takes; try again "
                           "in a moment.")
            self._refusals[reason] = error_response(
                503, "Service Unavailable", "TOO_MANY_CONNECTIONS", message, retry_after=1)
        return self._refusals[reason]

    def is_proxy(self, host: str) -> bool:
        """Is `host` one of the proxies in front (exempt from the per-address cap)?"""
        if self.trust_everyone:
            return True
        if not self.trusted:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def admit(self, host: str | None) -> str | None:
        """Count a new connection from `host` in, or say why it is refused: "per_address"
        or "per_process" (then it is not counted)."""
        group = address_group(host) if host is not None else ""
        if (host is not None and self.open_by_address[group] >= self.max_per_address
                and not self.is_proxy(host)):
            return "per_address"
        if self.open_total >= self.max_connections:
            return "per_process"
        self.open_total += 1
        self.open_by_address[group] += 1
        return None

    def release(self, host: str | None) -> None:
        """An admitted connection from `host` has closed."""
        group = address_group(host) if host is not None else ""
        self.open_total -= 1
        self.open_by_address[group] -= 1
        if self.open_by_address[group] <= 0:
            del self.open_by_address[group]
