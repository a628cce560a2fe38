"""`python -m api_stub serve`: uvicorn with the connection limits of security.md
("Connections and requests"): a gate that caps connections per process and per client
address (gate.py), then uvicorn's httptools protocol with header and body deadlines
(protocol.py), both from the settings (limits.py). Why uvicorn extended rather than another
server: README, "The web server".
"""

from __future__ import annotations

import contextlib
import faulthandler
import sys
from types import FrameType

import uvicorn

from api_stub.server.limits import ConnectionLimits
from api_stub.server.protocol import GuardedHttpToolsProtocol, bound
from worker.settings import Settings

__all__ = ["ConnectionLimits", "GuardedHttpToolsProtocol", "config", "serve"]

# open event streams would hold a graceful shutdown forever: they get this long, then end
# (their clients reconnect with Last-Event-ID)
GRACEFUL_SHUTDOWN_SECONDS = 5
# the whole stop (streams ended, the lifespan's flushes and pool close, asyncio's own
# clean-up) has this long; past it, every thread's stack goes to stderr and the process
# exits 1, so that a stuck stop is seen in the log instead of holding a deploy
STOP_DEADLINE_SECONDS = 25.0


def config(settings: Settings) -> uvicorn.Config:
    """The server's configuration, from the settings."""
    limits = ConnectionLimits.from_settings(settings)
    return uvicorn.Config(
        "api_stub.app:app", host=settings.host, port=settings.port,
        log_config=None, access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        http=bound(limits),
        # no route takes a WebSocket; an upgraded connection would leave the protocol that
        # counts it (its slot never given back)
        ws="none",
        # uvicorn's own idle keep-alive close; the other limits are the protocol's
        # (uvicorn types it int, and takes any number of seconds)
        timeout_keep_alive=settings.http_keepalive_seconds,  # type: ignore[arg-type]
        # X-Forwarded-For is believed from the proxies in front only, and from nobody by
        # default (uvicorn's default believes 127.0.0.1)
        proxy_headers=bool(settings.forwarded_allow_ips.strip()),
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


class _Server(uvicorn.Server):
    """uvicorn's server, with a deadline on stopping."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            faulthandler.dump_traceback_later(STOP_DEADLINE_SECONDS, exit=True,
                                              file=sys.stderr)
        super().handle_exit(sig, frame)


def serve(settings: Settings) -> int:
    """Serve the API until SIGTERM or SIGINT; the exit code (3 when it never started, as
    `uvicorn.run` exits; 1 when stopping overran STOP_DEADLINE_SECONDS)."""
    server = _Server(config(settings))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0 if server.started else 3
