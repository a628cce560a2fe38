"""The provider exports' figures of issue 17, end to end through the service, beside the
FreeAgent workbook's measured on the same stack in the same run (the baseline).

    .venv/bin/python -m bench.providers [--xero-invoices 40000] [--quickbooks-rows 100000]
        [--invoices 170000] [--workbook PATH] [--providers xero,quickbooks] [--repeat N]
        [--quick]

The targets are stated against the FreeAgent workbook import (bench.wizard, issue 8)
because it is the import the service was tuned for and the one its figures are known for;
measuring it in the same run, on the same stack, cancels out how fast (and how busy) the
machine is, which on these shared 2-core machines varies more than the figures do.

One stack as bench.wizard starts it (database `migration_worker_providers_bench`, Redis
database 11), each migration on a fresh worker (so that each peak RSS is its own), one
account each:

1. baseline: the FreeAgent demo workbook with `--invoices` extra outstanding invoices (up
   to 10 MB), walked through as bench.wizard does (upload, contacts and balances confirmed,
   upload-deferred, the invoices and bills imports confirmed, validate, execute);
2. Xero: a migration with provider xero; the four files of
   `xero_export(extra_invoices=--xero-invoices)` (Contacts.csv, Invoices.csv of 5 line
   items an extra invoice, Bills.csv, TrialBalance.xlsx) sent in one upload-provider
   request as one .zip; its imports waited for, confirmed; validate; execute;
3. QuickBooks: likewise with `quickbooks_export()` of about `--quickbooks-rows` A/R Aging
   Detail rows (currency USD on the migration).

With `--repeat N` the three run N times in a row on the same stack (each round on fresh
workers and accounts) and the table gives medians, each ratio the median of the rounds' own
ratios (a round's provider against that round's baseline) with its range, and each peak RSS
the largest of any round. `--quick` runs small sizes, for a smoke run of the bench itself.

Definitions (the same for all three):

- import rows/s: the invoices file's data rows read, divided by the invoices import job's
  time from its start to its completion (`migration_jobs.started_at` → `completed_at`: every
  row read, checked, staged with a checkpoint every 5,000, then the import checked as a
  whole), as bench.wizard defines the FreeAgent rate. A FreeAgent row is one invoice; a
  Xero row is one line item (a document's cells repeated on each), the rate the target
  compares, with documents/s beside it; a QuickBooks row is one A/R detail item (one
  document; the report's title, bucket and total rows not counted);
- worker peak RSS: the worker's VmHWM once its imports are done (the FreeAgent workbook and
  Xero's trial balance are read in a memory-capped child, not counted; CSV files are read in
  the worker itself);
- execute per document: the execute job's time (start to completion: the gates again,
  every row written in one transaction, the proof read back) divided by the invoices and
  bills it posted.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import asyncpg
import httpx

from bench.run import peak_rss_mb
from bench.stack import ROOT, Services, Stack, find_services, start_stack
from bench.wizard import MAX_BYTES, execute_steps, job_seconds
from harness.processes import Proc, create_key
from harness.wizard import Wizard
from scripts.demo_workbook import write_demo_workbook
from scripts.provider_files import ProviderExport, quickbooks_export, xero_export, zip_export
from worker.db.pool import create_pool

LOGS = ROOT / ".dev" / "bench-logs" / "providers"
IMPORT_TIMEOUT = 1200.0
QUICK = {"invoices": 2_000, "xero_invoices": 400, "quickbooks_rows": 1_000}
TARGET_RATE = 0.70  # of the FreeAgent import's rows/s
TARGET_RSS_MB = 250.0
TARGET_EXECUTE = 2.0  # times the FreeAgent execute's seconds per document


@dataclass
class Figures:
    """One migration's measures."""

    name: str
    rows: int  # the invoices file's data rows (see the module's definitions)
    row_kind: str
    documents: int  # the invoices import's documents (created + skipped + errors)
    import_seconds: float
    import_rss: float
    upload_seconds: float
    upload_rss: tuple[float, float]  # the web process's RSS before the upload, and its peak
    validate_seconds: float
    execute_seconds: float
    execute_request_seconds: float
    execute_steps: str
    execute_rss: float
    written: dict[str, int]

    @property
    def rate(self) -> float:
        return self.rows / self.import_seconds

    @property
    def documents_rate(self) -> float:
        return self.documents / self.import_seconds

    @property
    def posted(self) -> int:
        return self.written["invoices"] + self.written["bills"]

    @property
    def ms_per_document(self) -> float:
        return self.execute_seconds / self.posted * 1000


async def _account(stack: Stack, account: str) -> Wizard:
    key = await asyncio.to_thread(create_key, stack.env, account)
    return Wizard(stack.web_url, key, account)


def _reset_peak(proc: Proc) -> float:
    """Reset the process's VmHWM to its current RSS (Linux: clear_refs 5), so that the next
    reading is the peak of what follows; that RSS, in MB."""
    Path(f"/proc/{proc.pid}/clear_refs").write_text("5")
    return peak_rss_mb(proc.pid)


async def _upload(stack: Stack, request: Awaitable[httpx.Response]
                  ) -> tuple[httpx.Response, float, tuple[float, float]]:
    """The upload's response, its seconds, and the web process's RSS before it and peak
    RSS during it (the files are recognised and stored in the request; memory the process
    freed earlier but kept counts in both)."""
    web = next(proc for proc in stack.procs if proc.name == "web")
    before = _reset_peak(web)
    started = time.perf_counter()
    response = await request
    seconds = time.perf_counter() - started
    assert response.status_code == 202, response.text
    return response, seconds, (before, peak_rss_mb(web.pid))


async def _fresh_worker(stack: Stack, name: str) -> Proc:
    worker = stack.start_worker(name)
    await asyncio.sleep(2)  # the worker starts
    return worker


async def _invoices_import(wizard: Wizard, db: asyncpg.Pool, found: dict[str, Any]
                           ) -> tuple[dict[str, Any], float]:
    """The invoices import, done, and its job's seconds from start to completion."""
    done = await wizard.wait_import(found["id"], timeout=IMPORT_TIMEOUT)
    assert done["status"] == "needs_review", done
    job = await db.fetchval("SELECT job_id FROM imports WHERE id = $1", done["id"])
    return done, await job_seconds(db, job)


async def _execute(wizard: Wizard, db: asyncpg.Pool, migration_id: str, worker: Proc
                   ) -> dict[str, Any]:
    """Validate and execute the migration, its imports confirmed; the figures."""
    validated_at = time.perf_counter()
    validation = await wizard.ok("POST", f"/migrations/{migration_id}/validate")
    validate_seconds = time.perf_counter() - validated_at
    assert validation["ready"], validation
    requested_at = time.perf_counter()
    response = await wizard.http.post(f"/migrations/{migration_id}/execute",
                                      params={"wait": "120"})
    assert response.status_code in (200, 202), response.text
    while response.status_code == 202 or response.json().get("status") == "executing":
        await asyncio.sleep(0.2)  # still executing after the request's longest wait
        response = await wizard.http.get(f"/migrations/{migration_id}")
    request_seconds = time.perf_counter() - requested_at
    body = response.json()
    assert body["status"] == "completed", body
    job = await db.fetchval("SELECT execute_job_id FROM wizard_migrations WHERE id = $1",
                            migration_id)
    return {"validate_seconds": validate_seconds,
            "execute_seconds": await job_seconds(db, job),
            "execute_request_seconds": request_seconds,
            "execute_steps": await execute_steps(db, job),
            "execute_rss": peak_rss_mb(worker.pid),
            "written": body["reconciliation"]["written"]}


async def freeagent(stack: Stack, db: asyncpg.Pool, path: Path, round_: int) -> Figures:
    """The baseline: the FreeAgent workbook's walkthrough, as bench.wizard measures it."""
    worker = await _fresh_worker(stack, f"worker-freeagent-{round_}")
    wizard = await _account(stack, f"acc_freeagent_{round_}")
    try:
        migration = await wizard.create()
        uploaded, upload_seconds, upload_rss = await _upload(
            stack, wizard.upload_workbook(migration["id"], path))
        for found in uploaded.json()["uploads"].values():
            await wizard.wait_import(found["id"], timeout=IMPORT_TIMEOUT)
            await wizard.confirm(found["id"])
        deferred = await wizard.ok("POST", f"/migrations/{migration['id']}/upload-deferred",
                                   202)
        invoices, import_seconds = await _invoices_import(wizard, db,
                                                          deferred["uploads"]["invoices"])
        bills = await wizard.wait_import(deferred["uploads"]["bills"]["id"],
                                         timeout=IMPORT_TIMEOUT)
        import_rss = peak_rss_mb(worker.pid)
        for found in (invoices, bills):
            await wizard.confirm(found["id"])
        executed = await _execute(wizard, db, migration["id"], worker)
        return Figures("FreeAgent", invoices["totalRows"], "invoice rows",
                       invoices["totalRows"], import_seconds, import_rss, upload_seconds,
                       upload_rss, **executed)
    finally:
        await wizard.aclose()
        worker.terminate()


async def provider(stack: Stack, db: asyncpg.Pool, export: ProviderExport, bundle: bytes,
                   round_: int) -> Figures:
    """A provider's export, all its files in one .zip (`bundle`), through the wizard."""
    name = export.provider
    expected = export.expected
    worker = await _fresh_worker(stack, f"worker-{name}-{round_}")
    # an account of its own: the documents of an earlier round would be skipped as its own
    wizard = await _account(stack, f"acc_{name}_{round_}")
    try:
        migration = await wizard.create(name, currency=expected.currency)
        uploaded, upload_seconds, upload_rss = await _upload(
            stack, wizard.upload_files(migration["id"], [(f"{name}-export.zip", bundle)]))
        created = uploaded.json()["uploads"]
        assert set(created) == {"contacts", "balances", "invoices", "bills"}, created
        invoices, import_seconds = await _invoices_import(wizard, db, created["invoices"])
        others = [await wizard.wait_import(created[t]["id"], timeout=IMPORT_TIMEOUT)
                  for t in ("contacts", "balances", "bills")]
        import_rss = peak_rss_mb(worker.pid)
        for found in (invoices, *others):
            assert found["status"] == "needs_review", found
            assert (found["errorCount"], found["blockers"]) == (0, []), found
        assert (invoices["createdCount"], invoices["skippedCount"]) == (
            expected.invoices_created, expected.invoices_skipped), invoices
        if name == "xero":  # the line items the reading counted, as the generator wrote them
            rows = invoices["summary"]["files"][0]["lineItems"]["rows"]
            row_kind = "line-item rows"
        else:
            rows, row_kind = invoices["totalRows"], "A/R detail rows"
        assert rows == expected.invoice_line_rows, (rows, expected.invoice_line_rows)
        for found in (invoices, *others):
            await wizard.confirm(found["id"])
        executed = await _execute(wizard, db, migration["id"], worker)
        assert executed["written"]["invoices"] == expected.invoices_created, executed
        assert executed["written"]["bills"] == expected.bills_created, executed
        return Figures("Xero" if name == "xero" else "QuickBooks", rows, row_kind,
                       invoices["totalRows"], import_seconds, import_rss, upload_seconds,
                       upload_rss, **executed)
    finally:
        await wizard.aclose()
        worker.terminate()


async def measure(services: Services, path: Path, exports: list[tuple[ProviderExport, bytes]],
                  rounds: int) -> list[list[Figures]]:
    """`rounds` times in a row: the baseline, then each provider; each round's figures."""
    stack = await start_stack(services, name="providers_bench", redis_db=11, logs=LOGS)
    db = await create_pool(stack.database_url, application_name="bench")
    try:
        found: list[list[Figures]] = []
        for round_ in range(1, rounds + 1):
            figures = [await freeagent(stack, db, path, round_)]
            for export, bundle in exports:
                figures.append(await provider(stack, db, export, bundle, round_))
            report_round(round_, figures)
            found.append(figures)
        return found
    finally:
        await db.close()
        stack.stop()


def report_round(round_: int, figures: list[Figures]) -> None:
    print(f"\n== round {round_} ==")
    for f in figures:
        before, peak = f.upload_rss
        print(f"{f.name}:\n"
              f"  upload request {f.upload_seconds:.2f} s (the web process: {before:.0f} MB "
              f"before it, peak {peak:.0f} MB)\n"
              f"  invoices import: {f.rows:,} {f.row_kind}, {f.documents:,} documents in "
              f"{f.import_seconds:.2f} s: {f.rate:,.0f} rows/s, {f.documents_rate:,.0f} "
              "documents/s\n"
              f"  worker peak RSS {f.import_rss:.0f} MB after the imports, "
              f"{f.execute_rss:.0f} MB after the execute\n"
              f"  validate {f.validate_seconds:.2f} s; execute job {f.execute_seconds:.2f} s "
              f"for {f.posted:,} invoices and bills ({f.ms_per_document * 1000:.1f} µs each; "
              f"the request {f.execute_request_seconds:.2f} s); steps {f.execute_steps}\n"
              f"  written {f.written}", flush=True)


def summary(rounds: list[list[Figures]]) -> None:
    """Each figure beside the baseline: medians over the rounds, the ratio the median of
    each round's own ratio (with its range); peak RSS the largest of any round."""
    print(f"\n== against the baseline (FreeAgent, the same rounds: {len(rounds)}) ==")
    print(f"{'figure':<40} {'value':>9} {'baseline':>9} {'ratio':>6} {'(range)':>13}  "
          f"{'target':<19} met")

    def line(figure: str, value: str, baseline: str, ratios: list[float], target: str = "",
             met: bool | None = None) -> None:
        shown = "" if met is None else ("met" if met else "NOT MET")
        spread = f"({min(ratios):.2f}–{max(ratios):.2f})" if len(ratios) > 1 else ""
        print(f"{figure:<40} {value:>9} {baseline:>9} {median(ratios):>6.3f} {spread:>13}  "
              f"{target:<19} {shown}".rstrip())

    bases = [figures[0] for figures in rounds]
    for i, first in enumerate(rounds[0][1:], 1):
        runs = [figures[i] for figures in rounds]
        pairs = list(zip(runs, bases, strict=True))
        name, kind = first.name, first.row_kind
        rate = [f.rate / b.rate for f, b in pairs]
        line(f"{name} import, {kind}/s", f"{median([f.rate for f in runs]):,.0f}",
             f"{median([b.rate for b in bases]):,.0f}", rate, ">= 0.70 x baseline",
             median(rate) >= TARGET_RATE)
        line(f"{name} import, documents/s", f"{median([f.documents_rate for f in runs]):,.0f}",
             f"{median([b.documents_rate for b in bases]):,.0f}",
             [f.documents_rate / b.documents_rate for f, b in pairs])
        rss, base_rss = max(f.import_rss for f in runs), max(b.import_rss for b in bases)
        line(f"{name} worker peak RSS, MB", f"{rss:.0f}", f"{base_rss:.0f}",
             [f.import_rss / b.import_rss for f, b in pairs], "< 250 MB",
             rss < TARGET_RSS_MB)
        execute = [f.ms_per_document / b.ms_per_document for f, b in pairs]
        line(f"{name} execute, µs per document",
             f"{median([f.ms_per_document for f in runs]) * 1000:.1f}",
             f"{median([b.ms_per_document for b in bases]) * 1000:.1f}", execute,
             "< 2 x baseline", median(execute) < TARGET_EXECUTE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=170_000,
                        help="the FreeAgent workbook's extra invoices (the baseline)")
    parser.add_argument("--workbook", type=Path, help="use this workbook instead of writing one")
    parser.add_argument("--xero-invoices", type=int, default=40_000,
                        help="Xero's extra invoices, 5 line items each")
    parser.add_argument("--quickbooks-rows", type=int, default=100_000,
                        help="about this many A/R Aging Detail rows")
    parser.add_argument("--providers", default="xero,quickbooks")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds on the same stack (figures: medians; ratios: paired)")
    parser.add_argument("--quick", action="store_true",
                        help=f"small sizes for a smoke run: {QUICK}")
    args = parser.parse_args()
    if args.quick:
        for option, value in QUICK.items():
            setattr(args, option, value)
    path = args.workbook
    if path is None:
        LOGS.mkdir(parents=True, exist_ok=True)
        path = LOGS / f"workbook-{args.invoices}.xlsx"
        print(f"writing a workbook with {args.invoices:,} extra invoices ...", flush=True)
        write_demo_workbook(path, extra_invoices=args.invoices)
    size = path.stat().st_size
    assert size <= MAX_BYTES, f"{path} is {size} bytes: over the 10 MB the service accepts"
    print(f"workbook: {size / 1024 / 1024:.1f} MB", flush=True)
    exports: list[tuple[ProviderExport, bytes]] = []
    for name in args.providers.split(","):
        if name == "xero":
            export = xero_export(extra_invoices=args.xero_invoices)
        elif name == "quickbooks":
            base_rows = quickbooks_export().expected.invoice_line_rows
            export = quickbooks_export(extra_invoices=max(0, args.quickbooks_rows - base_rows))
        else:
            parser.error(f"unknown provider {name!r}: xero or quickbooks")
        bundle = zip_export(export)
        assert len(bundle) <= MAX_BYTES, f"the .zip is {len(bundle)} bytes: over 10 MB"
        files = ", ".join(f"{f.name} {len(f.data) / 1024 / 1024:.1f} MB" for f in export.files)
        print(f"{name}: {files}; as one .zip {len(bundle) / 1024 / 1024:.1f} MB", flush=True)
        exports.append((export, bundle))
    services = find_services(db="migration_worker_providers_bench", redis_db=11)
    summary(asyncio.run(measure(services, path, exports, args.repeat)))
    if args.quick:
        print("(--quick: sizes for a smoke run of the bench; fixed costs dominate them, so "
              "its ratios say nothing of the targets)")


if __name__ == "__main__":
    main()
