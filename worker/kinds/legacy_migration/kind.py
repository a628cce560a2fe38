"""The legacy migration as a job kind: its 8 steps, how a run opens the legacy API with the
job's sealed token, its failures, and what it cleans up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from worker.db.types import Conn
from worker.engine.context import JobRun
from worker.engine.kind import JobKind, Step
from worker.errors import StepFailed
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.failures import describe_failure
from worker.kinds.legacy_migration.source.client import LegacyClient
from worker.kinds.legacy_migration.source.errors import LegacyBadResponse
from worker.kinds.legacy_migration.steps.commit import commit
from worker.kinds.legacy_migration.steps.connect import connect
from worker.kinds.legacy_migration.steps.documents import migrate_documents
from worker.kinds.legacy_migration.steps.payments import migrate_payments
from worker.kinds.legacy_migration.steps.reference_data import (
    migrate_customers,
    migrate_items,
    migrate_taxes,
)
from worker.kinds.legacy_migration.steps.validate import validate
from worker.kinds.legacy_migration.store import LegacyMigrationStore
from worker.services import Services
from worker.sources.http import RetryPolicy
from worker.sources.kept_pages import KeptPages
from worker.staging.cleanup import clear_staging
from worker.store.jobs import JobRow

NAME = "legacy_migration"

STEPS: tuple[Step[LegacyContext], ...] = (
    Step(1, "Connecting to legacy account", connect),
    Step(2, "Migrating tax rates", migrate_taxes, record_type="taxes"),
    Step(3, "Migrating customers", migrate_customers, record_type="clients"),
    Step(4, "Migrating items", migrate_items, record_type="items"),
    Step(5, "Migrating documents", migrate_documents, record_type="documents"),
    Step(6, "Migrating payments", migrate_payments, record_type="payments"),
    Step(7, "Validating migrated data", validate),
    Step(8, "Committing to target", commit, finishes_job=True),
)


@asynccontextmanager
async def open_run(run: JobRun, job: JobRow, services: Services) -> AsyncIterator[LegacyContext]:
    """The legacy API client, logged in with the job's token, and the job's fields."""
    details = await LegacyMigrationStore(services.pool).details(run.job_id)
    try:
        token = (services.box.open(details.sealed_token)
                 if details and details.sealed_token is not None else None)
    except (ValueError, TypeError):
        token = None
    if details is None or token is None:
        raise StepFailed(
            "The job's legacy session cannot be read (it was removed or the service's "
            "SECRET_KEY changed). Log in again and retry the job with the new "
            "legacy_session_id.", code="LEGACY_SESSION_MISSING")
    settings = services.settings
    legacy = LegacyClient(
        settings.legacy_api_url, token=token, timeout=settings.legacy_timeout_seconds,
        policy=RetryPolicy(settings.legacy_max_retries, settings.legacy_backoff_base_seconds,
                           settings.legacy_backoff_max_seconds),
        read_ahead=settings.legacy_read_ahead,
    )

    async def on_retry(reason: str, label: str, wait: float, retry: int) -> None:
        await run.on_source_retry(f"legacy API {reason}", wait, retry, label=label)

    legacy.on_retry = on_retry
    kept = KeptPages(run.pool, run.job_id, run.owner, settings.legacy_page_size,
                     bad_page=LegacyBadResponse)
    try:
        yield LegacyContext(run=run, legacy=legacy, kept=kept,
                            legacy_org_id=details.fields.legacy_org_id,
                            environment=details.fields.environment,
                            confirm_unsupported_data=details.confirm_unsupported_data)
    finally:
        await legacy.aclose()


async def forget_token(conn: Conn, job_id: str) -> None:
    """With the job's completion or cancellation: the sealed legacy token is wiped."""
    await LegacyMigrationStore.wipe_token(conn, job_id)


async def clean_up(services: Services, job_id: str) -> None:
    """Once completed or cancelled: the staged rows go."""
    await clear_staging(services.pool, job_id)


LEGACY_MIGRATION: JobKind[LegacyContext] = JobKind(
    name=NAME, steps=STEPS, open=open_run, describe_failure=describe_failure,
    on_end=forget_token, clean_up=clean_up,
)
