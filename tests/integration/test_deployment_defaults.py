"""Every process of the Procfile, started for real in production (PRODUCTION=1) with the
built-in SECRET_KEY, refuses to start, naming it (exit code 2, before touching Postgres);
with a key of its own the API starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.processes import Proc, free_port, python_module, wait_http

GOOD_KEY = "production-key-" + "x" * 32


@pytest.mark.parametrize(("module", "who"), [
    (("api_stub", "serve"), "the API"),
    (("worker",), "the worker"),
    (("worker.release",), "the release"),
])
def test_production_refuses_the_built_in_key(service_env: dict[str, str],
                                             module: tuple[str, ...], who: str) -> None:
    env = {k: v for k, v in service_env.items() if k != "SECRET_KEY"}
    env.update(PRODUCTION="1", PORT=str(free_port()))
    done = subprocess.run(python_module(*module), env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert done.stderr.strip().startswith(
        f"{who} refuses to start in production (PRODUCTION=1): SECRET_KEY is the built-in "
        "development key"), done.stderr


def test_production_starts_with_a_key_of_its_own(service_env: dict[str, str],
                                                 logs_dir: Path) -> None:
    port = free_port()
    env = {**service_env, "PRODUCTION": "1", "SECRET_KEY": GOOD_KEY, "PORT": str(port)}
    proc = Proc("web-production", python_module("api_stub", "serve"), env,
                logs_dir / "web-production.log").start()
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc)
    finally:
        proc.terminate()
    assert "WARNING" not in proc.log()
