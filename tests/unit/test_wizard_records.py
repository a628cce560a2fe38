"""Staged records read back as their dataclasses (worker/wizard/records.py)."""

from __future__ import annotations

from datetime import date

import pytest

from worker.wizard.records import DocumentRecord, ImportType, records_from_json


@pytest.mark.parametrize("name", ["document_type", "kind"])
def test_a_document_staged_under_either_name_reads_back_as_its_type(name: str) -> None:
    """`kind` is the name rows staged before issue 21 carry (a kind is a job's now)."""
    staged = {"row": 2, name: "bill", "reference": "PS-1", "contact": "Supplies Ltd",
              "dated_on": "2026-09-01", "currency": "GBP", "total_minor": 1200,
              "due_minor": 1200}
    (record,) = records_from_json(ImportType.BILLS, [staged])
    assert record == DocumentRecord(row=2, document_type="bill", reference="PS-1",
                                    contact="Supplies Ltd", dated_on=date(2026, 9, 1),
                                    currency="GBP", total_minor=1200, due_minor=1200)
