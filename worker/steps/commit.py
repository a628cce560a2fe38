"""Step 8: create the entity and write all staged data to the target in one transaction."""

from __future__ import annotations

from worker.db.queries import q
from worker.engine.context import JobContext
from worker.engine.errors import JobCancelled, LeaseLost, StepFailed
from worker.ids import new_entity_id
from worker.store.jobs import checkpoint
from worker.target.writer import CommitMismatch, LiveAlreadyExists, write_entity, write_records


async def _refuse_unless_validated(ctx: JobContext) -> None:
    runs = {r["step_number"]: r for r in await ctx.steps.report(ctx.job_id)}
    step7 = runs.get(7)
    if step7 is None or step7["status"] != "finished" or not all(
        c["passed"] for c in step7["checks"] or []
    ):
        raise StepFailed("VALIDATION_FAILED",
                         "Step 7 did not pass, so nothing was committed; retry the job.")


async def commit(ctx: JobContext) -> None:
    """Step 8. The job is marked completed by the last statement of the same transaction,
    so a crash leaves either nothing in the target or everything and a completed job."""
    await _refuse_unless_validated(ctx)
    counts = await ctx.pool.fetchrow(q("staged_row_counts"), ctx.job_id)
    staged = sum(counts.values()) if counts else 0
    await ctx.progress(f"Committing to target: writing {staged} records in one transaction")
    entity_id = new_entity_id()
    async with ctx.pool.acquire() as conn, conn.transaction():
        try:
            await write_entity(conn, ctx.job_id, entity_id, ctx.environment)
            written = await write_records(conn, ctx.job_id, entity_id)
        except LiveAlreadyExists:
            raise StepFailed(
                "ALREADY_MIGRATED",
                "This legacy organisation was already migrated to live by another job; "
                "nothing was written. Use a sandbox migration to try again.",
            ) from None
        except CommitMismatch as exc:
            raise StepFailed("COMMIT_MISMATCH",
                             f"The commit was rolled back, nothing was written: {exc}. "
                             "Retry the job.") from None
        ctx.run.created_count = sum(written.values())
        ctx.run.source_count = ctx.run.created_count
        ctx.run.checks = {"written": written, "entity_id": entity_id}
        # Lock the job row only now, at the end, so that heartbeats are not held up.
        cancel = await checkpoint(conn, ctx.job_id, ctx.owner, ctx.step_name, 8,
                                  "Committing to target: finishing")
        if cancel is None:
            raise LeaseLost(ctx.job_id)
        if cancel:
            raise JobCancelled(ctx.job_id)
        await ctx.run.save(conn)
        await conn.execute(q("finish_step"), ctx.job_id, 8)
        done = await conn.fetchval(
            q("complete_job"), ctx.job_id, ctx.owner, entity_id,
            f"Migration completed: {ctx.run.created_count} records written to entity "
            f"{entity_id}.",
        )
        if done is None:
            raise LeaseLost(ctx.job_id)
    ctx.log.info("migration committed", entity_id=entity_id, written=written)
