"""One prefix, one meaning: legacy jobs are `mig_…`, the wizard's migrations `wmig_…` and
its jobs `job_…`; a wizard migration created before it had a prefix of its own (`mig_…`)
is still found by its ID."""

from __future__ import annotations

import re
from datetime import date

import asyncpg

from harness.wizard import Wizard


async def test_a_wizard_migration_has_an_id_of_its_own(wizard: Wizard) -> None:
    migration = await wizard.create()
    assert re.fullmatch(r"wmig_[0-9a-f]{24}", migration["id"]), migration["id"]


async def test_a_migration_made_before_the_prefix_is_still_found(wizard: Wizard,
                                                                  db: asyncpg.Pool) -> None:
    old_id = "mig_0000000000000000000000aa"
    await db.execute("INSERT INTO accounts (id) VALUES ($1) ON CONFLICT DO NOTHING",
                     wizard.account)
    await db.execute("INSERT INTO wizard_migrations (id, account_id, provider, cutover_date) "
                     "VALUES ($1, $2, 'freeagent', $3)", old_id, wizard.account,
                     date(2026, 9, 30))
    found = await wizard.ok("GET", f"/migrations/{old_id}")
    assert found["id"] == old_id
    assert (await wizard.ok("GET", "/migrations/active"))["id"] == old_id
