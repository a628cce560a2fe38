"""How a step stops other than by finishing."""

from __future__ import annotations


class StepFailed(Exception):
    """A permanent failure: the job fails with this message, which tells the user what
    went wrong and what to do. `code` is stable and machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class JobCancelled(Exception):
    """The user cancelled the job; seen at a checkpoint."""


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease): stop at once,
    writing nothing more."""


class WorkerStopping(Exception):
    """The worker is shutting down (SIGTERM): stop at this checkpoint, hand the job on."""
