"""How a run stops before its job is done, raised at a checkpoint. Not errors a user
reads: the engine turns each into an Outcome."""

from __future__ import annotations


class RunStopped(Exception):
    """The run must stop at this checkpoint."""


class JobCancelled(RunStopped):
    """The user cancelled the job."""


class LeaseLost(RunStopped):
    """Another worker took the job over (this one stalled past its lease): stop at once,
    writing nothing more."""


class WorkerStopping(RunStopped):
    """The worker is shutting down (SIGTERM): stop here and hand the job on."""
