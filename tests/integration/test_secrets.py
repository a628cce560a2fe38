"""The legacy password and tokens, API keys and session IDs reach no log line and no
database column in clear."""

from pathlib import Path

import asyncpg
import httpx
from arq.connections import ArqRedis

from legacy_sim.orgs import ORGS, SMALL
from tests.support.api import DEMO_PASSWORD, Api
from worker.kinds.legacy_migration.enqueue import create_legacy_migration_job


async def _columns_containing(db: asyncpg.Pool, needle: str) -> list[str]:
    columns = await db.fetch(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns "
        "WHERE table_schema IN ('public', 'staging', 'target') "
        "AND data_type IN ('text', 'jsonb', 'json', 'bytea', 'ARRAY', 'character varying')")
    found = []
    for c in columns:
        sql = (f'SELECT count(*) FROM "{c["table_schema"]}"."{c["table_name"]}" '
               f'WHERE position($1 in "{c["column_name"]}"::text) > 0')
        if await db.fetchval(sql, needle):
            found.append(f"{c['table_schema']}.{c['table_name']}.{c['column_name']}")
    return found


async def test_secrets_never_reach_logs_or_database(api: Api, api_key: str, db: asyncpg.Pool,
                                                    simulator: str, logs_dir: Path) -> None:
    session = await api.login()
    done = await api.wait_for((await api.create(
        ORGS[SMALL].id, session["legacy_session_id"])).json()["id"])
    assert done["status"] == "completed"
    # a failed login and a job that fails mid-way log their errors too
    await api.http.post("/legacy-migration/auth",
                        json={"email": "demo@example.com", "password": "wrong-" + DEMO_PASSWORD})
    tokens = httpx.get(simulator + "/_sim/tokens").json()["tokens"]
    assert tokens  # the service did log in with real tokens

    secrets = [DEMO_PASSWORD, api_key, session["legacy_session_id"], *tokens]
    logs = {p.name: p.read_text(errors="replace") for p in logs_dir.glob("*.log")
            if p.name != "legacy.log"}  # the simulator is the legacy system itself
    assert "worker-main.log" in logs
    assert "web.log" in logs
    assert any("step finished" in text for text in logs.values())  # logs were written
    for secret in secrets:
        for name, text in logs.items():
            assert secret not in text, f"a secret appears in {name}"
        assert await _columns_containing(db, secret) == [], "a secret is stored in clear"


async def _sealed_token(db: asyncpg.Pool, job_id: str) -> bytes | None:
    token: bytes | None = await db.fetchval(
        "SELECT legacy_token_sealed FROM legacy_migration_jobs WHERE job_id = $1", job_id)
    return token


async def test_a_job_that_ends_keeps_no_legacy_token(api: Api, db: asyncpg.Pool,
                                                     arq_redis: ArqRedis) -> None:
    done = await api.wait_for((await api.start(ORGS[SMALL].id))["id"])
    assert done["status"] == "completed"
    assert await _sealed_token(db, done["id"]) is None  # wiped with the completion

    # a pending job (on a queue no worker reads) cancelled: wiped in the same transaction
    session = await api.login()
    job = await create_legacy_migration_job(
        db, arq_redis, account_id="acc_test", legacy_org_id=ORGS[SMALL].id,
        legacy_session_id=session["legacy_session_id"], environment="sandbox",
        queue_name="test:no-worker-reads-this")
    assert await _sealed_token(db, job.id) is not None
    response = await api.http.delete(f"/legacy-migration/jobs/{job.id}")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert await _sealed_token(db, job.id) is None
