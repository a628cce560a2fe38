"""Starting and stopping the service's real processes for tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proc:
    """A service process whose output goes to a log file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Proc:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the fd
            self.popen = subprocess.Popen(self.args, env=self.env, cwd=ROOT, stdout=log,
                                          stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        if self.alive():
            assert self.popen is not None
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def signal(self, sig: signal.Signals) -> None:
        assert self.popen is not None
        self.popen.send_signal(sig)

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then wait; returns the exit code."""
        assert self.popen is not None
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


async def exit_code(proc: Proc, timeout: float) -> int:
    """Wait for the process to exit (it must within `timeout`); its exit code."""
    assert proc.popen is not None
    deadline = time.monotonic() + timeout
    while proc.alive():
        assert time.monotonic() < deadline, f"{proc.name} still running after {timeout} s"
        await asyncio.sleep(0.05)
    return int(proc.popen.returncode)


def wait_http(url: str, timeout: float = 30.0, proc: Proc | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited early:\n{proc.log()[-3000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def create_key(env: dict[str, str], *accounts: str) -> str:
    """A new API key for `accounts` (an operator's key when none), made with the CLI."""
    args = python_module("api_stub", "create-key")
    for account in accounts:
        args += ["--account", account]
    if not accounts:
        args.append("--operator")
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def base_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(overrides)
    return env
