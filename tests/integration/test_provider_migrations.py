"""A Xero and a QuickBooks migration end to end, over HTTP with real workers: every export
file uploaded in one request (Xero's as repeated fields, QuickBooks' as one .zip), each
recognised by its content, imported, confirmed; the gates pass; the dry run and the execute
post exactly the figures the generator computed on its own; the proof names each file's
layout beside the SHA-256 of the bytes uploaded and the report totals it checked."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
import pytest

from scripts.provider_files import ProviderExport, quickbooks_export, xero_export, zip_export
from tests.support.wizard import Wizard

LAYOUTS = {
    "xero": {"Contacts.csv": ("xero.contacts", "contacts"),
             "Invoices.csv": ("xero.invoices", "invoices"),
             "Bills.csv": ("xero.bills", "bills"),
             "TrialBalance.xlsx": ("xero.trial_balance", "balances")},
    "quickbooks": {"Customer Contact List.csv": ("quickbooks.customers", "contacts"),
                   "Vendor Contact List.csv": ("quickbooks.vendors", "contacts"),
                   "Trial Balance.csv": ("quickbooks.trial_balance", "balances"),
                   "A_R Aging Detail.csv": ("quickbooks.ar_aging_detail", "invoices"),
                   "A_P Aging Detail.csv": ("quickbooks.ap_aging_detail", "bills")},
}


def _counts(found: dict[str, Any]) -> tuple[int, int, int]:
    return found["createdCount"], found["skippedCount"], found["errorCount"]


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
async def test_a_providers_export_end_to_end(wizard: Wizard, db: asyncpg.Pool,
                                             provider: str) -> None:
    export: ProviderExport = xero_export() if provider == "xero" else quickbooks_export()
    expected = export.expected
    migration = await wizard.create(provider, currency=expected.currency)
    sent = ([(f.name, f.data) for f in export.files] if provider == "xero"
            else [("export.zip", zip_export(export))])
    uploaded = await wizard.upload_files(migration["id"], sent)
    assert uploaded.status_code == 202, uploaded.text
    body = uploaded.json()
    sha = {f.name: hashlib.sha256(f.data).hexdigest() for f in export.files}
    assert {f["name"]: (f["layout"], f["type"]) for f in body["files"]} == LAYOUTS[provider]
    assert all(f["sha256"] == sha[f["name"]] for f in body["files"])
    assert set(body["uploads"]) == {"contacts", "balances", "invoices", "bills"}
    assert body["migration"]["status"] == "preview_ready"
    imports = {t: await wizard.wait_import(i["id"]) for t, i in body["uploads"].items()}
    for found in imports.values():
        assert found["status"] == "needs_review", found
        assert (found["errors"], found["blockers"]) == ([], []), found
        assert found["mapping"], found
    assert _counts(imports["contacts"])[0] == expected.contacts
    assert _counts(imports["balances"]) == (expected.balances, 0, 0)
    assert _counts(imports["invoices"]) == (expected.invoices_created,
                                            expected.invoices_skipped, 0)
    assert _counts(imports["bills"]) == (expected.bills_created, expected.bills_skipped, 0)
    if provider == "quickbooks":  # two lists, one contacts import
        assert imports["contacts"]["layout"] == "quickbooks.customers + quickbooks.vendors"
        assert [f["filename"] for f in imports["contacts"]["files"]] == [
            "Customer Contact List.csv", "Vendor Contact List.csv"]
    for found in imports.values():
        await wizard.confirm(found["id"])
    validation = await wizard.ok("POST", f"/migrations/{migration['id']}/validate")
    assert validation["ready"] is True, validation
    dry = await wizard.ok("POST", f"/migrations/{migration['id']}/execute?dryRun=true")
    assert dry["reconciliation"]["totalDebits"] == expected.total_debits_minor
    done = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    proof = done["reconciliation"]
    assert (proof["totalDebits"], proof["totalCredits"], proof["net"]) == (
        expected.total_debits_minor, expected.total_credits_minor, 0)
    assert proof["clearing"] == {"Debtors clearing": 0, "Creditors clearing": 0}
    files = {f["filename"]: f for f in proof["files"]}
    assert {name: (f["layout"], f["type"]) for name, f in files.items()} == LAYOUTS[provider]
    assert all(f["sha256"] == sha[name] for name, f in files.items())
    if provider == "quickbooks":  # one import, two files: each file's own count too
        assert [files[n]["fileRows"]["total"] for n in ("Customer Contact List.csv",
                                                          "Vendor Contact List.csv")] == [10, 5]
    reports = [f for f in files.values() if "reportTotals" in f]
    assert reports
    assert all(f["reportTotals"]["mismatched"] == 0 for f in reports)
    if provider == "xero":  # its balancing account, accepted as equity, shown
        assert [a["name"] for a in proof["balancingAccounts"]] == ["Historical Adjustment"]
    else:
        assert [a["name"] for a in proof["balancingAccounts"]] == ["Opening Balance Equity"]
    # credit notes reached the target as such, with what they take off the balance
    credits = await db.fetch(
        "SELECT d.kind, d.due_minor FROM target.documents d JOIN target.entities e "
        "ON e.id = d.entity_id WHERE e.source_migration_id = $1 AND d.due_minor < 0",
        migration["id"])
    assert credits
    assert {r["kind"] for r in credits} <= {"credit_note", "bill"}
    again = await wizard.ok("POST", f"/migrations/{migration['id']}/execute")
    assert again["reconciliation"] == proof
