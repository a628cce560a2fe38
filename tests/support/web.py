"""A web process of a test's own, with settings of its own (e.g. low limits)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from harness.processes import Proc, free_port, python_module
from harness.waits import eventually


@dataclass(frozen=True)
class Web:
    proc: Proc
    url: str


@asynccontextmanager
async def own_web(name: str, env: dict[str, str], logs_dir: Path) -> AsyncIterator[Web]:
    """A web process on a free port, started with `env`, answering /healthz
    (with any status: its Redis may be meant to be down); stopped at the end."""
    port = free_port()
    proc = Proc(name, python_module("api_stub", "serve"), {**env, "PORT": str(port)},
                logs_dir / f"{name}.log").start()
    url = f"http://127.0.0.1:{port}"

    async def answering() -> bool:
        assert proc.alive(), proc.log()[-3000:]
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                await http.get(url + "/healthz")
        except httpx.TransportError:
            return False
        return True

    try:
        await eventually(answering, f"{name} answers", timeout=60)
        yield Web(proc, url)
    finally:
        proc.terminate()
