"""Per-account upload quotas (security.md, "Tenants") on a web process of the test's own
with low quotas: beyond the files per hour, 429 with Retry-After; beyond the stored bytes,
413; both with the figures, nothing stored, and another account still served."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from harness.processes import Proc, create_key
from harness.wizard import Wizard
from tests.support.web import Web, own_web

PER_HOUR = 2
MAX_BYTES = 3000


@pytest.fixture(scope="module")
async def quota_web(service_env: dict[str, str], logs_dir: Path) -> AsyncIterator[Web]:
    env = {**service_env, "UPLOAD_QUOTA_PER_HOUR": str(PER_HOUR),
           "UPLOAD_QUOTA_BYTES": str(MAX_BYTES)}
    async with own_web("web-quotas", env, logs_dir) as web:
        yield web


@pytest.fixture
async def client(quota_web: Web, service_env: dict[str, str], worker: Proc
                 ) -> AsyncIterator[Wizard]:
    account = "acc_quota_" + uuid.uuid4().hex[:10]
    wizard = Wizard(quota_web.url, create_key(service_env, account), account)
    yield wizard
    await wizard.aclose()


def contacts(n: int, size: int = 0) -> bytes:
    lines = ["Organisation,Email"] + [f"Customer {i},c{i}@example.com" for i in range(n)]
    text = "\r\n".join(lines) + "\r\n"
    return (text + " " * max(0, size - len(text))).encode()  # padded to `size` bytes


async def stored(db: asyncpg.Pool, account: str) -> tuple[int, int, int]:
    row = await db.fetchrow(
        "SELECT (SELECT count(*) FROM uploads WHERE account_id = $1) AS uploads, "
        "(SELECT count(*) FROM imports WHERE account_id = $1) AS imports, "
        "(SELECT count(*) FROM migration_jobs WHERE account_id = $1) AS jobs", account)
    assert row is not None
    return row["uploads"], row["imports"], row["jobs"]


async def test_uploads_beyond_the_hourly_quota_get_429_with_the_figures(
        client: Wizard, db: asyncpg.Pool, quota_web: Web, service_env: dict[str, str]
        ) -> None:
    for _ in range(PER_HOUR):
        response = await client.import_csv("contacts", "c.csv", contacts(2))
        assert response.status_code == 202, response.text
    response = await client.import_csv("contacts", "c.csv", contacts(2))
    message = await client.error(response, 429, "UPLOAD_QUOTA_EXCEEDED")
    assert f"uploaded {PER_HOUR} files in the last hour" in message, message
    assert f"the quota is {PER_HOUR} files per hour" in message, message
    retry_after = int(response.headers["Retry-After"])
    assert 3500 < retry_after <= 3600, retry_after  # the oldest leaves the hour's window
    assert await stored(db, client.account) == (PER_HOUR, PER_HOUR, PER_HOUR)

    other = Wizard(quota_web.url, create_key(service_env, client.account + "_b"),
                   client.account + "_b")
    try:
        response = await other.import_csv("contacts", "c.csv", contacts(2))
        assert response.status_code == 202, response.text
    finally:
        await other.aclose()


async def test_uploads_beyond_the_stored_bytes_get_413_with_the_figures(
        client: Wizard, db: asyncpg.Pool) -> None:
    response = await client.import_csv("contacts", "c.csv", contacts(3, size=2048))
    assert response.status_code == 202, response.text
    response = await client.import_csv("contacts", "c.csv", contacts(3, size=1024))
    message = await client.error(response, 413, "UPLOAD_QUOTA_EXCEEDED")
    assert "keeps 2.0 kB of uploaded files" in message, message
    assert "adds 1.0 kB" in message, message
    assert "the quota is 2.9 kB" in message, message
    assert "Retry-After" not in response.headers
    assert await stored(db, client.account) == (1, 1, 1)
    # what fits still goes in
    response = await client.import_csv("contacts", "c.csv", contacts(3))
    assert response.status_code == 202, response.text
