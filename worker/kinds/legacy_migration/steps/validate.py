"""Step 7: staged data against the source, per kind and per currency; references resolve."""

from __future__ import annotations

from typing import Any

from worker.db.queries import q
from worker.errors import StepFailed
from worker.kinds.legacy_migration.context import LegacyContext
from worker.store.steps import StepRunRow

# staging kind -> (step that staged it, skipped kind in staging.skipped)
_KINDS = {"taxes": (2, None), "clients": (3, None), "items": (4, None),
          "documents": (5, "document"), "payments": (6, "payment")}
_STAGING_TABLES = ("taxes", "tax_rates", "customers", "items", "documents", "document_lines",
                   "payments")
# A job that staged at least this many records refreshes the staging tables' statistics
# before its commit: enough rows to change the plans of step 8's joins. Below it (a small
# organisation) the seven ANALYZEs cost more than the commit they would plan (a fifth of
# a small job's Postgres time) and autovacuum keeps the statistics of a growing table.
ANALYZE_AFTER_RECORDS = 10_000


def _failed(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in checks if not c["passed"]]


async def build_checks(ctx: LegacyContext, runs: dict[int, StepRunRow]) -> list[dict[str, Any]]:
    """Every check of step 7, each with its figures and outcome (`runs`: the job's step
    runs by number)."""
    async with ctx.run.pool.acquire() as conn:
        staged = {r["kind"]: r["n"] for r in await conn.fetch(q("staged_counts"), ctx.run.job_id)}
        skipped = {r["kind"]: r["n"] for r in await conn.fetch(q("skipped_counts"), ctx.run.job_id)}
        totals = {
            "documents": {r["currency"]: r["total"]
                          for r in await conn.fetch(q("staged_document_totals"), ctx.run.job_id)},
            "payments": {r["currency"]: r["total"]
                         for r in await conn.fetch(q("staged_payment_totals"), ctx.run.job_id)},
        }
        references = await conn.fetch(q("unresolved_references"), ctx.run.job_id)
    checks: list[dict[str, Any]] = []
    for kind, (step, skipped_kind) in _KINDS.items():
        source = runs[step].source_count
        kind_skipped = skipped.get(skipped_kind, 0) if skipped_kind else 0
        checks.append({
            "check": f"{kind} count", "source": source, "staged": staged[kind],
            "skipped": kind_skipped, "passed": source == staged[kind] + kind_skipped,
        })
    for kind, step in (("documents", 5), ("payments", 6)):
        source_totals = runs[step].source_totals
        for currency in sorted(set(source_totals) | set(totals[kind])):
            expected, actual = source_totals.get(currency, 0), totals[kind].get(currency, 0)
            checks.append({
                "check": f"{kind} total {currency}", "source": expected, "staged": actual,
                "passed": expected == actual,
            })
    for row in references:
        checks.append({"check": f"references {row['reference']}", "unresolved": row["n"],
                       "passed": row["n"] == 0})
    return checks


def describe_failures(failed: list[dict[str, Any]]) -> str:
    parts = []
    for check in failed:
        if "unresolved" in check:
            parts.append(f"{check['check']}: {check['unresolved']} do not resolve")
        else:
            parts.append(f"{check['check']}: source {check['source']}, staged {check['staged']}"
                         + (f", skipped {check['skipped']}" if check.get("skipped") else ""))
    return "; ".join(parts)


async def validate(ctx: LegacyContext) -> None:
    """Step 7 (its start showed "Validating migrated data")."""
    runs = {r.step_number: r for r in await ctx.run.step_store.report(ctx.run.job_id)}
    if sum(runs[step].created_count for step, _ in _KINDS.values()) >= ANALYZE_AFTER_RECORDS:
        async with ctx.run.pool.acquire() as conn:
            for table in _STAGING_TABLES:
                # fresh statistics, so that step 8's set-wise joins get good plans
                await conn.execute(f"ANALYZE staging.{table}")
    checks = await build_checks(ctx, runs)
    ctx.run.step_run.checks = checks
    ctx.run.step_run.source_count = len(checks)
    failed = _failed(checks)
    ctx.run.step_run.created_count = len(checks) - len(failed)
    ctx.run.step_run.error_count = len(failed)
    async with ctx.run.page(f"Validating migrated data: {len(checks) - len(failed)} of "
                        f"{len(checks)} checks passed"):
        pass
    if failed:
        raise StepFailed(
            "The staged data does not match the legacy source, so nothing was committed: "
            f"{describe_failures(failed)}. The legacy data may have changed during the "
            "migration; retry the job to read it again.",
            code="VALIDATION_FAILED",
        )
