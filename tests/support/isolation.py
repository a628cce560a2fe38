"""Each pytest-xdist worker's own databases, so that the suite can run in parallel
(`scripts/run_tests.py` runs it in two processes).

The first worker (or a run without xdist) uses the names it is given; worker gwN adds
`_gwN` to every Postgres database name and takes Redis database number minus N. Tests
that cut connections reach only their own database's (`own_redis_clients`,
`OWN_BACKENDS`).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
INDEX = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0

# a condition on pg_stat_activity: the backends of this worker's database only
OWN_BACKENDS = "datname = current_database()"


def own_database(url: str) -> str:
    """`url` with this worker's database name."""
    if INDEX == 0:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{WORKER}"))


def own_redis(url: str) -> str:
    """`url` with this worker's Redis database number (the given one minus the index)."""
    if INDEX == 0:
        return url
    parts = urlsplit(url)
    number = int(parts.path.lstrip("/") or 0) - INDEX
    if number < 0:
        raise ValueError(f"{url}: no Redis database is left for xdist worker {WORKER}")
    return urlunsplit(parts._replace(path=f"/{number}"))


async def own_redis_clients(redis: Redis) -> list[str]:
    """IDs of the normal (not pub/sub) clients on `redis`'s database, this one excepted."""
    database = int(redis.connection_pool.connection_kwargs.get("db", 0))
    me = await redis.client_id()
    return [str(client["id"]) for client in await redis.client_list(_type="normal")
            if int(client["db"]) == database and int(client["id"]) != me]


async def kill_own_redis_clients(redis: Redis) -> int:
    """Cut every other connection to `redis`'s database; returns how many were cut."""
    killed = 0
    for client_id in await own_redis_clients(redis):
        # redis-py leaves execute_command unannotated
        killed += await redis.execute_command(  # type: ignore[no-untyped-call]
            "CLIENT", "KILL", "ID", client_id)
    return killed
