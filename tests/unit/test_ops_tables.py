"""The operator CLI's pure parts: aligned tables, short times and durations, the views of
/ops answers, --since, and exit codes documented the same in the module and in --help."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

import pytest

import api_stub.ops_cli
from api_stub.ops_cli import views
from api_stub.ops_cli.exits import MEANINGS, ExitCode, exit_codes_text
from api_stub.ops_cli.parser import EPILOG, since
from api_stub.ops_cli.tables import cell, duration, id_list, table, when


def test_table_aligns_text_left_and_numbers_right() -> None:
    text = table(["NAME", "COUNT", "NOTE"], [["a", 5, None], ["longer", 120, "two\nlines"]])
    assert text.splitlines() == [
        "NAME    COUNT  NOTE",
        "a           5  -",
        "longer    120  two lines",
    ]


def test_cells_stay_on_one_bounded_line() -> None:
    assert cell("x" * 100, 10) == "x" * 9 + "…"
    assert cell(0.5) == "0.5"
    assert cell("") == "-"
    assert table(["A"], []) == "A"


@pytest.mark.parametrize(("seconds", "shown"), [
    (None, None), (0, "0ms"), (0.0123, "12ms"), (0.9999, "1.0s"), (4.25, "4.2s"),
    (42, "42s"), (185, "3m05s"), (7620, "2h07m"), (3 * 86400 + 4 * 3600, "3d04h"),
])
def test_durations(seconds: float | None, shown: str | None) -> None:
    assert duration(seconds) == shown


def test_times_and_ids() -> None:
    assert when("2024-05-01T12:34:56.789Z") == "2024-05-01 12:34:56"
    assert when(None) is None
    assert id_list(["a", "b"]) == "a, b"
    assert id_list(["a", "b", "c", "d", "e"]) == "a, b, c +2 more"


def test_since_takes_an_age_or_an_iso_time() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert since("2h", now) == "2024-05-01T10:00:00+00:00"
    assert since("90s", now) == "2024-05-01T11:58:30+00:00"
    assert since("7d", now) == "2024-04-24T12:00:00+00:00"
    assert since("2024-05-01") == "2024-05-01T00:00:00+00:00"  # UTC unless it says
    assert since("2024-05-01T14:00+02:00") == "2024-05-01T12:00:00+00:00"
    with pytest.raises(argparse.ArgumentTypeError, match="neither an ISO"):
        since("yesterday")


def _worker(seen: float, jobs: list[str] | None = None) -> dict[str, Any]:
    return {"id": f"wrk_{seen}", "host": "h", "pid": 1, "started_at": None,
            "last_seen_seconds_ago": seen, "running": len(jobs or []), "jobs": jobs or []}


def test_summary_counts_only_workers_heard_from() -> None:
    summary: dict[str, Any] = {
        "jobs": {"toy": {"pending": 1, "running": 0, "completed": 2, "failed": 0,
                         "cancelled": 0},
                 "legacy_migration": {"pending": 0, "running": 1, "completed": 0,
                                      "failed": 3, "cancelled": 0}},
        "queue": {"depth": 1, "oldest_wait_seconds": 75.0},
        "workers": [_worker(0.4, ["job_a"]), _worker(600)],
        "throughput": [{"minute": "m1", "completed": 2, "failed": 1, "cancelled": 0},
                       {"minute": "m2", "completed": 1, "failed": 2, "cancelled": 0}],
        "steps": []}
    assert [w["id"] for w in views.alive(summary["workers"], 5)] == ["wrk_0.4"]
    text = views.summary_view(summary, 5)
    assert "Workers alive: 1 (1 more silent for over 5.0s: presumed dead)" in text
    assert "Queue:         1 waiting, the oldest for 1m15s" in text
    assert "Last hour:     3 completed, 3 failed, 0 cancelled" in text
    assert "no step finished in the last hour" in text
    rows = text.split("Jobs by kind and status\n", 1)[1].splitlines()
    assert rows[0].split() == ["KIND", "pending", "running", "completed", "failed",
                               "cancelled", "total"]
    assert rows[1].split() == ["legacy_migration", "0", "1", "0", "3", "0", "4"]
    assert rows[3].split() == ["(all)", "1", "1", "2", "3", "0", "7"]
    assert views.workers_table([], 5).startswith("no worker is alive")


def test_bulk_result_lists_the_refused() -> None:
    text = views.bulk_action_view("retry", {"matched": 3, "acted": 2, "refused": [
        {"id": "job_x", "code": "JOB_NOT_FAILED", "message": "Only failed jobs."}]})
    assert text.splitlines() == ["matched 3, retried 2, not retried 1",
                                 "Refused (the first 1)",
                                 "JOB    CODE            WHY",
                                 "job_x  JOB_NOT_FAILED  Only failed jobs."]


def test_bulk_result_says_when_jobs_were_left_out() -> None:
    text = views.bulk_action_view("cancel", {"matched": 1500, "acted": 1000, "refused": []})
    assert text.splitlines() == [
        "matched 1500, cancelled 1000, not cancelled 500",
        "500 not listed below: a call acts on up to 1,000 jobs and lists the first 20 "
        "refused; run it again for the rest"]


def test_exit_codes_are_documented_alike() -> None:
    doc = api_stub.ops_cli.__doc__ or ""
    flat = " ".join(doc.split())
    for code in ExitCode:
        assert f"{code.value} {MEANINGS[code]}" in flat, code
    assert exit_codes_text() in EPILOG
    assert len({c.value for c in ExitCode}) == len(ExitCode)
