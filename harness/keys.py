"""API keys made in-process, for fixtures that need many: the CLI (harness.processes.
create_key) costs a Python start-up each, and is what the CLI's own tests use."""

from __future__ import annotations

import asyncpg
import httpx

from worker.store.api_keys import create_api_key
from worker.store.audit import Actor, ActorRole

# in the audit log, as the CLI's own entries are, named apart
HARNESS = Actor(ActorRole.CLI, key_label="harness")


async def make_key(pool: asyncpg.Pool, *accounts: str, label: str | None = None) -> str:
    """A new key for `accounts` (an operator's key when none); the key itself."""
    return await create_api_key(pool, list(accounts), by=HARNESS, operator=not accounts,
                                label=label)


async def key_answer(web: str, key: str) -> tuple[int, str | None]:
    """What an account's route answers this key: its status, and its error code (None on
    success)."""
    async with httpx.AsyncClient(base_url=web, timeout=30) as http:
        response = await http.get("/legacy-migration/jobs",
                                  headers={"Authorization": f"Bearer {key}"})
    code = response.json()["error"]["code"] if response.status_code != 200 else None
    return response.status_code, code
