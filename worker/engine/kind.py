"""What a job kind declares, so that the engine can run it without knowing it.

A kind is a name, its numbered steps, how it opens what its steps work with (its sources
and secrets) from the job, how its own errors become what the user reads, and what to
clean up once a job is completed or cancelled. The engine brings the rest: the lease and
its heartbeat, checkpoints, transient retries, cancellation, pausing on shutdown, the
outcome, and resuming after the last finished step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from worker.errors import ServiceError

if TYPE_CHECKING:
    from worker.db.types import Conn
    from worker.engine.context import JobRun
    from worker.services import Services
    from worker.store.jobs import JobRow

# What a kind's steps receive: the kind's own context, built by its `open`.
C = TypeVar("C")


@dataclass(frozen=True)
class Step(Generic[C]):
    """One numbered step of a kind."""

    number: int
    name: str
    run: Callable[[C], Awaitable[None]]
    # The step completes the job itself, inside its own transaction
    # (JobRun.final_transaction), as a step that commits everything at once does.
    finishes_job: bool = False
    # The type of record the step moves (taxes, clients, ...), for the records metric.
    record_type: str | None = None


def _no_failure(exc: BaseException, step: Step[Any]) -> ServiceError | None:
    return None


async def _nothing_to_clean(services: Services, job_id: str) -> None:
    return None


async def _nothing_at_the_end(conn: Conn, job_id: str) -> None:
    return None


async def _nothing_on_failure(conn: Conn, job_id: str, error: ServiceError) -> None:
    return None


@dataclass(frozen=True)
class JobKind(Generic[C]):
    """A kind of job: everything the engine needs to run one.

    - `open(run, job, services)`: an async context manager giving the steps' context `C`
      (sources, decrypted secrets) for one run; `job` is the job row.
    - `describe_failure(exc, step)`: the kind's own errors as the ServiceError (code,
      message) the user reads; None for exceptions that are not the kind's.
    - `on_end(conn, job_id)`: statements that must commit with the job's end, inside the
      transaction that completes or cancels it (wiping the job's secrets): keep it short.
    - `on_fail(conn, job_id, error)`: likewise, inside the transaction that fails it.
    - `retryable`: the kind's own exceptions that a retry can cure (a helper process that
      died): the step resumes from its checkpoint, as after a lost database connection.
    - `clean_up(services, job_id)`: run after a job completed or was cancelled, for what
      may take long (its staged rows). Idempotent: the sweep runs it again for a job whose
      worker died before it did.
    """

    name: str
    steps: Sequence[Step[C]]
    open: Callable[[JobRun, JobRow, Services], AbstractAsyncContextManager[C]]
    describe_failure: Callable[[BaseException, Step[C]], ServiceError | None] = _no_failure
    on_end: Callable[[Conn, str], Awaitable[None]] = _nothing_at_the_end
    on_fail: Callable[[Conn, str, ServiceError], Awaitable[None]] = _nothing_on_failure
    retryable: tuple[type[BaseException], ...] = ()
    # whether an operator may re-queue a failed job (/ops); a kind whose retry goes through
    # its owner's own request says False
    operator_retry: bool = True
    clean_up: Callable[[Services, str], Awaitable[None]] = _nothing_to_clean

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"job kind {self.name!r}: steps must be numbered 1..n in order, "
                             f"not {numbers}")
        if any(s.finishes_job for s in self.steps[:-1]):
            raise ValueError(f"job kind {self.name!r}: only the last step can finish the job")

    @property
    def total_steps(self) -> int:
        return len(self.steps)

    def record_types(self) -> dict[int, str | None]:
        return {s.number: s.record_type for s in self.steps}

    def step_names(self) -> dict[int, str]:
        """{number: name}, in order: what the report and progress show."""
        return {s.number: s.name for s in self.steps}
