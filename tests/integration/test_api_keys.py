"""A web process trusts a key it has looked up for API_KEY_CACHE_SECONDS (2 s here): a
revoked key is refused after that, and an unknown key is never remembered."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from harness.processes import create_key
from worker.secrets_box import digest_api_key


async def test_a_revoked_key_is_refused_within_the_cache_time(
        web: str, service_env: dict[str, str], db: asyncpg.Pool) -> None:
    key = create_key(service_env, "acc_revoked")
    async with httpx.AsyncClient(base_url=web, timeout=30,
                                 headers={"Authorization": f"Bearer {key}"}) as http:
        assert (await http.get("/legacy-migration/jobs")).status_code == 200
        await db.execute("UPDATE api_keys SET revoked_at = now() WHERE key_digest = $1",
                         digest_api_key(key))
        await asyncio.sleep(2.2)
        refused = await http.get("/legacy-migration/jobs")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "API_KEY_REVOKED"
