"""Step 5: documents with their lines; unsupported ones skipped when the user confirmed."""

from __future__ import annotations

from typing import Any

from worker.db.types import Conn
from worker.errors import StepFailed
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.source import convert
from worker.kinds.legacy_migration.steps.paging import PageOutcome, stage_resource
from worker.staging.copy import copy_records, copy_rows
from worker.target.records import Document, DocumentLine


async def _stage_documents(ctx: LegacyContext, conn: Conn,
                           rows: list[dict[str, Any]]) -> PageOutcome:
    outcome = PageOutcome()
    documents, lines, skipped = [], [], []
    for raw in rows:
        reason = convert.unsupported_reason(raw)
        if reason is not None:
            if not ctx.confirm_unsupported_data:
                raise StepFailed(
                    f"Document {raw.get('id')} appeared in the legacy account during the "
                    f"migration and cannot be migrated ({reason}). Retry the job with "
                    "confirm_unsupported_data: true, or remove it from the legacy account.",
                    code="UNSUPPORTED_DATA",
                )
            skipped.append((ctx.run.job_id, "document", str(raw.get("id")), reason))
            continue
        document, document_lines = convert.document_rows(ctx.run.job_id, raw)
        documents.append(document)
        lines.extend(document_lines)
        outcome.add_total(document[convert.DOCUMENT_CURRENCY], document[convert.DOCUMENT_TOTAL])
    outcome.created = await copy_records(conn, Document, documents)
    await copy_records(conn, DocumentLine, lines)
    outcome.skipped = await copy_rows(conn, "skipped", convert.SKIPPED_COLUMNS, skipped)
    return outcome


async def migrate_documents(ctx: LegacyContext) -> None:
    """Step 5: invoices, estimates, credit notes and advance invoices, with lines."""
    # read from the pages step 1 kept: the legacy API is not asked for them twice
    await stage_resource(ctx, resource="documents", label="documents",
                         stage_page=_stage_documents, kept=True)
