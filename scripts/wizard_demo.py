"""The migration wizard's walkthroughs against a running service, as `scripts/dev` shows
them: a demo FreeAgent workbook (the seed's nine steps), then a Xero export (its contacts,
invoices, bills and trial balance files, unedited, in one upload), each uploaded, reviewed,
confirmed, validated, rehearsed and executed, printing what each step answers.

    .venv/bin/python scripts/wizard_demo.py http://127.0.0.1:8000 API_KEY [xero]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_workbook import write_demo_workbook
from provider_files import xero_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _call(http: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    response = http.request(method, path, **kwargs)
    if response.status_code >= 400:
        raise SystemExit(f"{method} {path} answered {response.status_code}: {response.text}")
    return response.json()


def _reviewed(http: httpx.Client, imports: dict[str, Any]) -> None:
    """Wait for each import, confirm it, show its counts and its status once confirmed."""
    for kind, found in imports.items():
        while found["status"] in ("queued", "processing"):
            time.sleep(0.1)
            found = _call(http, "GET", f"/imports/{found['id']}")
        confirmed = _call(http, "POST", f"/imports/{found['id']}/confirm")
        print(f"     {kind:<9} {confirmed['status']}: {confirmed['totalRows']} rows, "
              f"{confirmed['createdCount']} to create, {confirmed['skippedCount']} skipped, "
              f"{confirmed['errorCount']} with errors")


def run(base_url: str, key: str) -> None:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"},
                      timeout=60) as http:
        active = _call(http, "GET", "/migrations/active")
        if active is not None and active["status"] != "executing":
            _call(http, "DELETE", f"/migrations/{active['id']}")  # a demo run before this one
        migration = _call(http, "POST", "/migrations",
                          json={"provider": "freeagent", "cutoverDate": "2026-09-30"})
        mid = migration["id"]
        print(f"\nWizard demo: migration {mid} from a FreeAgent workbook (cutover 2026-09-30)")
        print("  1. created:", migration["status"])
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "freeagent-export.xlsx"
            write_demo_workbook(path)
            uploaded = _call(http, "POST", f"/migrations/{mid}/upload-provider",
                             files={"file": (path.name, path.read_bytes(), XLSX)})
        sheets = ", ".join(f"{s['name']} ({s['type'] or 'ignored'})" for s in uploaded["sheets"])
        print(f"  2-3. uploaded: {sheets}")
        print("  4-5. contacts and opening balances reviewed and confirmed:")
        _reviewed(http, uploaded["uploads"])
        deferred = _call(http, "POST", f"/migrations/{mid}/upload-deferred")
        print("  6. deferred invoices and bills imported, reviewed and confirmed:")
        _reviewed(http, deferred["uploads"])
        _executed(http, mid, 7)
        final = _call(http, "GET", f"/migrations/{mid}")
        print(f"  9. verified: {final['status']}, entity {final['entityId']}, "
              f"{final['reconciliation']['written']['journalEntries']} journal entries")


def _executed(http: httpx.Client, mid: str, first: int) -> None:
    """Validate, rehearse, execute and verify, printing each (steps numbered from first)."""
    validation = _call(http, "POST", f"/migrations/{mid}/validate")
    print(f"  {first}. validate: ready={validation['ready']}, status {validation['status']}; "
          + ", ".join(g["code"] for g in validation["gates"] if g["passed"]) + " pass")
    rehearsal = _call(http, "POST", f"/migrations/{mid}/execute", params={"dryRun": "true"})
    print(f"     dry run: {len(rehearsal['journal'])} accounts would be posted to; "
          "nothing written")
    executed = _call(http, "POST", f"/migrations/{mid}/execute")
    proof = executed["reconciliation"]
    print(f"  {first + 1}. executed: {executed['status']}; debits {proof['totalDebits']}, "
          f"credits {proof['totalCredits']}, net {proof['net']} (minor units); clearing "
          f"{proof['clearing']}")
    for file in proof["files"]:
        sheet = f", sheet {file['sheet']}" if file["sheet"] else ""
        print(f"     proof: {file['filename']}{sheet} read as {file['layout']}, sha256 "
              f"{file['sha256'][:12]}…")


def run_xero(base_url: str, key: str) -> None:
    """A Xero migration: the four files as Xero exports them, in one upload."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"},
                      timeout=60) as http:
        active = _call(http, "GET", "/migrations/active")
        if active is not None and active["status"] != "executing":
            _call(http, "DELETE", f"/migrations/{active['id']}")
        migration = _call(http, "POST", "/migrations",
                          json={"provider": "xero", "cutoverDate": "2026-09-30"})
        mid = migration["id"]
        print(f"\nWizard demo: migration {mid} from Xero's own exports (cutover 2026-09-30)")
        export = xero_export()
        uploaded = _call(http, "POST", f"/migrations/{mid}/upload-provider",
                         files=[("file", (f.name, f.data)) for f in export.files])
        print("  1. uploaded, each file recognised by its content:")
        for file in uploaded["files"]:
            print(f"     {file['name']:<18} {file['layout']:<19} -> {file['type']}")
        print("  2. every import reviewed and confirmed:")
        _reviewed(http, uploaded["uploads"])
        _executed(http, mid, 3)


if __name__ == "__main__":
    if sys.argv[3:] == ["xero"]:
        run_xero(sys.argv[1], sys.argv[2])
    else:
        run(sys.argv[1], sys.argv[2])
