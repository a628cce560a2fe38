"""`python -m legacy_sim`: serve the simulator on $LEGACY_PORT (default 8001)."""

from __future__ import annotations

import os

import uvicorn

from legacy_sim.app import create_app


def main() -> None:
    port = int(os.environ.get("LEGACY_PORT", "8001"))
    host = os.environ.get("LEGACY_HOST", "127.0.0.1")
    # injected hangs must not hold up a shutdown
    uvicorn.run(create_app(), host=host, port=port, log_level="warning",
                timeout_graceful_shutdown=1)


if __name__ == "__main__":
    main()
