"""The service's processes for a bench script: its own database, Redis database,
simulator, API and workers, found or started as the quick start does (scripts/devenv.py).

Bench scripts run from the project root (`python -m bench.<script>`) and drive the service
with the harness the tests use too (harness/: processes, API clients, the oracle).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from arq.connections import RedisSettings, create_pool

from harness.api import Api
from harness.database import recreate_database
from harness.processes import (
    Proc,
    base_env,
    create_key,
    free_port,
    python_module,
    wait_http,
)
from worker.db.pool import connect
from worker.db.schema import apply_migrations

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # devenv: standard library only, not a package

from devenv import Services, find_services, with_database  # noqa: E402

__all__ = ["ROOT", "Services", "Stack", "find_services", "start_stack"]


@dataclass
class Stack:
    """A running simulator and API; workers are started with `start_worker`."""

    env: dict[str, str]
    logs: Path
    database_url: str
    redis_url: str
    web_url: str
    procs: list[Proc] = field(default_factory=list)

    def start_worker(self, name: str, **env: str) -> Proc:
        proc = Proc(name, python_module("worker"), {**self.env, **env},
                    self.logs / f"{name}.log").start()
        self.procs.append(proc)
        return proc

    def api(self, account: str) -> Api:
        """A client of the job API with a new key for `account`."""
        return Api(self.web_url, create_key(self.env, account))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.alive():
                proc.terminate()


# The benches measure the workers and the API's latency, from one address and a few keys
# at rates far above a tenant's: the request, stream, login and upload limits are raised
# (bench/fair_share.py and bench/connections.py measure the limits that matter to them).
BENCH_LIMITS = {
    "RATE_LIMIT_PER_SECOND": "100000", "RATE_LIMIT_BURST": "100000",
    "RATE_LIMIT_ANONYMOUS_PER_SECOND": "100000", "RATE_LIMIT_ANONYMOUS_BURST": "100000",
    "MAX_EVENT_STREAMS_PER_KEY": "10000", "LEGACY_LOGIN_FREE_FAILURES": "100000",
    "UPLOAD_QUOTA_PER_HOUR": "1000000", "UPLOAD_QUOTA_BYTES": str(100 * 1024 ** 3),
}


async def start_stack(services: Services, *, name: str, redis_db: int, logs: Path,
                      **env: str) -> Stack:
    """Fresh database `migration_worker_<name>`, Redis database `redis_db` flushed, then
    the simulator and the API; `env` overrides the service's settings (and BENCH_LIMITS)."""
    env = {**BENCH_LIMITS, **env}
    logs.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    database = with_database(services.database_url, f"migration_worker_{name}")
    redis_url = services.redis_url.rsplit("/", 1)[0] + f"/{redis_db}"
    await recreate_database(database)
    conn = await connect(database)
    await apply_migrations(conn)
    await conn.close()
    redis = await create_pool(RedisSettings.from_dsn(redis_url))
    await redis.flushdb()
    await redis.aclose()

    sim_port, web_port = free_port(), free_port()
    full_env = base_env(DATABASE_URL=database, REDIS_URL=redis_url, LOG_FORMAT="json",
                        LEGACY_API_URL=f"http://127.0.0.1:{sim_port}",
                        QUEUE_NAME=f"{name}:queue", LEGACY_PORT=str(sim_port),
                        PORT=str(web_port), **env)
    stack = Stack(full_env, logs, database, redis_url, f"http://127.0.0.1:{web_port}")
    stack.procs += [
        Proc("legacy", python_module("legacy_sim"), full_env, logs / "legacy.log").start(),
        Proc("web", python_module("api_stub", "serve"), full_env, logs / "web.log").start(),
    ]
    wait_http(f"http://127.0.0.1:{sim_port}/healthz")
    wait_http(stack.web_url + "/healthz")
    return stack
