"""The workbook readers compared: rows per second and peak memory, side by side.

    .venv/bin/python -m bench.workbook [--rows 170000] [--workbook PATH]

Writes the demo workbook (scripts/demo_workbook.py) with `--rows` extra invoices (about
10 MB at 170,000 rows, shared strings as Excel writes them) unless `--workbook` names one,
then reads its invoices sheet with each reader, each in a fresh child process, `--repeat`
times each way: rows only, and rows parsed and validated into records (RowParser). For each
it prints the median rows/s (and the best, this machine being shared and noisy) and the peak
RSS (VmHWM) of the process that read, and for ours also that of its reading child.

Readers:
- openpyxl: read-only, values-only, reset_dimensions() (the design card's library);
- calamine: python-calamine in the process itself, unguarded (its raw speed);
- xml-stream: our own streaming reader over the sheet XML (ElementTree's pull parser and
  the shared strings), the way a reader that never holds a sheet whole must work;
- ours: worker.kinds.wizard_import.xlsx_rows (calamine in a memory-limited child process,
  after the zip checks and the bounded inflation of every part).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from scripts.demo_workbook import write_demo_workbook

SHEET = "Outstanding Invoices"
READERS = ("openpyxl", "calamine", "xml-stream", "ours")
Rows = Iterator[tuple[int, list[object]]]


def read_openpyxl(data: bytes) -> Rows:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book[SHEET]
    sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
        if any(value is not None for value in row):
            yield number, list(row)


def read_calamine(data: bytes) -> Rows:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(SHEET)
    for number, row in enumerate(sheet.iter_rows(), 1):
        if row.count("") != len(row):
            yield number, [None if value == "" else value for value in row]


def read_xml_stream(data: bytes) -> Rows:
    """Sheet XML streamed through ElementTree's pull parser; completed rows are taken from
    sheetData and dropped, so memory holds one chunk of rows; numbers come as float, dates
    as Excel serials (styles are not read)."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    archive = zipfile.ZipFile(io.BytesIO(data))
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, element in ElementTree.iterparse(stream):  # noqa: S314 - our own file
            if element.tag == ns + "si":
                strings.append("".join(element.itertext()))
                element.clear()
    part = "xl/worksheets/sheet3.xml"  # the invoices sheet of the demo workbook
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("start",))
    sheet_data: ElementTree.Element | None = None
    columns: dict[str, int] = {}

    def values(row: ElementTree.Element) -> list[object]:
        cells: list[object] = []
        for cell in row:
            ref = cell.get("r", "")
            letters = ref.rstrip("0123456789")
            column = columns.get(letters)
            if column is None:
                column = 0
                for letter in letters:
                    column = column * 26 + ord(letter) - 64
                column = columns[letters] = column - 1
            cells.extend([None] * (column - len(cells)))
            kind, value = cell.get("t"), cell.find(ns + "v")
            if kind == "inlineStr":
                cells.append("".join(cell.itertext()))
            elif value is None or value.text is None:
                cells.append(None)
            elif kind == "s":
                cells.append(strings[int(value.text)])
            elif kind in (None, "n"):
                cells.append(float(value.text))
            else:
                cells.append(value.text)
        return cells

    with archive.open(part) as stream:
        while chunk := stream.read(1 << 16):
            parser.feed(chunk)
            for event in parser.read_events():
                started = event[-1]  # ("start", element)
                if (sheet_data is None and isinstance(started, ElementTree.Element)
                        and started.tag == ns + "sheetData"):
                    sheet_data = started
            if sheet_data is not None and len(sheet_data) > 1:
                done = len(sheet_data) - 1  # the last row may be incomplete
                for row in sheet_data[:done]:
                    if len(row):
                        yield int(row.get("r", "0")), values(row)
                del sheet_data[:done]
        parser.close()
        for row in sheet_data if sheet_data is not None else []:
            if len(row):
                yield int(row.get("r", "0")), values(row)


def read_ours(data: bytes) -> Rows:
    from worker.kinds.wizard_import.xlsx_rows import iter_sheet_rows

    return iter_sheet_rows(data, SHEET)


READ: dict[str, Callable[[bytes], Rows]] = {
    "openpyxl": read_openpyxl, "calamine": read_calamine, "xml-stream": read_xml_stream,
    "ours": read_ours,
}


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(reader: str, path: str, validate: bool) -> None:
    """In the measuring child: read (and validate), print the figures as JSON."""
    from worker.kinds.wizard_import.rows import RowParser
    from worker.wizard.records import ImportType

    data = Path(path).read_bytes()
    parser = RowParser(ImportType.INVOICES, SHEET, cutover=date(2026, 9, 30))
    started = time.perf_counter()
    rows = records = 0
    for number, cells in READ[reader](data):
        rows += 1
        if validate:
            record, _ = parser.parse(number, cells)
            records += record is not None
    seconds = time.perf_counter() - started
    print(json.dumps({
        "rows": rows, "records": records, "seconds": seconds, "rss_mb": _peak_rss_mb(),
        "child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


def measure(reader: str, path: Path, validate: bool, repeat: int) -> dict[str, Any]:
    """The median and best rows/s of `repeat` runs, and the largest peak RSS."""
    command = [sys.executable, "-m", "bench.workbook", "--child", reader, str(path)]
    if validate:
        command.append("--validate")
    runs: list[dict[str, Any]] = []
    for _ in range(repeat):
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    rates = [run["rows"] / run["seconds"] for run in runs]
    return {"rows": runs[0]["rows"], "median": statistics.median(rates), "best": max(rates),
            "rss_mb": max(run["rss_mb"] for run in runs),
            "child_rss_mb": max(run["child_rss_mb"] for run in runs)}


def _rate(result: dict[str, Any]) -> str:
    return f"{result['median']:,.0f} ({result['best']:,.0f})"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=170_000)
    options.add_argument("--workbook", type=Path)
    options.add_argument("--child", nargs=2, metavar=("READER", "PATH"))
    options.add_argument("--validate", action="store_true")
    options.add_argument("--readers", default=",".join(READERS))
    options.add_argument("--repeat", type=int, default=3)
    args = options.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.validate)
        return
    with tempfile.TemporaryDirectory() as scratch:
        path = args.workbook
        if path is None:
            path = Path(scratch) / "bench.xlsx"
            print(f"writing a workbook of {args.rows:,} extra invoices ...", flush=True)
            write_demo_workbook(path, extra_invoices=args.rows)
        size = path.stat().st_size
        print(f"{path.name}: {size / 1024 / 1024:.1f} MB, sheet '{SHEET}'\n")
        print(f"rows/s: median (best) of {args.repeat} runs, each in a fresh process\n")
        print(f"{'reader':<11} {'rows':>8} {'read rows/s':>18} {'+validate rows/s':>18} "
              f"{'peak RSS MB':>12} {'its child MB':>13}")
        for reader in args.readers.split(","):
            read = measure(reader, path, validate=False, repeat=args.repeat)
            both = measure(reader, path, validate=True, repeat=args.repeat)
            child_rss = (f"{max(read['child_rss_mb'], both['child_rss_mb']):.0f}"
                         if reader == "ours" else "-")
            print(f"{reader:<11} {read['rows']:>8,} "
                  f"{_rate(read):>18} {_rate(both):>18} "
                  f"{max(read['rss_mb'], both['rss_mb']):>12.0f} {child_rss:>13}", flush=True)
    print("\n(target: parse + validate >= 50,000 rows/s, the worker's peak RSS < 250 MB)")


if __name__ == "__main__":
    main()
