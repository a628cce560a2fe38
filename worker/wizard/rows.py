"""The wizard's rows as its store reads them (worker/wizard/store.py): migrations, imports,
their files and staged rows, upload usage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from worker.models import JobStatus
from worker.wizard.records import ImportType
from worker.wizard.statuses import MigrationStatus


@dataclass(frozen=True, slots=True)
class UploadUsageRow:
    """An account's stored upload bytes, its uploads of the window and the oldest's age (s)."""

    bytes: int
    recent: int
    oldest_age: float | None


@dataclass(frozen=True, slots=True)
class ImportRow:
    """An import as the API shows it: with its (first) upload's name and digest, its job's
    status, progress and failure, and every file it reads (`files`: JSON, or None)."""

    id: str
    type: ImportType
    job_id: str
    job_status: JobStatus
    progress_detail: str | None
    job_error: str | None
    job_error_code: str | None
    filename: str
    sheet: str | None
    sha256: str
    layout: str
    mapping: dict[str, str]
    date_order: str | None
    files: list[dict[str, Any]] | None
    total_rows: int
    created_count: int
    skipped_count: int
    error_count: int
    errors: list[dict[str, Any]]
    blockers: list[str]
    summary: dict[str, Any]
    version: int
    created_at: datetime
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ImportJobRow:
    """An import as its job reads it: what its rows are checked against, and the first row
    errors earlier runs found."""

    id: str
    account_id: str
    type: ImportType
    currency: str
    cutover_date: date | None
    date_order: str | None
    errors: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ImportFileRow:
    """One file an import reads, with its upload's bytes (None once retention purged them)."""

    layout: str
    sheet: str | None
    filename: str
    format: str
    content: bytes | None


@dataclass(frozen=True, slots=True)
class ImportCountsRow:
    """An import's staged rows to create, those skipped, and its row errors."""

    created: int
    skipped: int
    errors: int


@dataclass(frozen=True, slots=True)
class StagedRows:
    """An import's staged rows in file order, as columns: an execute reads up to ~170,000,
    and a dataclass a row would add half again to the time building their records takes."""

    records: list[dict[str, Any]]
    skipped: list[str | None]  # why each record will not be created; None: it will be


@dataclass(frozen=True, slots=True)
class MigrationRow:
    """A wizard migration (`wizard_migrations`)."""

    id: str
    account_id: str
    provider: str
    cutover_date: date
    currency: str
    date_order: str | None
    status: MigrationStatus
    contacts_import_id: str | None
    balances_import_id: str | None
    invoices_import_id: str | None
    bills_import_id: str | None
    provider_upload_id: str | None
    deferred_sheets: dict[str, str]
    execute_job_id: str | None
    execute_error: dict[str, str] | None
    entity_id: str | None
    reconciliation: dict[str, Any] | None
    version: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class MigrationWithJob(MigrationRow):
    """A wizard migration with its execute job's status and progress (None: no execute
    job yet), as the API shows it."""

    job_status: JobStatus | None
    job_progress: str | None
