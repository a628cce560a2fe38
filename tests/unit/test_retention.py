"""The retention settings as cutoffs, and the purge's metric increments (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from worker import metrics
from worker.process.retention import cutoffs
from worker.settings import Settings

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _settings(**days: int) -> Settings:
    return Settings(**{f"retention_{name}_days": n for name, n in days.items()})  # type: ignore[arg-type]


def test_the_defaults_keep_uploads_a_month_jobs_a_quarter_and_the_audit_log_longest() -> None:
    limits = cutoffs(Settings(), NOW)
    assert limits.uploads == NOW - timedelta(days=30)
    assert limits.staging == NOW - timedelta(days=14)
    assert limits.jobs == NOW - timedelta(days=90)
    assert limits.audit == NOW - timedelta(days=400)


def test_zero_keeps_for_ever() -> None:
    limits = cutoffs(_settings(upload=0, failed_staging=0, job=0, audit=0), NOW)
    assert (limits.uploads, limits.staging, limits.jobs, limits.audit) == (None,) * 4


def test_each_setting_is_its_own() -> None:
    limits = cutoffs(_settings(upload=1, failed_staging=30, job=7, audit=0), NOW)
    assert limits.uploads == NOW - timedelta(days=1)
    assert limits.staging == NOW - timedelta(days=30)  # later than the job's: jobs part's
    assert limits.jobs == NOW - timedelta(days=7)
    assert limits.audit is None


def test_the_metric_counts_what_was_removed_by_what() -> None:
    assert metrics.retention_purged({"jobs": 3, "uploads": 0, "step_runs": 12}) == [
        ("migration_retention_purged_total", 'what="jobs"', 3.0),
        ("migration_retention_purged_total", 'what="step_runs"', 12.0),
    ]
    assert metrics.retention_purged({}) == []
