"""A wizard migration's life (wizard-api.md): created in `setup`; its status computed from
the imports attached; `ready_to_execute` only through a passing validate; `executing` while
its execute job runs; `completed` or `abandoned` for good. One active migration per account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import asyncpg

from worker.db.types import Conn, Executor
from worker.ids import new_id
from worker.store import audit, events
from worker.store.audit import Actor
from worker.wizard.errors import (
    CashVatNotSupported,
    InvalidCutoverDate,
    InvalidImport,
    InvalidTransition,
    MigrationNotFound,
    MigrationSingletonViolation,
)
from worker.wizard.records import ImportType
from worker.wizard.statuses import EDITABLE, MigrationStatus
from worker.wizard.store import ImportRow, MigrationRow, MigrationWithJob, WizardStore

# A wizard migration's ID prefix: `wmig_`, apart from legacy jobs' `mig_` (migrations
# created before keep their `mig_` IDs: migration 0019)
MIGRATION_ID_PREFIX = "wmig"

SLOTS = tuple(t.value for t in ImportType)  # contacts, balances, invoices, bills
HISTORY_LIMIT = 50


def attachments(migration: MigrationRow) -> dict[str, str | None]:
    """{import type: attached import ID or None}, in the order of SLOTS."""
    return {"contacts": migration.contacts_import_id, "balances": migration.balances_import_id,
            "invoices": migration.invoices_import_id, "bills": migration.bills_import_id}


def computed_status(current: MigrationStatus, attached: dict[str, str | None],
                    deferred: dict[str, str]) -> MigrationStatus:
    """The status the attached imports give (a status the imports do not decide is kept):
    `files_attached` once any import is attached, `preview_ready` once contacts and
    balances are and no deferred sheet is left unprocessed. Any change of attachments
    after a validate goes back to one of these: the gates must pass again."""
    if current not in EDITABLE:
        return current
    if not any(attached.values()):
        return MigrationStatus.SETUP
    if attached["contacts"] and attached["balances"] and not deferred:
        return MigrationStatus.PREVIEW_READY
    return MigrationStatus.FILES_ATTACHED


def check_cutover(cutover: date, today: date) -> None:
    if (cutover + timedelta(days=1)).day != 1:
        raise InvalidCutoverDate(
            f"The cutover date {cutover.isoformat()} is not the last day of a month: opening "
            "balances are taken from a trial balance at a month end. Use e.g. "
            f"{_month_end(cutover).isoformat()}.")
    if cutover > today:
        raise InvalidCutoverDate(
            f"The cutover date {cutover.isoformat()} is in the future: the trial balance must "
            "be as at a month end that has passed.")


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


async def create_migration(pool: asyncpg.Pool, *, account_id: str, provider: str,
                           cutover: date, today: date, by: Actor, currency: str = "GBP",
                           date_order: str | None = None) -> MigrationWithJob:
    """A new migration in `setup`. Refused for a cash-VAT account, a cutover that is not a
    past month end, or when the account already has an active migration."""
    store = WizardStore(pool)
    await require_supported_vat_scheme(pool, account_id)
    check_cutover(cutover, today)
    try:
        async with pool.acquire() as conn, conn.transaction():
            row = await store.insert_migration(
                new_id(MIGRATION_ID_PREFIX), account_id=account_id, provider=provider,
                cutover=cutover, currency=currency, date_order=date_order, conn=conn)
            await audit.record(conn, by, "migration.created", subject=row.id,
                               account_id=account_id, details={
                                   "provider": provider, "cutover": cutover.isoformat(),
                                   "currency": currency})
    except asyncpg.UniqueViolationError:
        active = await store.active_migration(account_id)
        if active is None:  # abandoned or finished since: the rule's own words
            raise MigrationSingletonViolation() from None
        raise MigrationSingletonViolation(
            f"This account already has an active migration, {active.id} "
            f"({active.status}): finish it, or abandon it with DELETE /migrations/"
            f"{active.id}, before starting another.") from None
    return await _reread(store, row.id, account_id)


async def require_supported_vat_scheme(executor: Executor, account_id: str) -> None:
    """CashVatNotSupported for an account on the cash VAT scheme: checked at every step
    that moves a migration on (create, validate, execute and its rehearsal), since the
    account's scheme may be changed (PATCH /account) after the migration was created."""
    if await WizardStore.vat_scheme_of(executor, account_id) == "cash":
        raise CashVatNotSupported()


async def locked_migration(conn: Conn, migration_id: str, account_id: str) -> MigrationRow:
    """The migration, locked for the rest of the caller's transaction."""
    row = await WizardStore.lock_migration(conn, migration_id, account_id)
    if row is None:
        raise MigrationNotFound.named(migration_id)
    return row


def require_editable(migration: MigrationRow, action: str) -> None:
    if migration.status not in EDITABLE:
        raise InvalidTransition(f"Migration {migration.id} is {migration.status}: "
                                f"{action} is not possible any more.")


async def save_attachments(conn: Conn, migration: MigrationRow,
                           changes: Mapping[str, str | None], *,
                           provider_upload_id: str | None = None,
                           deferred: dict[str, str] | None = None) -> None:
    """Attach (an ID) or detach (None) imports and recompute the status, inside the
    caller's transaction, on a migration it locked. Every import attached must be of the
    account and of its slot's type."""
    require_editable(migration, "changing its imports")
    wanted = [i for i in changes.values() if i is not None]
    found = await WizardStore.imports(conn, wanted, migration.account_id)
    for slot, import_id in changes.items():
        if import_id is None:
            continue
        found_import = found.get(import_id)
        if found_import is None:
            raise InvalidImport(f"There is no import {import_id!r} in this account to attach "
                                f"as {slot}.")
        if found_import.type != slot:
            raise InvalidImport(f"Import {import_id} is a {found_import.type} import; it "
                                f"cannot be attached as {slot}.")
    attached = {**attachments(migration), **changes}
    deferred = dict(migration.deferred_sheets if deferred is None else deferred)
    status = computed_status(migration.status, attached, deferred)
    await WizardStore.save_attachments(
        conn, migration.id, attached,
        provider_upload_id=provider_upload_id or migration.provider_upload_id,
        deferred_sheets=deferred, status=status)


async def attach_imports(pool: asyncpg.Pool, *, migration_id: str, account_id: str,
                         changes: dict[str, str | None]) -> MigrationWithJob:
    """POST /migrations/{id}/upload: attach or detach imports; the migration after."""
    async with pool.acquire() as conn, conn.transaction():
        migration = await locked_migration(conn, migration_id, account_id)
        await save_attachments(conn, migration, changes)
    return await _reread(WizardStore(pool), migration_id, account_id)


async def abandon_migration(pool: asyncpg.Pool, *, migration_id: str, account_id: str,
                            by: Actor) -> MigrationWithJob:
    store = WizardStore(pool)
    async with pool.acquire() as conn, conn.transaction():
        abandoned = await store.abandon(migration_id, account_id, conn)
        if abandoned is not None:
            await audit.record(conn, by, "migration.abandoned", subject=migration_id,
                               account_id=account_id)
    if abandoned is None:
        existing = await store.migration(migration_id, account_id)
        if existing is None:
            raise MigrationNotFound.named(migration_id)
        raise InvalidTransition(f"Migration {migration_id} is {existing.status}: only a "
                                "migration that is neither executing nor finished can be "
                                "abandoned.")
    return await _reread(store, migration_id, account_id)


async def _reread(store: WizardStore, migration_id: str,
                  account_id: str) -> MigrationWithJob:
    """The migration after a change, with its execute job's status (a migration is never
    deleted: found)."""
    row = await store.migration(migration_id, account_id)
    if row is None:
        raise MigrationNotFound.named(migration_id)
    return row


@dataclass(frozen=True)
class MigrationSnapshot:
    """A migration, its attached imports, their jobs (and its execute job), and the version
    of the whole: the greatest of theirs and of their jobs' events."""

    row: MigrationWithJob
    imports: dict[str, ImportRow]
    jobs: list[str]
    version: int


async def migration_snapshot(pool: asyncpg.Pool, migration_id: str,
                             account_id: str) -> MigrationSnapshot:
    """The migration as one snapshot (its parts read together); MigrationNotFound."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                        readonly=True):
        row = await WizardStore(pool).migration(migration_id, account_id, conn)
        if row is None:
            raise MigrationNotFound.named(migration_id)
        wanted = [i for i in attachments(row).values() if i]
        imports = await WizardStore.imports(conn, wanted, account_id)
        jobs = [i.job_id for i in imports.values()]
        jobs += [row.execute_job_id] if row.execute_job_id else []
        version = max([row.version, await events.latest_job_event(conn, jobs),
                       *(i.version for i in imports.values())])
    return MigrationSnapshot(row, dict(imports), jobs, version)
