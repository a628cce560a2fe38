"""`python -m worker.release`: apply the SQL migrations (the Procfile's release process)."""

from __future__ import annotations

import asyncio
import sys

from worker.db.pool import connect
from worker.db.schema import apply_migrations
from worker.deployment import start_or_exit
from worker.settings import get_settings


async def release(dsn: str) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when current)."""
    conn = await connect(dsn)
    try:
        return [f"{m.version:04d}_{m.name}" for m in await apply_migrations(conn)]
    finally:
        await conn.close()


def main() -> int:
    settings = get_settings()
    start_or_exit(settings, "the release")
    applied = asyncio.run(release(settings.database_url))
    print("applied: " + ", ".join(applied) if applied else "schema is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
