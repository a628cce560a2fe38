"""Step 8: create the entity and write all staged data to the target in one transaction,
which also completes the job."""

from __future__ import annotations

from worker.db.queries import q
from worker.errors import StepFailed
from worker.ids import new_entity_id
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.target import (
    CommitMismatch,
    LiveAlreadyExists,
    write_entity,
    write_records,
)

VALIDATION_STEP = 7


async def _refuse_unless_validated(ctx: LegacyContext) -> None:
    runs = {r["step_number"]: r for r in await ctx.run.step_store.report(ctx.run.job_id)}
    validation = runs.get(VALIDATION_STEP)
    if validation is None or validation["status"] != "finished" or not all(
        c["passed"] for c in validation["checks"] or []
    ):
        raise StepFailed("Step 7 did not pass, so nothing was committed; retry the job.",
                         code="VALIDATION_FAILED")


async def commit(ctx: LegacyContext) -> None:
    """Step 8. The job is completed by the end of the same transaction (the engine's final
    transaction), so a crash leaves either nothing in the target or everything and a
    completed job."""
    await _refuse_unless_validated(ctx)
    counts = await ctx.run.pool.fetchrow(q("staged_row_counts"), ctx.run.job_id)
    staged = sum(counts.values()) if counts else 0
    await ctx.run.progress(f"Committing to target: writing {staged} records in one transaction")
    entity_id = new_entity_id()
    run = ctx.run.step_run
    async with ctx.run.final_transaction("Committing to target: finishing") as conn:
        try:
            await write_entity(conn, ctx.run.job_id, entity_id, ctx.environment)
            written = await write_records(conn, ctx.run.job_id, entity_id)
        except LiveAlreadyExists:
            raise StepFailed(
                "This legacy organisation was already migrated to live by another job; "
                "nothing was written. Use a sandbox migration to try again.",
                code="ALREADY_MIGRATED",
            ) from None
        except CommitMismatch as exc:
            raise StepFailed(f"The commit was rolled back, nothing was written: {exc}. "
                             "Retry the job.", code="COMMIT_MISMATCH") from None
        run.created_count = sum(written.values())
        run.source_count = run.created_count
        run.checks = {"written": written, "entity_id": entity_id}
        ctx.run.complete_with(f"Migration completed: {run.created_count} records written to "
                              f"entity {entity_id}.", entity_id=entity_id)
    ctx.run.log.info("migration committed", entity_id=entity_id, written=written)
