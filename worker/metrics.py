"""The fleet's metrics (operations.md): their names, labels and histogram buckets, and what
each event adds to them. The increments are written to Postgres in the transaction of the
event they count (worker.store.metrics), so that every web process's /metrics shows what
every worker did, exactly; no label carries a job ID."""

from __future__ import annotations

import bisect
from collections.abc import Mapping

from worker.store.metrics import Increment

JOBS_CREATED = "migration_jobs_created_total"
JOBS_FINISHED = "migration_jobs_finished_total"
QUEUE_WAIT = "migration_queue_wait_seconds"
STEP_DURATION = "migration_step_duration_seconds"
STEP_RETRIES = "migration_step_retries_total"
RECORDS = "migration_records_total"
RETENTION_PURGED = "migration_retention_purged_total"

HISTOGRAMS = {
    QUEUE_WAIT: (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                 300.0),
    STEP_DURATION: (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
                    600.0, 1800.0),
}

# What a source retry was for, from the words the source client uses (bounded: a label).
# why a step was retried, as the metrics count it: a source's fault as its client labelled
# it, or the service's own database or queue (infrastructure); bounded, never message text
RETRY_LABELS = frozenset({"rate_limited", "server_error", "timeout", "connection",
                          "infrastructure", "other"})


def labels(**values: str | int) -> str:
    """Labels as Prometheus writes them, in the order given: kind="a",step="1"."""
    def escaped(value: str | int) -> str:
        return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return ",".join(f'{name}="{escaped(value)}"' for name, value in values.items())


def observed(name: str, label_text: str, value: float) -> list[Increment]:
    """One observation of a histogram: its bucket (not cumulative), `_sum`, `_count`."""
    bounds = HISTOGRAMS[name]
    at = bisect.bisect_left(bounds, value)
    le = "+Inf" if at == len(bounds) else repr(bounds[at])
    sep = "," if label_text else ""
    return [(f"{name}_bucket", f'{label_text}{sep}le="{le}"', 1.0),
            (f"{name}_sum", label_text, value), (f"{name}_count", label_text, 1.0)]


def job_created(kind: str, environment: str) -> list[Increment]:
    return [(JOBS_CREATED, labels(kind=kind, environment=environment), 1.0)]


def job_finished(kind: str, outcome: str) -> list[Increment]:
    """outcome: completed, failed or cancelled (a job retried and finished again counts
    again)."""
    return [(JOBS_FINISHED, labels(kind=kind, outcome=outcome), 1.0)]


def job_started(kind: str, waited_seconds: float) -> list[Increment]:
    """A job's first start: how long it waited from its creation."""
    return observed(QUEUE_WAIT, labels(kind=kind), max(waited_seconds, 0.0))


def step_finished(kind: str, step: int, seconds: float, record_type: str | None,
                  created: int, skipped: int, errors: int) -> list[Increment]:
    """A step's duration and, for a step that moves records of one type, its counts."""
    increments = observed(STEP_DURATION, labels(kind=kind, step=step), seconds)
    if record_type is not None:
        for outcome, n in (("created", created), ("skipped", skipped), ("error", errors)):
            increments.append((RECORDS, labels(kind=kind, record_type=record_type,
                                               outcome=outcome), float(n)))
    return increments


def step_retried(kind: str, step: int, reason: str) -> list[Increment]:
    """A retry inside a step; `reason` one of RETRY_LABELS (anything else counts as other)."""
    reason = reason if reason in RETRY_LABELS else "other"
    return [(STEP_RETRIES, labels(kind=kind, step=step, reason=reason), 1.0)]


def retention_purged(counts: Mapping[str, int]) -> list[Increment]:
    """What one retention batch removed, by what (uploads, staging_rows, step_runs, jobs,
    audit_entries); nothing for what it did not remove."""
    return [(RETENTION_PURGED, labels(what=what), float(n))
            for what, n in sorted(counts.items()) if n]
