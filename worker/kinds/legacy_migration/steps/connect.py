"""Step 1: check the legacy session, load the organisation, detect unsupported data."""

from __future__ import annotations

from collections import Counter
from typing import Any

from worker.db.queries import q
from worker.errors import StepFailed
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.source.convert import unsupported_reason
from worker.money import is_iso_currency
from worker.sources.http import parse_json

PAYMENTS_OF_UNSUPPORTED = "payments of unsupported documents"


def describe_unsupported(found: dict[str, int]) -> str:
    """`2 documents of type delivery-note; 3 payments of unsupported documents`."""
    return "; ".join(f"{count} {kind}" for kind, count in sorted(found.items()))


async def _scan_unsupported(ctx: LegacyContext) -> Counter[str]:
    """Count what the target cannot hold. Documents are read once, and their pages kept for
    step 5 (worker/sources/kept_pages.py); payments only when some documents are
    unsupported (a payment is unsupported only through its document)."""
    found: Counter[str] = Counter()
    unsupported_documents: set[str] = set()
    total = await ctx.legacy.count(ctx.legacy_org_id, "documents")
    page_size = ctx.run.settings.legacy_page_size
    # Parsed for the scan only (each record's type and currency, which are text:
    # parse_json_scan); a page that holds an unsupported document is read again exactly for
    # what is reported of it (its IDs and reasons). Step 5 stages the kept page's exact text.
    async for skip, rows, body in ctx.legacy.pages_with_bodies(
            ctx.legacy_org_id, "documents", page_size=page_size, exact=False):
        await ctx.kept.keep("documents", skip, body)
        if any(unsupported_reason(raw) is not None for raw in rows):
            for raw in parse_json(body):
                reason = unsupported_reason(raw)
                if reason is not None:
                    found[reason] += 1
                    unsupported_documents.add(str(raw.get("id")))
        await ctx.run.progress(f"Connecting to legacy account: checked {skip + len(rows)} of "
                           f"{total} documents for unsupported data")
    if unsupported_documents:
        async for _, rows in ctx.legacy.pages(ctx.legacy_org_id, "payments", page_size=page_size):
            for raw in rows:
                if str(raw.get("documentId")) in unsupported_documents:
                    found[PAYMENTS_OF_UNSUPPORTED] += 1
            await ctx.run.progress("Connecting to legacy account: checking payments")
    await ctx.kept.keep_count("documents", total)
    return found


async def connect(ctx: LegacyContext) -> None:
    """Step 1 (its start showed "Connecting to legacy account")."""
    org: dict[str, Any] = await ctx.legacy.organization(ctx.legacy_org_id)
    currency = org.get("currencyId")
    if not is_iso_currency(currency):
        raise StepFailed(
            f"The legacy organisation's currency {currency!r} is not an ISO 4217 currency, "
            "which the new platform requires. Change it in the legacy account and retry.",
            code="UNSUPPORTED_DATA",
        )
    found = await _scan_unsupported(ctx)
    ctx.run.step_run.checks = {"organization": {"name": org.get("name"), "currency": currency},
                      "unsupported": dict(found)}
    ctx.run.step_run.skipped_count = sum(found.values())
    if found and not ctx.confirm_unsupported_data:
        ctx.run.step_run.error_count = sum(found.values())
        async with ctx.run.page("Connecting to legacy account: unsupported data found"):
            pass
        raise StepFailed(
            "The legacy organisation holds data the new platform cannot store: "
            f"{describe_unsupported(found)}. Create the job again with "
            "confirm_unsupported_data: true to migrate everything else and skip these, or "
            "remove them from the legacy account first.",
            code="UNSUPPORTED_DATA",
        )
    async with ctx.run.page("Connecting to legacy account: organisation loaded") as conn:
        await conn.execute(
            q("stage_organization"), ctx.run.job_id, str(org.get("id")), str(org.get("name") or ""),
            org.get("countryAlpha2Code") or org.get("country"), org.get("taxNumber"), currency,
        )
