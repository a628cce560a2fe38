"""API keys made in-process, for fixtures that need many: the CLI (harness.processes.
create_key) costs a Python start-up each, and is what the CLI's own tests use."""

from __future__ import annotations

import asyncpg

from worker.store.api_keys import create_api_key
from worker.store.audit import Actor

# in the audit log, as the CLI's own entries are, named apart
HARNESS = Actor("cli", key_label="harness")


async def make_key(pool: asyncpg.Pool, *accounts: str, label: str | None = None) -> str:
    """A new key for `accounts` (an operator's key when none); the key itself."""
    return await create_api_key(pool, list(accounts), by=HARNESS, operator=not accounts,
                                label=label)
