"""The wizard's execute as a job kind: step 1 checks the gates again (nothing may have
changed since validate), step 2 writes everything in the engine's final transaction, which
also completes the migration and the job; a failure puts the migration back to
ready_to_execute with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from worker.db.types import Conn
from worker.engine.context import JobRun
from worker.engine.kind import JobKind, Step
from worker.errors import ServiceError, StepFailed
from worker.ids import new_entity_id
from worker.kinds.wizard_execute.books import write_migration
from worker.services import Services
from worker.store.jobs import JobRow
from worker.wizard.gates import MigrationData, evaluate, load_migration_data, require_gates
from worker.wizard.migrations import require_supported_vat_scheme
from worker.wizard.proof import GateResult, Journal
from worker.wizard.store import MigrationRow, WizardStore

NAME = "wizard_execute"


@dataclass
class ExecuteContext:
    """One run of an execute: the engine's run, the migration, and (once step 1 read them,
    kept for step 2 of the same run) its records and the journal they give."""

    run: JobRun
    migration: MigrationRow
    data: MigrationData | None = field(default=None)
    journal: Journal | None = field(default=None)

    async def checked(self) -> tuple[list[GateResult], MigrationData, Journal | None]:
        data = await load_migration_data(self.run.pool, self.migration)
        gates, journal = evaluate(self.migration, data)
        self.data, self.journal = data, journal
        return gates, data, journal


async def check_gates(ctx: ExecuteContext) -> None:
    """Step 1: the gates again (nothing may have changed since validate)."""
    await ctx.run.progress("Checking the gates")
    await require_supported_vat_scheme(ctx.run.pool, ctx.migration.account_id)
    gates, _, journal = await ctx.checked()
    ctx.run.step_run.checks = [g.as_dict() for g in gates]
    ctx.run.step_run.source_count = len(gates)
    ctx.run.step_run.created_count = sum(g.passed for g in gates)
    require_gates(gates, journal)


async def write_to_target(ctx: ExecuteContext) -> None:
    """Step 2: one transaction; the proof is read back from what it wrote."""
    data, journal = ctx.data, ctx.journal
    if data is None or journal is None:  # resumed at this step: step 1 ran in another run
        gates, data, built = await ctx.checked()
        journal = require_gates(gates, built)
    migration = ctx.migration
    run = ctx.run.step_run
    run.source_count = len(journal.entries)
    await ctx.run.progress(f"Writing to the target: {len(data.contacts)} contacts, "
                           f"{len(journal.entries)} journal entries")
    entity_id = new_entity_id()
    async with ctx.run.final_transaction("Writing to the target: finishing") as conn:
        # the account's scheme may have changed since step 1: checked where it commits
        await require_supported_vat_scheme(conn, migration.account_id)
        written = await write_migration(conn, migration=migration, data=data, journal=journal,
                                        entity_id=entity_id, job_id=ctx.run.job_id)
        if not await WizardStore.complete_migration(conn, migration.id, entity_id=entity_id,
                                                    reconciliation=written.proof):
            raise StepFailed("The migration is no longer executing; nothing was written.",
                             code="EXECUTE_INTERRUPTED")
        run.created_count = run.source_count
        run.checks = written.proof
        ctx.run.complete_with(f"Migration completed: {written.proof['written']['journalEntries']}"
                              f" journal entries written to entity {entity_id}.", entity_id)


@asynccontextmanager
async def open_run(run: JobRun, job: JobRow, services: Services) -> AsyncIterator[ExecuteContext]:
    migration = await WizardStore(services.pool).migration_of_job(run.job_id)
    if migration is None:
        raise StepFailed("This execute job has no migration.", code="EXECUTE_ORPHANED")
    yield ExecuteContext(run, migration)


def describe_failure(exc: BaseException, step: Step[Any]) -> ServiceError | None:
    """The target's own guarantees, refusing a write, in the user's words."""
    if isinstance(exc, asyncpg.CheckViolationError):
        return ServiceError(f"The target refused the migration's journal ({exc}); nothing was "
                            "written. Check the imports' figures and execute again.",
                            code="JOURNAL_REFUSED")
    return None


async def execute_failed(conn: Conn, job_id: str, error: ServiceError) -> None:
    """With the job's failure: the migration may be executed again, and says why not."""
    await WizardStore.execute_failed(conn, job_id, {"code": error.code,
                                                    "message": error.message})


WIZARD_EXECUTE: JobKind[ExecuteContext] = JobKind(
    name=NAME,
    steps=(Step(1, "Checking the gates", check_gates),
           Step(2, "Writing to the target", write_to_target, finishes_job=True)),
    open=open_run, describe_failure=describe_failure, on_fail=execute_failed,
    # a failed execute is run again by POST /migrations/{id}/execute, which re-checks all
    operator_retry=False,
)
