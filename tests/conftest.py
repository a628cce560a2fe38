"""Session fixtures: a fresh database, Redis, and the service's real processes.

Integration tests talk to real Postgres and Redis over real connections and to the
legacy simulator, the web API and arq workers as separate processes over real HTTP.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from arq.connections import ArqRedis, RedisSettings
from arq.connections import create_pool as create_arq_pool
from redis.asyncio import Redis

from harness.api import Api
from harness.database import recreate_database
from harness.keys import make_key
from harness.processes import (
    Proc,
    base_env,
    create_key,
    free_port,
    python_module,
    wait_http,
)
from harness.wizard import Wizard
from tests.kinds.toy import TOY_SCHEMA
from tests.support.isolation import own_database, own_redis
from tests.support.workers import Workers
from worker.db.pool import connect, create_pool
from worker.db.schema import apply_migrations

# fixtures of a support module, for the test modules that use them
pytest_plugins = ["tests.support.dev_stack"]

# each xdist worker's own (tests/support/isolation.py)
TEST_DB = own_database(os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/migration_worker_test"))
TEST_REDIS = own_redis(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
SECRET = "test-secret-key"
SHUTDOWN_GRACE_SECONDS = 10


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
async def database() -> str:
    """A freshly created test database with every migration applied, and the tables of
    the tests' own job kinds."""
    await recreate_database(TEST_DB)
    conn = await connect(TEST_DB)
    try:
        await apply_migrations(conn)
        await conn.execute(TOY_SCHEMA)
    finally:
        await conn.close()
    return TEST_DB


@pytest.fixture(scope="session")
async def db(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database, min_size=1, max_size=5)
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(TEST_REDIS)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
async def arq_redis(redis: Redis) -> AsyncIterator[ArqRedis]:
    """An arq connection, as the enqueue layer takes one."""
    pool = await create_arq_pool(RedisSettings.from_dsn(TEST_REDIS))
    yield pool
    await pool.aclose()


@pytest.fixture(scope="session")
def queue_name() -> str:
    return f"test:queue:{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def simulator(logs_dir: Path) -> Iterator[str]:
    port = free_port()
    proc = Proc("legacy", python_module("legacy_sim"), base_env(LEGACY_PORT=str(port)),
                logs_dir / "legacy.log").start()
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz", proc=proc)
    yield url
    proc.terminate()


@pytest.fixture
def sim(simulator: str) -> Iterator[httpx.Client]:
    """Control of the simulator's faults; reset after the test."""
    client = httpx.Client(base_url=simulator, timeout=10)
    client.put("/_sim/faults", json={})
    yield client
    client.put("/_sim/faults", json={})
    client.close()


@pytest.fixture(scope="session")
def service_env(database: str, redis: Redis, simulator: str, queue_name: str
                ) -> dict[str, str]:
    """The environment every service process of the suite runs with."""
    return service_settings(database, simulator, queue_name)


def service_settings(database: str, simulator: str, queue_name: str) -> dict[str, str]:
    """The suite's service settings, on a database and a queue of one's own."""
    return base_env(
        DATABASE_URL=database, REDIS_URL=TEST_REDIS, LEGACY_API_URL=simulator,
        QUEUE_NAME=queue_name, SECRET_KEY=SECRET, LOG_FORMAT="json", LOG_LEVEL="INFO",
        LEASE_SECONDS="4", HEARTBEAT_SECONDS="0.5", SWEEP_EVERY_SECONDS="1",
        WORKER_HEARTBEAT_SECONDS="0.5", WORKER_DEAD_AFTER_SECONDS="4",
        EXTRA_JOB_KINDS="tests.kinds.toy:TOY", METRICS_REFRESH_SECONDS="0.3",
        EVENTS_KEEPALIVE_SECONDS="1", EVENTS_REREAD_SECONDS="2",
        LEGACY_BACKOFF_BASE_SECONDS="0.05", LEGACY_BACKOFF_MAX_SECONDS="2",
        LEGACY_TIMEOUT_SECONDS="3", SHUTDOWN_GRACE_SECONDS=str(SHUTDOWN_GRACE_SECONDS),
        # the suite shares a few keys, accounts and one address across hundreds of tests:
        # the limits are generous here, and each limit's own tests start a web process
        # with it low
        **SUITE_LIMITS,
    )


SUITE_LIMITS = {
    "HTTP_MAX_CONNECTIONS_PER_ADDRESS": "2000", "RATE_LIMIT_PER_SECOND": "5000",
    "RATE_LIMIT_BURST": "20000", "RATE_LIMIT_ANONYMOUS_PER_SECOND": "5000",
    "RATE_LIMIT_ANONYMOUS_BURST": "20000", "MAX_EVENT_STREAMS_PER_KEY": "500",
    "LEGACY_LOGIN_FREE_FAILURES": "100000", "UPLOAD_QUOTA_PER_HOUR": "100000",
    "UPLOAD_QUOTA_BYTES": str(100 * 1024 ** 3),
    # the suite's workers keep everything: tests age rows on purpose, and only
    # test_retention's own workers purge
    "RETENTION_UPLOAD_DAYS": "0", "RETENTION_FAILED_STAGING_DAYS": "0",
    "RETENTION_JOB_DAYS": "0", "RETENTION_AUDIT_DAYS": "0",
}


@pytest.fixture(scope="session")
def workers(service_env: dict[str, str], logs_dir: Path) -> Iterator[Workers]:
    """Start worker processes with `workers.start(name, **env)`; all stop at the end."""
    group = Workers(service_env, logs_dir)
    yield group
    group.stop_all()


@pytest.fixture(scope="session")
def worker(workers: Workers) -> Proc:
    """The suite's long-lived worker."""
    return workers.start("worker-main")


@pytest.fixture
def rescuer(workers: Workers, worker: Proc) -> Iterator[Proc]:
    """A second worker to take over; the main worker is restarted if the test killed it."""
    proc = workers.start("rescuer")
    yield proc
    proc.kill()
    if not worker.alive():
        worker.start()


@pytest.fixture(scope="session")
def web(service_env: dict[str, str], logs_dir: Path) -> Iterator[str]:
    port = free_port()
    proc = Proc("web", python_module("api_stub", "serve"), {**service_env, "PORT": str(port)},
                logs_dir / "web.log").start()
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz", proc=proc)
    yield url
    proc.terminate()


@pytest.fixture(scope="session")
def api_key(service_env: dict[str, str]) -> str:
    return create_key(service_env, "acc_test")


@pytest.fixture(scope="session")
def operator_key(service_env: dict[str, str]) -> str:
    return create_key(service_env)


@pytest.fixture
async def ops(web: str, operator_key: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the operators' API (/ops), with an operator's key."""
    async with httpx.AsyncClient(base_url=web, timeout=30,
                                 headers={"Authorization": f"Bearer {operator_key}"}) as http:
        yield http


@pytest.fixture
async def wizard(web: str, db: asyncpg.Pool, worker: Proc,
                 request: pytest.FixtureRequest) -> AsyncIterator[Wizard]:
    """A client of the wizard API acting for an account of the test's own (an account has
    one active migration at most)."""
    account = "acc_wiz_" + uuid.uuid4().hex[:12]
    client = Wizard(web, await make_key(db, account), account)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
async def api(web: str, api_key: str, worker: Proc) -> AsyncIterator[Api]:
    client = Api(web, api_key)
    yield client
    await client.aclose()
