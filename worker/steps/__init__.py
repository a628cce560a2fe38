"""The 8 steps of a legacy Space Invoices migration (spec/jobs-api.md), by number."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from worker.engine.context import JobContext
from worker.steps.commit import commit
from worker.steps.connect import connect
from worker.steps.documents import migrate_documents
from worker.steps.payments import migrate_payments
from worker.steps.reference_data import migrate_customers, migrate_items, migrate_taxes
from worker.steps.validate import validate

Step = Callable[[JobContext], Awaitable[None]]

STEPS: dict[int, Step] = {
    1: connect,
    2: migrate_taxes,
    3: migrate_customers,
    4: migrate_items,
    5: migrate_documents,
    6: migrate_payments,
    7: validate,
    8: commit,
}
