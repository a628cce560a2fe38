"""The legacy password and tokens, API keys and session IDs reach no log line and no
database column in clear."""

import re
from pathlib import Path

import asyncpg
import httpx
from arq.connections import ArqRedis

from harness.api import DEMO_PASSWORD, Api
from legacy_sim.orgs import ORGS, SMALL
from worker.kinds.legacy_migration.enqueue import create_legacy_migration_job

# Tokens and keys are a prefix and 32 or more random hex digits; runs of that many hex
# digits are rare in the database, so each table is read once to list them, and the needles
# are looked for among those runs (a scan per needle and column took minutes).
_HEX_RUN = "[0-9a-f]{32,}"


async def _tables_containing(db: asyncpg.Pool, needles: list[str]) -> list[str]:
    """Every table holding any of `needles` in the text form of a row."""
    hex_needles = [m[0] for n in needles if (m := re.search(_HEX_RUN, n))]
    other_needles = [n for n in needles if not re.search(_HEX_RUN, n)]
    tables = await db.fetch(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('public', 'staging', 'target') AND table_type = 'BASE TABLE' "
        "ORDER BY 1, 2")
    found = []
    for t in tables:
        name = f'"{t["table_schema"]}"."{t["table_name"]}"'
        runs = [r["run"] for r in await db.fetch(
            f"SELECT DISTINCT m[1] AS run FROM {name} AS r, "
            f"regexp_matches(r::text, '({_HEX_RUN})', 'g') AS m")]
        held = any(needle in run for needle in hex_needles for run in runs)
        for needle in other_needles:
            held = held or await db.fetchval(
                f"SELECT EXISTS (SELECT 1 FROM {name} AS r WHERE strpos(r::text, $1) > 0)",
                needle)
        if held:
            found.append(f"{t['table_schema']}.{t['table_name']}")
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
    assert await _tables_containing(db, secrets) == [], "a secret is stored in clear"


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
