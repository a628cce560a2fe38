"""A run of `scripts/dev` of a test's own: its ports, .dev directory (DEV_DIR), database
and Redis database, the processes it started (found from /proc), and `scripts/cli`
against it. Used by the tests of the quick start and of the README's commands."""


from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import devenv as devenv

from tests.support.isolation import own_database, own_redis

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "scripts" / "dev"
CLI = ROOT / "scripts" / "cli"
READY = "Ready. Ctrl-C (or SIGTERM) stops it all."
START_TIMEOUT = 50  # seconds; about 10 with local servers, 25 with embedded ones


def _server_url(variable: str, default: str, path: str) -> str:
    parts = urlsplit(os.environ.get(variable) or default)
    return urlunsplit(parts._replace(path=path))


# the suite's servers, with a database and a Redis database of these tests' own
DATABASE_URL = own_database(_server_url("TEST_DATABASE_URL",
                                        "postgresql://postgres@127.0.0.1:5432/x",
                                        "/mw_test_devs"))
REDIS_URL = own_redis(_server_url("TEST_REDIS_URL", "redis://127.0.0.1:6379/10", "/10"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- processes, from /proc ---------------------------------------------------------------

Ident = tuple[int, int]  # (pid, start time): a PID reused later is another process


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields from the state on (state is [0], ppid [1], start time [19])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except OSError:
        return ""


def _processes() -> dict[int, list[str]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[0] != "Z":
                found[int(entry.name)] = fields
    return found


def tree(root: int) -> set[Ident]:
    """`root` and every live descendant of it."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, fields in processes.items():
        children.setdefault(int(fields[1]), []).append(pid)
    found: set[Ident] = set()
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in processes:
            found.add((pid, int(processes[pid][19])))
            todo.extend(children.get(pid, []))
    return found


def matching(*needles: str) -> set[Ident]:
    """Live processes whose command line holds every one of `needles`, with descendants."""
    found: set[Ident] = set()
    for pid in _processes():
        line = _cmdline(pid)
        if line and all(needle in line for needle in needles):
            found |= tree(pid)
    return found


def alive(processes: set[Ident]) -> set[Ident]:
    left = set()
    for pid, start in processes:
        fields = _stat(pid)
        if fields is not None and fields[0] != "Z" and int(fields[19]) == start:
            left.add((pid, start))
    return left


def describe(processes: set[Ident]) -> list[str]:
    return [f"{pid} {_cmdline(pid)}" for pid, _ in sorted(processes)]


# --- one run of scripts/dev --------------------------------------------------------------

@dataclass
class DevRun:
    dev_dir: Path
    port: int
    legacy_port: int
    env: dict[str, str]
    redis_port: int | None = None
    proc: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)
    seen: set[Ident] = field(default_factory=set)
    reader: threading.Thread | None = None

    def start(self, *args: str) -> None:
        self.close()  # a run before this one
        self.proc = subprocess.Popen(
            [str(DEV), "--no-demo", *args], cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def close(self) -> None:
        """Its output read to the end and closed (the process gone)."""
        if self.proc is not None and self.proc.stdout is not None:
            if self.reader is not None:
                self.reader.join(5)
            self.proc.stdout.close()

    def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while READY not in self.lines:
            assert self.proc.poll() is None, f"scripts/dev exited:\n{self.output}"
            assert time.monotonic() < deadline, f"not ready in {START_TIMEOUT} s:\n" \
                                                f"{self.output}"
            time.sleep(0.2)

    def ours(self) -> set[Ident]:
        """Every process of this run now: scripts/dev's tree, its session's processes,
        and the embedded servers (by data directory and port)."""
        assert self.proc is not None
        found = tree(self.proc.pid)
        for pid, fields in _processes().items():
            if int(fields[4]) == self.proc.pid:  # session id: the new session started here
                found |= tree(pid)
        found |= matching(str(self.dev_dir))
        if self.redis_port is not None:
            found |= matching("redis-server", f"127.0.0.1:{self.redis_port}")
        return found

    def snapshot(self) -> set[Ident]:
        self.seen |= self.ours()
        return self.seen

    def wait_exit(self, timeout: float = 45) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"scripts/dev still running {timeout} s later:\n{self.output}")

    def assert_nothing_left(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            left = alive(self.seen) | self.ours()
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert not left, ("left running:\n" + "\n".join(describe(left))
                          + f"\nscripts/dev's output:\n{self.output}")
        # stopped cleanly: no traceback, nothing ignored at exit, no warning
        for sign in ("Traceback", "Exception ignored", "Warning"):
            assert sign not in self.output, self.output

    def kill_everything(self) -> None:
        """Whatever a failed test left: killed outright."""
        for _ in range(3):
            left = alive(self.seen) | (self.ours() if self.proc else set())
            if not left:
                return
            for pid, _start in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)


@pytest.fixture
def dev_run() -> Iterator[DevRun]:
    # not under pytest's temporary root: pgserver, as root, runs Postgres as a user of its
    # own who must traverse the path, and pytest makes that root 0700 again each session
    dev_dir = Path(tempfile.mkdtemp(prefix="mw-dev-script-"))
    port, legacy_port = free_port(), free_port()
    env = {name: value for name, value in os.environ.items()
           if name not in ("DEV_EMBEDDED", "EMBEDDED_REDIS_PORT", "SECRET_KEY")}
    env.update(DEV_DIR=str(dev_dir), PORT=str(port), LEGACY_PORT=str(legacy_port),
               DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, PYTHONUNBUFFERED="1")
    run = DevRun(dev_dir, port, legacy_port, env)
    try:
        yield run
    finally:
        if run.proc is not None and run.proc.poll() is None:
            run.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                run.proc.wait(30)
        run.kill_everything()
        run.close()
        shutil.rmtree(dev_dir, ignore_errors=True)


def cli(run: DevRun, *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "REDIS_URL", "PORT", "API_URL", "OPERATOR_KEY")}
    return subprocess.run([str(CLI), *args], cwd=ROOT, env=dict(env, DEV_DIR=str(run.dev_dir)),
                          capture_output=True, text=True, timeout=60)


