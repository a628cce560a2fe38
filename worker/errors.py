"""The one root of every error a user or a calling service is told about.

Each error has a stable machine-readable `code`, a `message` that says what went wrong
and what to do (defaulting to the class docstring), and the HTTP `status` the web layer
answers it with, so that a kind's new error needs no edit of the web layer. The engine
stores `code` and `message` on a failed job. Errors of one job kind live in that kind's
folder and derive from these.
"""

from __future__ import annotations

from typing import Self


class ServiceError(Exception):
    """The service could not do what was asked."""

    code: str = "SERVICE_ERROR"
    # what the web layer answers with; an error nobody gave one to is the service's fault
    status: int = 500

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        # a docstring's line breaks are not the message's
        self.message = message or " ".join((type(self).__doc__ or type(self).__name__).split())
        if code is not None:
            self.code = code  # one instance's own code, e.g. a StepFailed's
        super().__init__(self.message)


class NotFound(ServiceError):
    """There is no such thing in this account."""

    code = "NOT_FOUND"
    status = 404
    what = "thing"  # how a message names the object

    @classmethod
    def named(cls, ident: str) -> Self:
        """The error for object `ident` of this class's sort, in the one wording."""
        return cls(f"There is no {cls.what} {ident!r} in this account.")


# --- jobs, whatever their kind -----------------------------------------------------------

class JobNotFound(NotFound):
    """There is no such job in this account."""

    code = "JOB_NOT_FOUND"
    what = "migration job"
    status = 404


class JobFinished(ServiceError):
    """The job has already finished and cannot be cancelled."""

    code = "JOB_FINISHED"
    status = 409


class JobNotFailed(ServiceError):
    """Only failed jobs can be retried."""

    code = "JOB_NOT_FAILED"
    status = 409


class ActiveJobExists(ServiceError):
    """Another job for the same thing is pending or running: wait for it or cancel it."""

    code = "ACTIVE_JOB_EXISTS"
    status = 409


class KindNotRunHere(ServiceError):
    """This service does not know jobs of that kind."""

    code = "UNKNOWN_KIND"
    status = 409


class FilterRequired(ServiceError):
    """Name at least one of kind, status, error_code, account or ids: a bulk action never
    acts on every job."""

    code = "FILTER_REQUIRED"
    status = 422


class StepFailed(ServiceError):
    """A step failed for good: the job fails with this code and message, which tell the
    user what went wrong and what to do."""

    code = "STEP_FAILED"


class InternalError(ServiceError):
    """Something unexpected went wrong inside the service. Retry; if it happens again,
    contact support."""

    code = "INTERNAL_ERROR"
    status = 500
