"""Steps 2, 3 and 4: tax rates, customers and items."""

from __future__ import annotations

from typing import Any

from worker.db.types import Conn
from worker.kinds.legacy_migration.context import LegacyContext
from worker.kinds.legacy_migration.source import convert
from worker.kinds.legacy_migration.steps.paging import PageOutcome, stage_resource
from worker.staging.copy import copy_records
from worker.target.records import Customer, Item, Tax, TaxRate


async def _stage_taxes(ctx: LegacyContext, conn: Conn, rows: list[dict[str, Any]]
                       ) -> PageOutcome:
    taxes, rates = [], []
    for raw in rows:
        tax, tax_rates = convert.tax_rows(ctx.run.job_id, raw)
        taxes.append(tax)
        rates.extend(tax_rates)
    created = await copy_records(conn, Tax, taxes)
    await copy_records(conn, TaxRate, rates)
    return PageOutcome(created=created)


async def _stage_customers(ctx: LegacyContext, conn: Conn,
                           rows: list[dict[str, Any]]) -> PageOutcome:
    records = [convert.customer_row(ctx.run.job_id, raw) for raw in rows]
    return PageOutcome(created=await copy_records(conn, Customer, records))


async def _stage_items(ctx: LegacyContext, conn: Conn, rows: list[dict[str, Any]]
                       ) -> PageOutcome:
    records = [convert.item_row(ctx.run.job_id, raw) for raw in rows]
    return PageOutcome(created=await copy_records(conn, Item, records))


async def migrate_taxes(ctx: LegacyContext) -> None:
    """Step 2: taxes with their rate history."""
    await stage_resource(ctx, resource="taxes", label="tax rates", stage_page=_stage_taxes)


async def migrate_customers(ctx: LegacyContext) -> None:
    """Step 3: clients (customers and suppliers; the legacy type is kept)."""
    await stage_resource(ctx, resource="clients", label="customers",
                         stage_page=_stage_customers)


async def migrate_items(ctx: LegacyContext) -> None:
    """Step 4: products and services."""
    await stage_resource(ctx, resource="items", label="items", stage_page=_stage_items)
