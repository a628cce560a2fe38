"""Confirming an import after its review (POST /imports/{id}/confirm): needs_review →
confirmed, or the reason it cannot be."""

from __future__ import annotations

import asyncpg

from worker.models import JobStatus
from worker.wizard.errors import ImportNotConfirmable, ImportNotFound, ImportNotReady
from worker.wizard.store import WizardStore


async def confirm_import(pool: asyncpg.Pool, *, import_id: str, account_id: str) -> None:
    """needs_review → confirmed, unless something blocks it (its blockers say what)."""
    store = WizardStore(pool)
    if await store.confirm_import(import_id, account_id):
        return
    found = (await WizardStore.imports(pool, [import_id], account_id)).get(import_id)
    if found is None:
        raise ImportNotFound.named(import_id)
    if found.confirmed_at is not None:
        raise ImportNotReady(f"Import {import_id} is already confirmed.")
    if found.job_status is not JobStatus.COMPLETED:
        state = {JobStatus.PENDING: "queued", JobStatus.RUNNING: "still processing"}.get(
            found.job_status, "failed")
        raise ImportNotReady(f"Import {import_id} is {state}: only an import that needs "
                             "review can be confirmed.")
    raise ImportNotConfirmable(f"Import {import_id} cannot be confirmed: "
                               + " ".join(found.blockers))
