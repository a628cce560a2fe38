"""Xero and QuickBooks Online export files, as those providers give them, for tests and demos.

The command line, `python -m scripts.provider_files` (see the package's docstring): one
provider's export written into a folder, as files or as one zip, and its `Expected` printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .files import write_export, zip_export
from .model import ProviderExport
from .quickbooks import quickbooks_export
from .xero import xero_export


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.provider_files",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("provider", choices=["xero", "quickbooks"])
    parser.add_argument("out", type=Path, help="the folder to write the files into")
    parser.add_argument("--extra-invoices", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--zip", action="store_true",
                        help="write one OUT/<provider>-export.zip instead of the files")
    parser.add_argument("--alternatives", action="store_true",
                        help="also write the other reports of the open documents (Xero: "
                             "the aged detail reports; QuickBooks: Open Invoices, Unpaid "
                             "Bills), beside the zip with --zip")
    args = parser.parse_args(argv)
    if args.provider == "xero":
        export = xero_export(extra_invoices=args.extra_invoices, seed=args.seed,
                             aged_reports=args.alternatives)
    else:
        export = quickbooks_export(extra_invoices=args.extra_invoices, seed=args.seed,
                                   open_reports=args.alternatives)
    if args.zip:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"{export.provider}-export.zip"
        path.write_bytes(zip_export(export))
        written = [path, *write_export(ProviderExport(
            export.provider, export.alternatives, export.expected), args.out)]
    else:
        written = write_export(export, args.out)
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    print(export.expected)
    return 0
