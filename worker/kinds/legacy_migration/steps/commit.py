"""Step 8: create the entity and write all staged data to the target in one transaction,
which also completes the job."""

from __future__ import annotations

from worker.db.queries import q
from worker.db.types import Conn
from worker.errors import StepFailed
from worker.ids import new_entity_id
from worker.kinds.legacy_migration.context import LegacyContext
from worker.models import StepStatus
from worker.target.errors import CommitMismatch
from worker.target.records import Entity
from worker.target.writer import create_entity, staged_counts, write_staged

VALIDATION_STEP = 7


async def _refuse_unless_validated(ctx: LegacyContext) -> None:
    runs = {r.step_number: r for r in await ctx.run.step_store.report(ctx.run.job_id)}
    validation = runs.get(VALIDATION_STEP)
    if validation is None or validation.status != StepStatus.FINISHED or not all(
        c["passed"] for c in validation.checks or []
    ):
        raise StepFailed("Step 7 did not pass, so nothing was committed; retry the job.",
                         code="VALIDATION_FAILED")


async def _entity(conn: Conn, ctx: LegacyContext, entity_id: str) -> Entity:
    """The entity, from the legacy organisation step 1 staged."""
    org = await conn.fetchrow(q("staged_organization"), ctx.run.job_id)
    if org is None:
        raise CommitMismatch("The commit was rolled back, nothing was written: the legacy "
                             "organisation was not staged (step 1). Retry the job.")
    return Entity(id=entity_id, environment=ctx.environment, name=org["name"],
                  currency=org["currency"], source_job_id=ctx.run.job_id,
                  legacy_org_id=org["legacy_id"], country=org["country"],
                  tax_number=org["tax_number"])


async def commit(ctx: LegacyContext) -> None:
    """Step 8. The job is completed by the end of the same transaction (the engine's final
    transaction), so a crash leaves either nothing in the target or everything and a
    completed job."""
    await _refuse_unless_validated(ctx)
    staged = sum((await staged_counts(ctx.run.pool, ctx.run.job_id)).values())
    await ctx.run.progress(f"Committing to target: writing {staged} records in one transaction")
    entity_id = new_entity_id()
    run = ctx.run.step_run
    async with ctx.run.final_transaction("Committing to target: finishing") as conn:
        # a refusal (ALREADY_MIGRATED, COMMIT_MISMATCH) fails the job with its own words
        await create_entity(conn, await _entity(conn, ctx, entity_id))
        written = await write_staged(conn, ctx.run.job_id, entity_id)
        run.created_count = sum(written.values())
        run.source_count = run.created_count
        run.checks = {"written": written, "entity_id": entity_id}
        ctx.run.complete_with(f"Migration completed: {run.created_count} records written to "
                              f"entity {entity_id}.", entity_id=entity_id)
    ctx.run.log.info("migration committed", entity_id=entity_id, written=written)
