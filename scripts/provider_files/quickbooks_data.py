"""Bayside Cycles LLC's books as QuickBooks Online holds them, before they are rendered: its
10 customers and 5 vendors, the open A/R and A/P items, the invoices `extra_invoices`
generates, and the trial-balance accounts (Checking takes what balances them). The report
formats are in `quickbooks` and `quickbooks_open`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from .model import CUTOVER, Account, AgingItem, QBContact, _balanced

QB_RECEIVABLES = "Accounts Receivable (A/R)"
QB_PAYABLES = "Accounts Payable (A/P)"
QB_SALES = "4000 Sales"


def _qb_customers() -> list[QBContact]:
    return [
        QBContact("Acme Corp", "Phone:(415) 555-0100 Mobile:(415) 555-0101",
                  "ap@acme-corp.example", "Jane Doe",
                  "123 Main St, Suite 400, San Francisco, CA 94105",
                  "123 Main St, Suite 400, San Francisco, CA 94105"),
        QBContact("Café Olé Bikes", "Phone:(510) 555-0142", "hola@cafeole.example",
                  "José Ramírez", "88 Telegraph Ave, Oakland, CA 94612"),
        QBContact("Zoë's Cycle Shop", "Mobile:(650) 555-0177", "zoe@zoescycles.example",
                  "Zoë Adams", "5 El Camino Real, Palo Alto, CA 94301",
                  "Warehouse 2, 40 Bay Rd, Menlo Park, CA 94025"),
        QBContact("Østergaard Velo ApS", "", "ordre@ostergaard.example", "Mette Østergaard",
                  "Vesterbrogade 12, 1620 København V, Denmark"),
        QBContact("José Martínez", "Phone:(408) 555-0190", "jose.martinez@example.com",
                  "José Martínez"),
        QBContact("桜サイクル株式会社", "Phone:+81 3-5555-0123", "info@sakura-cycle.example",
                  "佐藤 花子", "1-2-3 Shibuya, Shibuya-ku, Tokyo 150-0002, Japan"),
        QBContact("Müller Radsport GmbH", "", "einkauf@mueller-radsport.example", "",
                  "Leopoldstraße 8, 80802 München, Germany"),
        QBContact("Golden Gate Couriers", "Phone:(415) 555-0123 Mobile:(415) 555-0124", "",
                  "Sam Lee", "900 Lombard St, San Francisco, CA 94133"),
        QBContact("Peña Racing Team", "", "team@penaracing.example", "Lucía Peña"),
        QBContact("Bayview Rentals, Inc.", "Phone:(415) 555-0166",
                  "billing@bayviewrentals.example", "Chris O'Neil",
                  "1 Harbor Way, Sausalito, CA 94965",
                  "Pier 39, Space B-12, San Francisco, CA 94133"),
    ]


def _qb_vendors() -> list[QBContact]:
    return [
        QBContact("Shimano North America", "Phone:(949) 555-0150", "ar@shimano-na.example",
                  "Ken Ito", "1 Holland, Irvine, CA 92618", account_number="BC-20411"),
        QBContact("Pedal Parts Wholesale, Inc.", "Phone:(916) 555-0111 Mobile:(916) 555-0112",
                  "orders@pedalparts.example", "Dana Wu",
                  "2200 Industrial Blvd, Sacramento, CA 95815", account_number="7731"),
        QBContact("Bay Area Power & Light", "", "", "",
                  "PO Box 7000, San Francisco, CA 94120", account_number="0093-551-22"),
        QBContact("Łódź Bicycle Components Sp. z o.o.", "", "export@lbc.example",
                  "Paweł Wiśniewski", "ul. Piotrkowska 100, 90-004 Łódź, Poland"),
        QBContact("Brooks England Ltd", "Phone:+44 121 555 0100", "sales@brooks.example"),
    ]


def _qb_aging(customers: Sequence[QBContact], vendors: Sequence[QBContact],
              ) -> tuple[list[AgingItem], list[AgingItem]]:
    def item(dated: date, type_: str, num: str, name: str, due_days: int, amount: str,
             open_: str | None = None) -> AgingItem:
        return AgingItem(dated, type_, num, name, dated + timedelta(days=due_days),
                         int(Decimal(amount) * 100),
                         int(Decimal(amount if open_ is None else open_) * 100))

    c = [contact.name for contact in customers]
    receivable = [
        item(date(2026, 9, 15), "Invoice", "1045", c[0], 30, "1250.00"),
        item(date(2026, 9, 22), "Invoice", "1047", c[1], 30, "3480.50"),
        item(date(2026, 9, 28), "Invoice", "1048", c[9], 30, "845.00"),
        item(date(2026, 9, 30), "Credit Memo", "1049", c[2], 0, "-150.00"),
        item(date(2026, 8, 14), "Invoice", "1039", c[3], 30, "2200.00", "1200.00"),
        item(date(2026, 8, 27), "Invoice", "1041", c[4], 30, "615.75"),
        item(date(2026, 9, 18), "Payment", "4471", c[7], 0, "-500.00", "-200.00"),
        item(date(2026, 7, 20), "Invoice", "1032", c[5], 30, "4120.00"),
        item(date(2026, 8, 5), "Invoice", "1036", c[6], 15, "1980.40", "980.40"),
        item(date(2026, 7, 10), "Credit Memo", "1031", c[8], 0, "-1240.00"),
        item(date(2026, 6, 1), "Invoice", "1024", c[8], 30, "760.00"),
        item(date(2026, 5, 12), "Invoice", "1019", c[0], 30, "1135.20", "635.20"),
        item(date(2026, 5, 29), "Credit Memo", "1022", c[1], 0, "-310.00"),
    ]
    v = [contact.name for contact in vendors]
    payable = [
        item(date(2026, 9, 20), "Bill", "INV-77812", v[0], 30, "5412.00"),
        item(date(2026, 9, 25), "Bill", "", v[2], 30, "287.43"),
        item(date(2026, 8, 18), "Bill", "20931", v[1], 30, "1640.00", "640.00"),
        item(date(2026, 7, 29), "Bill", "ŁBC/2026/114", v[3], 30, "2315.60"),
        item(date(2026, 9, 14), "Supplier Credit", "SC-118", v[0], 0, "-275.00"),
        item(date(2026, 5, 15), "Bill", "BE-4410", v[4], 30, "918.25"),
    ]
    return receivable, payable


def _qb_extras(count: int, customers: Sequence[QBContact],
               rng: random.Random) -> list[AgingItem]:
    extras: list[AgingItem] = []
    for i in range(count):
        dated = CUTOVER - timedelta(days=rng.randrange(150))
        amount = rng.randrange(2_500, 1_250_000)
        open_ = amount // 2 if rng.random() < 0.25 else amount
        extras.append(AgingItem(dated, "Invoice", str(100001 + i),
                                customers[rng.randrange(len(customers))].name,
                                dated + timedelta(days=30), amount, open_))
    return extras


def _qb_trial_balance(debtors: int, creditors: int, extra_sales: int) -> list[Account]:
    accounts = [
        Account("Checking", 0),  # balances the rest
        Account("Undeposited Funds", 184_500),
        Account(QB_RECEIVABLES, debtors),
        Account("Inventory Asset", 1_250_000),
        Account(QB_PAYABLES, -creditors),
        Account("Sales Tax Payable", -210_433),
        Account("Opening Balance Equity", -500_000),
        Account("Retained Earnings", -2_188_045),
        Account(QB_SALES, -(16_892_000 + extra_sales)),
        Account("Cost of Goods Sold", 6_124_000),
        Account("Salaries (6000)", 5_200_000),
        Account("6100 · Office Supplies", 341_287),
        Account("Rent or Lease", 2_400_000),
    ]
    return _balanced(accounts, "Checking")
