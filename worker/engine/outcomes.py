"""How one run of a job ended."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # the job went back on the queue: the worker is shutting down (at once), or a
    # database or Redis connection was lost outside a step (after a moment)
    PAUSED = "paused"
    RETRY_SOON = "retry soon"
    # nothing done: the job is finished, or another worker holds its lease
    SKIPPED = "skipped"
    # another worker took the job over while this one ran it
    LEASE_LOST = "lease lost"
    # not started: its account holds its fair share of the slots while others wait; the
    # job is off the queue until its account is under its share (store.jobs.unpark)
    PARKED = "parked"

    @property
    def requeue(self) -> bool:
        """Whether the job must go back on the queue."""
        return self in (Outcome.PAUSED, Outcome.RETRY_SOON)
