"""What the target refuses: a write undone whole (the caller's transaction rolls back)."""

from __future__ import annotations

from worker.errors import ServiceError


class TargetRefused(ServiceError):
    """The target refused the write; nothing was written."""

    code = "TARGET_REFUSED"
    # what the target already holds, or what was staged, conflicts with the write (a dry run
    # of the wizard's execute answers with it; a job fails with its code and message)
    status = 409


class CommitMismatch(TargetRefused):
    """The target did not receive exactly what was staged; nothing was written."""

    code = "COMMIT_MISMATCH"


class LiveAlreadyExists(TargetRefused):
    """This legacy organisation was already migrated to live by another job; nothing was
    written. Use a sandbox migration to try again."""

    code = "ALREADY_MIGRATED"
