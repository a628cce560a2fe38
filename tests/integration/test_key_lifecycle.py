"""Key lifecycle (issue 20, spec/security.md "Keys and audit"): labels and expiry at
creation, `keys list|revoke|rotate` in the CLI, and 401s naming a revoked or an expired key
(INVALID_API_KEY stays for unknown ones), on the real CLI and web process."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from harness.keys import key_answer
from harness.processes import create_key, python_module
from tests.support.web import own_web
from worker.secrets_box import digest_api_key

JOBS = "/legacy-migration/jobs"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(python_module("api_stub", *args), env=env, capture_output=True,
                          text=True, timeout=60)


def new_key(env: dict[str, str], account: str, *options: str) -> str:
    out = cli(env, "create-key", "--account", account, *options)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


async def key_id(db: asyncpg.Pool, key: str) -> int:
    found: int = await db.fetchval("SELECT id FROM api_keys WHERE key_digest = $1",
                                   digest_api_key(key))
    return found


async def test_create_key_stores_label_and_expiry_and_list_shows_them_without_the_key(
        service_env: dict[str, str], db: asyncpg.Pool) -> None:
    key = new_key(service_env, "acc_life_list", "--label", "billing sync",
                  "--expires", "2027-01-31")
    row = await db.fetchrow("SELECT label, expires_at, key_prefix FROM api_keys "
                            "WHERE id = $1", await key_id(db, key))
    assert row is not None
    assert row["label"] == "billing sync"
    assert row["expires_at"] == datetime(2027, 2, 1, tzinfo=UTC)  # through Jan 31st, UTC
    listed = cli(service_env, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if row["key_prefix"] in x)
    assert "billing sync" in line
    assert "acc_life_list" in line
    assert "2027-02-01" in line
    assert key not in listed.stdout
    assert key[10:20] not in listed.stdout


async def test_expires_as_a_duration(service_env: dict[str, str], db: asyncpg.Pool) -> None:
    key = new_key(service_env, "acc_life_90d", "--expires", "90d")
    expires = await db.fetchval("SELECT expires_at FROM api_keys WHERE id = $1",
                                await key_id(db, key))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
    bad = cli(service_env, "create-key", "--account", "acc_x", "--expires", "soon")
    assert bad.returncode == 2
    assert "duration" in bad.stderr


async def test_a_revoked_key_gets_401_naming_revocation(
        web: str, service_env: dict[str, str], db: asyncpg.Pool) -> None:
    key = create_key(service_env, "acc_life_revoke")
    assert await key_answer(web, key) == (200, None)
    revoked = cli(service_env, "keys", "revoke", key[:10])
    assert revoked.returncode == 0, revoked.stderr
    assert key not in revoked.stdout + revoked.stderr
    # the key cache holds it at most API_KEY_CACHE_SECONDS here (step 5 makes it sooner)
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while True:
            answer = await http.get(JOBS, headers={"Authorization": f"Bearer {key}"})
            if answer.status_code != 200 or datetime.now(UTC) > deadline:
                break
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "API_KEY_REVOKED"
    assert "revoked on" in error["message"]
    assert "operator" in error["message"]
    assert await key_answer(web, "mwk_" + "0" * 48) == (401, "INVALID_API_KEY")


async def test_an_expired_key_gets_401_naming_expiry(
        web: str, service_env: dict[str, str], db: asyncpg.Pool) -> None:
    key = new_key(service_env, "acc_life_expired", "--expires", "2020-01-01")
    status, code = await key_answer(web, key)
    assert (status, code) == (401, "API_KEY_EXPIRED")
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        answer = await http.get(JOBS, headers={"Authorization": f"Bearer {key}"})
    assert "expired on 2020-01-02" in answer.json()["error"]["message"]


async def test_a_cached_key_is_not_trusted_past_its_expiry(
        web: str, service_env: dict[str, str], db: asyncpg.Pool) -> None:
    key = create_key(service_env, "acc_life_cached_expiry")
    expires = await db.fetchval("UPDATE api_keys SET expires_at = now() + interval '1 s' "
                                "WHERE id = $1 RETURNING expires_at", await key_id(db, key))
    assert await key_answer(web, key) == (200, None)  # now in the cache, for 2 s
    # refused at its expiry, not at the end of its time in the cache
    while await key_answer(web, key) == (200, None):
        assert datetime.now(UTC) < expires + timedelta(seconds=0.5)
    assert await key_answer(web, key) == (401, "API_KEY_EXPIRED")


async def test_rotation_prints_a_new_key_and_the_old_works_for_its_grace(
        web: str, service_env: dict[str, str], db: asyncpg.Pool) -> None:
    old = new_key(service_env, "acc_life_rotate", "--label", "ci")
    old_id = await key_id(db, old)
    rotated = cli(service_env, "keys", "rotate", str(old_id), "--grace", "1h")
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip().splitlines()[-1]
    assert new.startswith("mwk_")
    assert new != old
    assert await key_answer(web, new) == (200, None)
    assert await key_answer(web, old) == (200, None)  # in its grace period
    row = await db.fetchrow("SELECT k.label, k.revoked_at, k.rotated_at, k.replaced_by, "
                            "array_agg(a.account_id) AS accounts FROM api_keys k JOIN "
                            "api_key_accounts a ON a.api_key_id = k.id WHERE k.id = $1 "
                            "GROUP BY k.id", await key_id(db, new))
    assert row is not None
    assert row["label"] == "ci"
    assert row["accounts"] == ["acc_life_rotate"]
    grace_end = await db.fetchval("SELECT revoked_at FROM api_keys WHERE id = $1", old_id)
    assert timedelta(minutes=59) < grace_end - datetime.now(UTC) <= timedelta(hours=1)
    # the grace period ends: the old key is refused, naming its rotation
    await db.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", old_id)
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while await key_answer(web, old) == (200, None):
        assert datetime.now(UTC) < deadline
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        answer = await http.get(JOBS, headers={"Authorization": f"Bearer {old}"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "API_KEY_REVOKED"
    assert "rotated" in answer.json()["error"]["message"]
    assert await key_answer(web, new) == (200, None)


async def test_revoke_and_rotate_name_a_key_by_id_or_prefix_only(
        service_env: dict[str, str]) -> None:
    unknown = cli(service_env, "keys", "revoke", "mwk_nosuch")
    assert unknown.returncode == 1
    assert "keys list" in unknown.stderr
    key = create_key(service_env, "acc_life_twice")
    assert cli(service_env, "keys", "revoke", key[:10]).returncode == 0
    again = cli(service_env, "keys", "rotate", key[:10])
    assert again.returncode == 1
    assert "revoked" in again.stderr


async def test_the_openapi_document_declares_the_new_401s(web: str) -> None:
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        text = (await http.get("/openapi.json")).text
    assert "API_KEY_REVOKED" in text
    assert "API_KEY_EXPIRED" in text


async def test_last_used_is_written_in_bulk_not_per_request(
        service_env: dict[str, str], db: asyncpg.Pool, logs_dir: Path) -> None:
    key = create_key(service_env, "acc_life_used")
    kid = await key_id(db, key)
    env = {**service_env, "API_KEY_USED_FLUSH_SECONDS": "0.5"}
    async with own_web("web-key-usage", env, logs_dir) as web:
        before = datetime.now(UTC)
        for _ in range(20):
            assert await key_answer(web.url, key) == (200, None)
        # noted in memory: written by the next flush, not by the requests
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while (used := await db.fetchval("SELECT last_used_at FROM api_keys WHERE id = $1",
                                          kid)) is None:
            assert datetime.now(UTC) < deadline
            await asyncio.sleep(0.1)
        assert before - timedelta(seconds=1) < used <= datetime.now(UTC)
    listed = cli(service_env, "keys", "list")
    line = next(x for x in listed.stdout.splitlines() if key[:10] in x)
    assert used.astimezone(UTC).strftime("%Y-%m-%d %H:%M") in line


async def test_a_key_revoked_with_the_cli_is_refused_by_every_web_process_within_a_second(
        service_env: dict[str, str], logs_dir: Path) -> None:
    # a cache time of a minute: what refuses the key is the revocation's notification
    env = {**service_env, "API_KEY_CACHE_SECONDS": "60"}
    key = create_key(service_env, "acc_life_everywhere")
    async with own_web("web-keys-a", env, logs_dir) as a, \
            own_web("web-keys-b", env, logs_dir) as b:
        for web in (a, b):  # each now holds the key in its cache
            assert await key_answer(web.url, key) == (200, None)
            assert await key_answer(web.url, key) == (200, None)
        revoked = cli(service_env, "keys", "revoke", key[:10])
        assert revoked.returncode == 0, revoked.stderr
        committed = asyncio.get_running_loop().time()
        waiting = {a.url, b.url}
        while waiting:
            for url in list(waiting):
                if await key_answer(url, key) == (401, "API_KEY_REVOKED"):
                    waiting.discard(url)
            assert asyncio.get_running_loop().time() - committed < 1.5, waiting
            await asyncio.sleep(0.02)
