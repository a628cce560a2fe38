"""Step 6: payments, in the currency of the document they pay."""

from __future__ import annotations

from typing import Any

from worker.db.queries import q
from worker.db.types import Conn
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.source import convert
from worker.kinds.legacy_migration.steps.paging import PageOutcome, stage_resource
from worker.staging.copy import copy_records, copy_rows
from worker.target.records import Payment


async def _stage_payments(ctx: LegacyContext, conn: Conn,
                          rows: list[dict[str, Any]]) -> PageOutcome:
    outcome = PageOutcome()
    document_ids = list({str(raw.get("documentId")) for raw in rows})
    currencies = {
        r["legacy_id"]: r["currency"]
        for r in await conn.fetch(q("staged_document_currencies"), ctx.run.job_id, document_ids)
    }
    skipped_documents = {
        r["legacy_id"]
        for r in await conn.fetch(q("skipped_ids"), ctx.run.job_id, "document", document_ids)
    }
    payments, skipped = [], []
    for raw in rows:
        document_id = str(raw.get("documentId"))
        if document_id in currencies:
            payment = convert.payment_row(ctx.run.job_id, raw, currencies[document_id])
            payments.append(payment)
            outcome.add_total(payment[convert.PAYMENT_CURRENCY], payment[convert.PAYMENT_AMOUNT])
        elif document_id in skipped_documents:
            skipped.append((ctx.run.job_id, "payment", str(raw.get("id")),
                            "payments of unsupported documents"))
        else:
            # a payment of a document the source does not have: step 7 reports it
            outcome.errors += 1
            ctx.run.log.warning("payment of an unknown document", payment_id=raw.get("id"),
                                document_id=document_id)
    outcome.created = await copy_records(conn, Payment, payments)
    outcome.skipped = await copy_rows(conn, "skipped", convert.SKIPPED_COLUMNS, skipped)
    return outcome


async def migrate_payments(ctx: LegacyContext) -> None:
    """Step 6: payments against documents."""
    await stage_resource(ctx, resource="payments", label="payments",
                         stage_page=_stage_payments)
