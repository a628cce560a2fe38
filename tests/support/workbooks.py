"""Small .xlsx workbooks for the wizard's tests, written with openpyxl."""

from __future__ import annotations

import io

from openpyxl import Workbook


def workbook(rows: list[list[object]], title: str = "Sheet", **options: object) -> bytes:
    """One sheet named `title` holding `rows`; `options` set on the workbook (for example
    `epoch` for the 1904 date system)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    for name, value in options.items():
        setattr(wb, name, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
