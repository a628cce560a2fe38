"""Trial-balance rows of the providers' reports: the account from one cell (accounts.py),
one positive side (a negative debit is a credit), codes the file lacks derived and listed
in the import's summary."""

from __future__ import annotations

from typing import Any

from worker.kinds.wizard_import.layouts.accounts import split_account
from worker.kinds.wizard_import.layouts.base import NO_ERRORS, CellReader, Item
from worker.wizard.records import BalanceRecord, RowError

_DERIVED_SHOWN = 100


def balance_item(reader: CellReader, number: int, account: str | None, debit: int | None,
                 credit: int | None, errors: list[RowError]) -> Item:
    """The record of one account row (errors: its bad cells, found by the caller)."""
    if account is None:
        errors.append(reader.error(number, "account", "The row names no account."))
    if errors or account is None:
        return number, None, errors, None
    code, name, derived = split_account(account)
    if derived:
        shown: list[dict[str, Any]] = reader.summary.setdefault("derivedCodes", [])
        if len(shown) < _DERIVED_SHOWN:
            shown.append({"row": number, "name": name, "code": code})
    net = (debit or 0) - (credit or 0)
    return number, BalanceRecord(row=number, code=code, name=name, debit_minor=max(net, 0),
                                 credit_minor=max(-net, 0), code_derived=derived), NO_ERRORS, None
