"""Where a wizard migration and an import stand, as the API shows them and the wizard's code
compares them (one vocabulary, not strings repeated)."""

from __future__ import annotations

from enum import StrEnum


class MigrationStatus(StrEnum):
    SETUP = "setup"
    FILES_ATTACHED = "files_attached"
    PREVIEW_READY = "preview_ready"
    READY_TO_EXECUTE = "ready_to_execute"
    EXECUTING = "executing"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class ImportStatus(StrEnum):
    """An import's status as shown: its job's until it is confirmed."""

    QUEUED = "queued"
    PROCESSING = "processing"
    NEEDS_REVIEW = "needs_review"
    CONFIRMED = "confirmed"
    FAILED = "failed"


# a finished migration: nothing moves it any more
TERMINAL = (MigrationStatus.COMPLETED, MigrationStatus.ABANDONED)
# imports can be attached, detached and uploaded only in these statuses
EDITABLE = (MigrationStatus.SETUP, MigrationStatus.FILES_ATTACHED,
            MigrationStatus.PREVIEW_READY, MigrationStatus.READY_TO_EXECUTE)
# nothing left to validate or rehearse
PAST_VALIDATION = (MigrationStatus.EXECUTING, *TERMINAL)
# validate moves a migration to ready_to_execute only from these
ELIGIBLE = (MigrationStatus.PREVIEW_READY, MigrationStatus.READY_TO_EXECUTE)
