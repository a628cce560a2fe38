"""The wizard API's objects (seed 001, wizard-api.md), camelCase as in the seed, built from
the wizard's rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from api_stub.request_text import CheckedText
from worker.models import JobStatus, iso_millis
from worker.money import is_iso_currency
from worker.wizard.migrations import SLOTS, attachments
from worker.wizard.reads import ImportRow, MigrationWithJob
from worker.wizard.statuses import ImportStatus, MigrationStatus

Provider = Literal["freeagent", "xero", "quickbooks", "other"]
VatScheme = Literal["standard", "flat_rate", "cash", "none"]
DateOrder = Literal["DMY", "MDY"]
ImportType = Literal["contacts", "balances", "invoices", "bills"]


class Camel(BaseModel):
    """camelCase on the wire; unknown fields in a request are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              extra="forbid", serialize_by_alias=True)


class Account(Camel):
    account_id: str
    vat_scheme: VatScheme


class AccountPatch(Camel, CheckedText):
    vat_scheme: VatScheme


class CreateMigration(Camel, CheckedText):
    provider: Provider
    cutover_date: date = Field(description="A past month end (YYYY-MM-DD): the opening "
                                           "balances are as at the close of that day.")
    currency: str = Field(default="GBP", pattern="^[A-Z]{3}$",
                          description="The books' currency (ISO 4217), GBP unless given.")
    date_order: DateOrder | None = Field(
        default=None, description="DMY or MDY: how to read the files' dates that could be "
                                  "either (03/04/2026), when a file's other dates do not "
                                  "tell.")

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if not is_iso_currency(value):
            raise ValueError(f"{value} is not an ISO 4217 currency code")
        return value


class AttachImports(Camel, CheckedText):
    """Each field optional: an import ID attaches it, null detaches."""

    contacts_import_id: str | None = Field(default=None, max_length=40)
    balances_import_id: str | None = Field(default=None, max_length=40)
    invoices_import_id: str | None = Field(default=None, max_length=40)
    bills_import_id: str | None = Field(default=None, max_length=40)


class RowErrorOut(Camel):
    sheet: str
    row: int
    column: str | None
    message: str


class ErrorOut(Camel):
    code: str
    message: str


class ImportFileOut(Camel):
    filename: str
    sha256: str
    layout: str
    sheet: str | None
    size_bytes: int


class ImportOut(Camel):
    id: str
    type: ImportType
    status: ImportStatus
    filename: str
    sheet: str | None
    sha256: str
    layout: str = Field(description="How the file was read (provider-imports.md), e.g. "
                                    "xero.invoices; several files' layouts joined by ' + '.")
    mapping: dict[str, str] = Field(description="Each record field and the file's column "
                                                "that fed it, once the rows are read.")
    date_order: DateOrder | None = Field(description="The day/month order stated for it.")
    files: list[ImportFileOut] = Field(description="Every file the import reads.")
    total_rows: int
    created_count: int
    skipped_count: int
    error_count: int
    errors: list[RowErrorOut] = Field(description="The first 100 row errors.")
    blockers: list[str] = Field(description="What stops the import being confirmed.")
    summary: dict[str, Any]
    progress: str | None = Field(description="What its job is doing, while it runs.")
    error: ErrorOut | None = Field(description="Why the import failed, when it did.")
    created_at: str
    confirmed_at: str | None


class ImportsOut(Camel):
    contacts: ImportOut | None
    balances: ImportOut | None
    invoices: ImportOut | None
    bills: ImportOut | None


class MigrationOut(Camel):
    id: str
    provider: Provider
    cutover_date: date
    currency: str
    date_order: DateOrder | None
    status: MigrationStatus
    imports: ImportsOut
    deferred_sheets: dict[str, str] = Field(
        description="Sheets of the provider workbook waiting for upload-deferred.")
    entity_id: str | None
    reconciliation: dict[str, Any] | None
    execute_error: ErrorOut | None
    progress: str | None = Field(description="What the execute job is doing, while it runs.")
    created_at: str
    updated_at: str
    completed_at: str | None


class SheetOut(Camel):
    name: str
    type: ImportType | None


class UploadedFileOut(Camel):
    name: str
    sha256: str
    layout: str
    type: ImportType | None = Field(description="The import it feeds (null for FreeAgent's "
                                                "workbook, whose sheets are listed apart).")


class ProviderUploadOut(Camel):
    migration: MigrationOut
    files: list[UploadedFileOut]
    sheets: list[SheetOut]
    uploads: dict[str, ImportOut]


class MigrationHistory(Camel):
    data: list[MigrationOut]


class GateOut(Camel):
    code: str
    passed: bool
    message: str


class ValidationOut(Camel):
    ready: bool
    status: MigrationStatus
    gates: list[GateOut]


class ExecuteOut(Camel):
    migration_id: str
    status: Literal["completed"]
    reconciliation: dict[str, Any]


class JournalLineOut(Camel):
    account: str
    debit: int
    credit: int


class DryRunOut(Camel):
    migration_id: str
    dry_run: Literal[True]
    journal: list[JournalLineOut]
    reconciliation: dict[str, Any]


_JOB_TO_IMPORT_STATUS = {JobStatus.PENDING: ImportStatus.QUEUED,
                         JobStatus.RUNNING: ImportStatus.PROCESSING,
                         JobStatus.COMPLETED: ImportStatus.NEEDS_REVIEW,
                         JobStatus.FAILED: ImportStatus.FAILED,
                         JobStatus.CANCELLED: ImportStatus.FAILED}


def import_out(row: ImportRow) -> ImportOut:
    """An import from its row joined with its job and upload (reads.imports)."""
    status = (ImportStatus.CONFIRMED if row.confirmed_at is not None
              else _JOB_TO_IMPORT_STATUS[row.job_status])
    error = None
    if status == ImportStatus.FAILED:
        error = ErrorOut(code=row.job_error_code or "IMPORT_FAILED",
                         message=row.job_error or "The import was cancelled.")
    files = row.files or []
    return ImportOut(
        id=row.id, type=row.type, status=status, filename=row.filename,
        sheet=row.sheet, sha256=row.sha256,
        layout=" + ".join(dict.fromkeys(f["layout"] for f in files)) or row.layout,
        mapping=row.mapping, date_order=row.date_order,
        files=[ImportFileOut.model_validate(f) for f in files],
        total_rows=row.total_rows,
        created_count=row.created_count, skipped_count=row.skipped_count,
        error_count=row.error_count, errors=row.errors, blockers=row.blockers,
        summary=row.summary,
        progress=(row.progress_detail
                  if status in (ImportStatus.QUEUED, ImportStatus.PROCESSING) else None),
        error=error, created_at=iso_millis(row.created_at) or "",
        confirmed_at=iso_millis(row.confirmed_at))


def migration_out(row: MigrationWithJob, imports: Mapping[str, ImportRow]) -> MigrationOut:
    """A migration from its row (reads.migration) and its attached imports by ID."""
    attached = attachments(row)
    summaries = {slot: import_out(imports[i]) if i and i in imports else None
                 for slot, i in attached.items()}
    executing = row.status is MigrationStatus.EXECUTING
    return MigrationOut(
        id=row.id, provider=row.provider, cutover_date=row.cutover_date,
        currency=row.currency, date_order=row.date_order, status=row.status,
        imports=ImportsOut(**{slot: summaries[slot] for slot in SLOTS}),
        deferred_sheets=row.deferred_sheets, entity_id=row.entity_id,
        reconciliation=row.reconciliation,
        execute_error=ErrorOut(**row.execute_error) if row.execute_error else None,
        progress=row.job_progress if executing else None,
        created_at=iso_millis(row.created_at) or "",
        updated_at=iso_millis(row.updated_at) or "",
        completed_at=iso_millis(row.completed_at))
