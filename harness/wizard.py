"""A small client of the migration wizard API for tests, and an independent reading of a
workbook (openpyxl, not the service's parser) to check the service's figures against."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_DONE = {"needs_review", "confirmed", "failed"}


class Wizard:
    """Calls of the wizard API as one account."""

    def __init__(self, base_url: str, key: str, account: str) -> None:
        self.account = account
        self.http = httpx.AsyncClient(base_url=base_url, timeout=60,
                                      headers={"Authorization": f"Bearer {key}"})

    async def aclose(self) -> None:
        await self.http.aclose()

    async def error(self, response: httpx.Response, status: int, code: str) -> str:
        """The message of an error answer, checked to be `status` and `code`."""
        assert response.status_code == status, (response.status_code, response.text)
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == code, body
        return str(body["error"]["message"])

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json()

    async def create(self, provider: str = "freeagent", cutover: str = "2026-09-30",
                     **fields: str) -> Any:
        return await self.ok("POST", "/migrations", 201,
                             json={"provider": provider, "cutoverDate": cutover, **fields})

    async def upload_workbook(self, migration_id: str, path: Path) -> httpx.Response:
        return await self.http.post(f"/migrations/{migration_id}/upload-provider",
                                    files={"file": (path.name, path.read_bytes(), XLSX)})

    async def upload_files(self, migration_id: str, files: list[tuple[str, bytes]],
                           date_order: str | None = None) -> httpx.Response:
        """upload-provider with several files in repeated `file` fields."""
        return await self.http.post(
            f"/migrations/{migration_id}/upload-provider",
            data={"dateOrder": date_order} if date_order else None,
            files=[("file", (name, data, "application/octet-stream")) for name, data in files])

    async def import_csv(self, import_type: str, name: str, content: bytes) -> httpx.Response:
        return await self.http.post("/imports", data={"type": import_type},
                                    files={"file": (name, content, "text/csv")})

    async def wait_import(self, import_id: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            found = await self.ok("GET", f"/imports/{import_id}")
            if found["status"] in IMPORT_DONE:
                return found
            assert time.monotonic() < deadline, f"import still {found['status']}: {found}"
            await asyncio.sleep(0.05)

    async def confirm(self, import_id: str) -> Any:
        return await self.ok("POST", f"/imports/{import_id}/confirm")

    async def ready_migration(self, path: Path) -> dict[str, Any]:
        """Create a migration of the workbook and take it to ready_to_execute: upload,
        confirm contacts and balances, upload the deferred sheets, confirm them, validate."""
        migration = await self.create()
        uploaded = await self.upload_workbook(migration["id"], path)
        assert uploaded.status_code == 202, uploaded.text
        for found in uploaded.json()["uploads"].values():
            done = await self.wait_import(found["id"])
            assert done["status"] == "needs_review", done
            await self.confirm(found["id"])
        deferred = await self.ok("POST", f"/migrations/{migration['id']}/upload-deferred", 202)
        for found in deferred["uploads"].values():
            done = await self.wait_import(found["id"])
            assert done["status"] == "needs_review", done
            await self.confirm(found["id"])
        validation = await self.ok("POST", f"/migrations/{migration['id']}/validate")
        assert validation["ready"] is True, validation
        return dict(await self.ok("GET", f"/migrations/{migration['id']}"))


def _money(value: object) -> Decimal:
    """A workbook cell as an amount, read independently of the service: numbers through
    their repr, text with its thousands separators, currency sign and brackets removed."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, int | float):
        return Decimal(repr(value))
    text = str(value).strip().replace(",", "").replace("£", "")
    negative = text.startswith("(") and text.endswith(")")
    amount = Decimal(text.strip("()"))
    return -amount if negative else amount


def _header(rows: list[tuple[Any, ...]], *wanted: str) -> int:
    """The index of the first row that has one of the cells `wanted` (case and spaces
    aside)."""
    return next(i for i, row in enumerate(rows)
                if any(str(c or "").strip().lower() in wanted for c in row))


def _first(cells: dict[str, Any], *names: str) -> Any:
    return next((cells[n] for n in names if cells.get(n) not in (None, "")), None)


@dataclass(frozen=True)
class ExpectedProof:
    total_debits: int
    total_credits: int


def expected_proof(path: Path) -> ExpectedProof:
    """The proof's totals from the workbook itself: the trial balance's debits and credits
    (a negative cell counts on the other side; a small difference is made up by a rounding
    line on the short side), plus each outstanding invoice's and bill's due amount, which
    posts once on each side."""
    wb = load_workbook(path, read_only=True, data_only=True)
    tb = list(wb["Trial Balance"].iter_rows(values_only=True))
    start = _header(tb, "nominal code")
    names = [str(c or "").strip().lower() for c in tb[start]]
    debit_at, credit_at = names.index("debit"), names.index("credit")
    debits = credits = Decimal(0)
    for row in tb[start + 1:]:
        if not row or row[0] is None:
            continue
        row = (*row, None, None, None)  # read-only rows end at their last cell
        for amount, column_is_debit in ((_money(row[debit_at]), True),
                                        (_money(row[credit_at]), False)):
            if amount == 0:
                continue
            if (amount > 0) == column_is_debit:
                debits += abs(amount)
            else:
                credits += abs(amount)
    due = Decimal(0)
    for sheet in ("Outstanding Invoices", "Outstanding Bills"):
        rows = list(wb[sheet].iter_rows(values_only=True))
        start = _header(rows, "total value", "total")
        header = [str(c or "").strip().lower() for c in rows[start]]
        for row in rows[start + 1:]:
            if not row or all(c in (None, "") for c in row):
                continue
            cells = dict(zip(header, row, strict=False))
            total = _money(_first(cells, "total value", "total", "gross"))
            paid = _money(_first(cells, "amount paid", "paid", "paid value"))
            outstanding = _first(cells, "outstanding", "due", "due value")
            due += _money(outstanding) if outstanding is not None else total - paid
    wb.close()
    side = max(debits, credits) + due
    return ExpectedProof(total_debits=int(side * 100), total_credits=int(side * 100))
