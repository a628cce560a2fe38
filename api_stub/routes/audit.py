"""The audit log for operators (/ops/audit): who did what, when and from where, newest
first, with filters and paging. Operator keys only. Entries are written by the actions
themselves, in their transactions (worker/store/audit.py); worker/audit_trail.py reads
them; nothing here writes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api_stub.auth import Operator, State
from api_stub.errors import route_errors
from worker.audit_trail import AuditEntryRow, AuditFilter, audit_page
from worker.models import iso_millis

router = APIRouter(prefix="/ops/audit", tags=["operators"])

_NO_NUL = "^[^\\x00]*$"


class AuditEntryOut(BaseModel):
    id: int
    at: str | None
    action: str = Field(description="object.verb: key.created, key.revoked, key.rotated, "
                                    "job.created, job.retried, job.cancelled, "
                                    "jobs.bulk_retried, jobs.bulk_cancelled, "
                                    "migration.created, migration.abandoned, "
                                    "migration.executed, upload.stored, retention.purged.")
    actor: str = Field(description="account, operator (their API keys), cli (a host of the "
                                   "service) or service (the service itself).")
    key_id: int | None
    key_prefix: str | None
    key_label: str | None = Field(description="The key's label; for the CLI, user@host.")
    account: str | None = Field(description="The account acted for, or on.")
    address: str | None = Field(description="The client's address.")
    subject: str | None = Field(description="What was acted on: a job, migration, upload, "
                                            "bulk action or key ID.")
    details: dict[str, Any]


class AuditPage(BaseModel):
    data: list[AuditEntryOut]
    has_more: bool
    next_before: int | None = Field(description="Pass as `before` for the next page.")


def entry_out(row: AuditEntryRow) -> AuditEntryOut:
    return AuditEntryOut(
        id=row.id, at=iso_millis(row.at), action=row.action, actor=row.actor,
        key_id=row.key_id, key_prefix=row.key_prefix, key_label=row.key_label,
        account=row.account_id, address=row.address, subject=row.subject,
        details=row.details)


@router.get("", response_model=AuditPage, summary="The audit log, newest first",
            responses=route_errors())
async def entries(
    state: State, _: Operator,
    action: Annotated[str | None, Query(
        max_length=60, pattern="^[a-z_]+(\\.[a-z_]+)?$",
        description="One action (job.retried) or a family (job).")] = None,
    account: Annotated[str | None, Query(max_length=200, pattern=_NO_NUL)] = None,
    key: Annotated[str | None, Query(max_length=40, pattern="^mw[ko]_[0-9a-f]{6}$",
                                     description="A key's prefix (mwk_1a2b3c).")] = None,
    subject: Annotated[str | None, Query(max_length=60, pattern=_NO_NUL)] = None,
    since: Annotated[datetime | None, Query(description="At or after.")] = None,
    until: Annotated[datetime | None, Query(description="Before.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, description=(
        "Entries older than this ID: the previous page's next_before."))] = None,
) -> AuditPage:
    found = await audit_page(state.pool, AuditFilter(action, account, key, subject, since,
                                                     until), before=before, limit=limit)
    return AuditPage(data=[entry_out(r) for r in found.entries], has_more=found.has_more,
                     next_before=found.next_before)
