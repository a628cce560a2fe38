"""Typed rows (worker/db/rows.py): a record becomes its row class, by column name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from worker.db.rows import row_as, row_or_none, rows_as
from worker.models import JobStatus


@dataclass(frozen=True, slots=True)
class _Job:
    id: str
    status: JobStatus
    ended: JobStatus | None
    at: datetime
    note: str | None = "none given"


_AT = datetime(2026, 1, 2, tzinfo=UTC)


def test_columns_by_name_and_enums_converted() -> None:
    row = row_as(_Job, {"note": "n", "at": _AT, "ended": None, "status": "running",
                        "id": "j", "extra": 1})
    assert row == _Job("j", JobStatus.RUNNING, None, _AT, "n")
    assert type(row.status) is JobStatus


def test_an_optional_enum_is_converted_too() -> None:
    assert row_as(_Job, {"id": "j", "status": "failed", "ended": "failed", "at": _AT}).ended \
        is JobStatus.FAILED


def test_a_field_with_a_default_may_be_missing() -> None:
    assert row_as(_Job, {"id": "j", "status": "pending", "ended": None, "at": _AT}).note \
        == "none given"


def test_a_missing_column_raises() -> None:
    with pytest.raises(KeyError, match="at"):
        row_as(_Job, {"id": "j", "status": "pending", "ended": None})


def test_an_unknown_status_raises() -> None:
    with pytest.raises(ValueError, match="paused"):
        row_as(_Job, {"id": "j", "status": "paused", "ended": None, "at": _AT})


def test_none_and_lists() -> None:
    assert row_or_none(_Job, None) is None
    rows = rows_as(_Job, [{"id": str(n), "status": "pending", "ended": None, "at": _AT}
                          for n in range(3)])
    assert [r.id for r in rows] == ["0", "1", "2"]


@dataclass(frozen=True, slots=True)
class _Tagged:
    id: str
    tags: list[str] = field(default_factory=list)


def test_a_default_factory_gives_each_row_its_own() -> None:
    one, two = row_as(_Tagged, {"id": "1"}), row_as(_Tagged, {"id": "2"})
    one.tags.append("x")
    assert two.tags == []
