"""The metrics' labels are bounded: a retry's reason is a label from the code that saw the
fault, never words matched in a message."""

from __future__ import annotations

from worker import metrics


def test_a_retry_counts_under_its_label_and_anything_else_under_other() -> None:
    (name, labels, value), = metrics.step_retried("legacy_migration", 4, "rate_limited")
    assert (name, labels, value) == (metrics.STEP_RETRIES,
                                     'kind="legacy_migration",step="4",reason="rate_limited"',
                                     1.0)
    (_, unknown, _), = metrics.step_retried("legacy_migration", 4, "legacy API 429 oops")
    assert unknown.endswith('reason="other"')
    assert {"rate_limited", "server_error", "timeout", "connection",
            "infrastructure"} < metrics.RETRY_LABELS
