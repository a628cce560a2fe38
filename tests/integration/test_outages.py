"""A web process started while Redis is down starts all the same, says so on /healthz (503,
naming Redis) and in a 503 for what needs Redis, and still records imports in Postgres;
once Redis is back, /healthz is 200 again without a restart and the workers' sweep queues
what was recorded, which completes."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.api import DEMO_EMAIL, DEMO_PASSWORD
from harness.processes import Proc, create_key, free_port, python_module
from harness.waits import eventually
from harness.wizard import Wizard

REDIS_SERVER = shutil.which("redis-server")


class OwnRedis:
    """A redis-server of the test's own, on a port of its own, to stop and start."""

    def __init__(self, port: int, logs: Path) -> None:
        self.port, self.logs = port, logs
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        with (self.logs / f"redis-{self.port}.log").open("ab") as log:
            self.popen = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while subprocess.run([REDIS_SERVER.replace("server", "cli"), "-p", str(self.port),
                              "ping"], capture_output=True, check=False).stdout.strip() != b"PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(10)


@pytest.fixture
def own_redis(logs_dir: Path) -> Iterator[OwnRedis]:
    if REDIS_SERVER is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server is not installed here (the suite uses an embedded Redis): "
                    "this test needs a Redis it can stop and start")
    redis = OwnRedis(free_port(), logs_dir)
    yield redis
    redis.stop()


async def _health(url: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        return await http.get("/healthz")


async def test_the_api_rides_out_a_redis_that_is_down(
        own_redis: OwnRedis, service_env: dict[str, str], logs_dir: Path) -> None:
    env = {**service_env, "REDIS_URL": own_redis.url,
           "QUEUE_NAME": f"test:outage:{uuid.uuid4().hex[:6]}"}
    port = free_port()
    web = Proc("web-no-redis", python_module("api_stub", "serve"), {**env, "PORT": str(port)},
               logs_dir / "web-no-redis.log").start()
    worker = None
    url = f"http://127.0.0.1:{port}"
    try:
        async def answering() -> httpx.Response | None:
            assert web.alive(), web.log()[-2000:]
            try:
                return await _health(url)
            except httpx.TransportError:
                return None

        health = await eventually(answering, "the web process answers", timeout=30)
        assert health.status_code == 503, health.text
        assert health.json()["postgres"] == "ok"
        assert health.json()["redis"].startswith("unavailable")
        account = "acc_outage_" + uuid.uuid4().hex[:6]
        wizard = Wizard(url, create_key(env, account), account)
        try:
            # what needs Redis: a 503 that names it (the legacy login keeps its session there)
            login = await wizard.http.post("/legacy-migration/auth",
                                           json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
            assert "Redis" in await wizard.error(login, 503, "SERVICE_UNAVAILABLE")
            # what needs only Postgres is recorded, and waits for the queue
            response = await wizard.import_csv("contacts", "contacts.csv",
                                               b"Organisation\nAcme Ltd\n")
            assert response.status_code == 202, response.text
            import_id = response.json()["id"]
            own_redis.start()

            async def healthy() -> bool:
                return (await _health(url)).status_code == 200

            await eventually(healthy, "/healthz is 200 again, without a restart", timeout=30)
            worker = Proc("worker-outage", python_module("worker"), env,
                          logs_dir / "worker-outage.log").start()
            done = await wizard.wait_import(import_id, timeout=60)
            assert (done["status"], done["createdCount"]) == ("needs_review", 1)
        finally:
            await wizard.aclose()
    finally:
        if worker is not None:
            worker.kill()
        web.terminate()
