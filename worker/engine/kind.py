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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from worker.engine.context import JobRun
    from worker.services import Services

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


@dataclass(frozen=True)
class Failure:
    """A permanent failure as the user reads it: a stable code and what to do."""

    code: str
    message: str


def _no_failure(exc: BaseException, step: Step[Any]) -> Failure | None:
    return None


async def _nothing_to_clean(services: Services, job_id: str) -> None:
    return None


@dataclass(frozen=True)
class JobKind(Generic[C]):
    """A kind of job: everything the engine needs to run one.

    - `open(run, job, services)`: an async context manager giving the steps' context `C`
      (sources, decrypted secrets) for one run; `job` is the job row.
    - `describe_failure(exc, step)`: the kind's own errors as a Failure, None for others.
    - `clean_up(services, job_id)`: run once a job completed or was cancelled (idempotent;
      the sweep runs it again for a job whose worker died before it did).
    """

    name: str
    steps: Sequence[Step[C]]
    open: Callable[[JobRun, Any, Services], AbstractAsyncContextManager[C]]
    describe_failure: Callable[[BaseException, Step[C]], Failure | None] = _no_failure
    clean_up: Callable[[Services, str], Awaitable[None]] = _nothing_to_clean
    _by_number: dict[int, Step[C]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.steps]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"job kind {self.name!r}: steps must be numbered 1..n in order, "
                             f"not {numbers}")
        if any(s.finishes_job for s in self.steps[:-1]):
            raise ValueError(f"job kind {self.name!r}: only the last step can finish the job")
        object.__setattr__(self, "_by_number", {s.number: s for s in self.steps})

    @property
    def total_steps(self) -> int:
        return len(self.steps)

    def step(self, number: int) -> Step[C]:
        return self._by_number[number]

    def step_names(self) -> dict[int, str]:
        """{number: name}, in order: what the report and progress show."""
        return {s.number: s.name for s in self.steps}
