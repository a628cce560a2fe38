"""Trial-balance account cells as the providers write them: `Sales (200)` (Xero),
`200 - Sales`, `6000 · Salaries` or `4000 Sales` (QuickBooks), or a name alone. An account
without a code gets one made from its name, the same name always the same code, recorded as
derived (provider-imports.md, "Accounts")."""

from __future__ import annotations

import hashlib
import re

# A code has a digit (so "Accounts Receivable (A/R)" or "Sales (Retail)" keep their
# brackets) and no spaces; Xero's are up to 10 characters.
_CODE = r"(?=[A-Za-z0-9._-]*\d)[A-Za-z0-9][A-Za-z0-9._-]{0,9}"
_NAME_THEN_CODE = re.compile(rf"(?P<name>.*\S)\s*\((?P<code>{_CODE})\)")
_CODE_THEN_NAME = re.compile(rf"(?P<code>{_CODE})\s*(?:[-–·:]\s*|\s+)(?P<name>\S.*)")
DERIVED_PREFIX = "AC-"


def derived_code(name: str) -> str:
    """A stable code for an account the file gives no code: from its name, case and
    spacing aside (the same account in two exports gets the same code)."""
    key = " ".join(name.split()).casefold()
    return DERIVED_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:8].upper()


def split_account(cell: str) -> tuple[str, str, bool]:
    """(code, name, derived) of an account cell."""
    text = " ".join(cell.split())
    if match := _NAME_THEN_CODE.fullmatch(text):
        return match["code"], match["name"], False
    if match := _CODE_THEN_NAME.fullmatch(text):  # "4000 Sales", "200 - Sales"
        return match["code"], match["name"], False
    return derived_code(text), text, True
