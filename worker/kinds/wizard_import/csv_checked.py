"""A CSV file's rows parsed and checked in the reading child (calamine_child.py), as a
workbook's are: the file's text decoded a chunk at a time there (csv_rows.CsvSource), the
records sent ready to stage, so that the worker's core is left to staging (bench/README.md,
"Issue 17": in the worker's thread, the reading shared the worker's GIL with the staging)."""

from __future__ import annotations

from collections.abc import Iterator

from worker.kinds.wizard_import.checking import CheckedRow, ParseSpec, ReadOutcome
from worker.kinds.wizard_import.csv_rows import CsvSource
from worker.kinds.wizard_import.reader_child import child_frames
from worker.kinds.wizard_import.xlsx_rows import checked_batches


def iter_csv_checked(source: CsvSource, spec: ParseSpec, outcome: ReadOutcome | None = None
                     ) -> Iterator[list[CheckedRow]]:
    """The checked data rows of a CSV file, in batches, checked in the reading child;
    `outcome`, when given, is filled at the end. Raises InvalidFile when a row cannot be
    read as CSV (ReaderFailed when it crashed the reader or needed more than its caps),
    HeaderNotFound at the end when no header row was found."""
    header = {"sheet": spec.sheet, "check": spec.to_json(),
              "csv": {"encoding": source.encoding, "delimiter": source.delimiter}}
    return checked_batches(child_frames(source.data, header, lambda: None, spec.sheet),
                           outcome)
