"""Highland Widgets Ltd's books as Xero holds them, before they are rendered: its 14
contacts, the base sales documents and bills with their line items, the invoices
`extra_invoices` generates, and the trial-balance accounts (Business Bank Account takes what
balances them). The file formats are in `xero` and `xero_aged`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .model import (
    CENT,
    CUTOVER,
    Account,
    Address,
    Line,
    Person,
    XeroContact,
    XeroDocument,
    _balanced,
)

XERO_RECEIVABLES = "Accounts Receivable (610)"
XERO_PAYABLES = "Accounts Payable (800)"
XERO_SALES = "Sales (200)"
VAT_INCOME = "20% (VAT on Income)"
VAT_EXPENSES = "20% (VAT on Expenses)"
ZERO_RATED = "Zero Rated Income"


def _line(description: str, quantity: str, unit: str, account: str, tax_type: str,
          rate: str = "0.20", *, discount: str | None = None, item: str = "",
          tracking: tuple[str, str] | None = None) -> Line:
    """A line item, its LineAmount and TaxAmount rounded half-up."""
    q, u = Decimal(quantity), Decimal(unit)
    percent = Decimal(discount) if discount is not None else None
    net = q * u
    if percent is not None:
        net = net * (100 - percent) / 100
    net = net.quantize(CENT, ROUND_HALF_UP)
    tax = (net * Decimal(rate)).quantize(CENT, ROUND_HALF_UP)
    return Line(description=description, quantity=q, unit_amount=u, account_code=account,
                tax_type=tax_type, net_minor=int(net * 100), tax_minor=int(tax * 100),
                discount=percent, item_code=item, tracking=tracking)


def _xero_contacts() -> list[XeroContact]:
    return [
        XeroContact("Acme Widgets Ltd", True, "CUST-001", "accounts@acme.example",
                    postal=Address(("1 High Street", "Unit 4"), "London", "Greater London",
                                   "EC1A 1BB", "United Kingdom", "Accounts Payable"),
                    street=Address(("1 High Street",), "London", "", "EC1A 1BB",
                                   "United Kingdom"),
                    phone="020 7946 0000", tax_number="GB123456789",
                    company_number="01234567", terms=(30, "OFFOLLOWINGMONTH"),
                    default_account="200",
                    persons=(Person("Amira", "Khan", "amira.khan@acme.example"),
                             Person("Tom", "Bell", "tom.bell@acme.example"))),
        XeroContact("Café Zürich GmbH", True, "CUST-002", "buchhaltung@cafe-zuerich.example",
                    postal=Address(("Bahnhofstrasse 1",), "Zürich", "ZH", "8001",
                                   "Switzerland"),
                    legal_name="Café Zürich GmbH", terms=(14, "DAYSAFTERBILLDATE"),
                    persons=(Person("Jürg", "Meier", "juerg@cafe-zuerich.example"),)),
        XeroContact("Łukasz Nowak Ltd", True, "CUST-003", "lukasz@nowak.example",
                    postal=Address(("ul. Długa 5", "lok. 12"), "Kraków", "Małopolskie",
                                   "31-147", "Poland"),
                    phone="+48 22 123 45 67", mobile="+48 601 234 567"),
        XeroContact("東京デザイン株式会社", True, "CUST-004", "info@tokyo-design.example",
                    postal=Address(("千代田区丸の内1-1-1",), "東京", "東京都", "100-0001",
                                   "Japan"),
                    website="https://tokyo-design.example", terms=(30, "DAYSAFTERBILLDATE")),
        XeroContact("Brontë, Hughes & Daughters LLP", True, "CUST-005", "hello@bronte.example",
                    postal=Address(("2 Moor Lane",), "Haworth", "West Yorkshire", "BD22 8DR",
                                   "United Kingdom"),
                    tax_number="GB987654321", terms=(30, "OFFOLLOWINGMONTH"),
                    persons=(Person("Emily", "Brontë", "emily@bronte.example"),)),
        XeroContact("Siobhán Ó Súilleabháin", True, "", "siobhan@example.ie", "Siobhán",
                    "Ó Súilleabháin",
                    postal=Address(("14 Merrion Square",), "Dublin", "", "D02 X285",
                                   "Ireland")),
        XeroContact("Northwind Traders", True, "CUST-007",
                    street=Address(("Unit 9, Riverside Park",), "Leeds", "", "LS1 4AP",
                                   "United Kingdom"),
                    terms=(30, "DAYSAFTERBILLDATE")),
        XeroContact("Ørsted Kontor ApS", True, "CUST-008", "faktura@orsted-kontor.example",
                    postal=Address(("Nørregade 7",), "København", "", "1165", "Denmark")),
        XeroContact("Παπαδόπουλος Α.Ε.", True, "CUST-009", "info@papadopoulos.example",
                    postal=Address(("Οδός Ερμού 25",), "Αθήνα", "", "105 63", "Greece")),
        XeroContact("Paperclip Supplies Ltd", False, "SUPP-001", "sales@paperclip.example",
                    postal=Address(("Harbourside", "3 Canon's Road"), "Bristol", "",
                                   "BS1 5TR", "United Kingdom"),
                    tax_number="GB111222333", terms=(20, "OFFOLLOWINGMONTH"),
                    default_account="429"),
        XeroContact("CloudHost Ltd", False, "SUPP-002", "billing@cloudhost.example",
                    phone="0161 496 0000", terms=(14, "DAYSAFTERBILLDATE"),
                    default_account="489"),
        XeroContact("Ōtaki Electrical Ltd", False, "SUPP-003",
                    postal=Address(("Castle Arcade",), "Cardiff", "", "CF10 1EP",
                                   "United Kingdom")),
        XeroContact("Müller Logistik GmbH", False, "SUPP-004", "rechnung@mueller.example",
                    postal=Address(("Hafenstraße 12",), "Hamburg", "", "20457", "Germany"),
                    persons=(Person("Anke", "Müller", "anke@mueller.example"),)),
        XeroContact("Ñandú Software S.L.", False, "SUPP-005", "hola@nandu.example",
                    postal=Address(("Calle Mayor 3",), "Madrid", "", "28013", "Spain")),
    ]


def _due_date(contact: XeroContact, dated: date) -> date:
    """A document's due date from its contact's terms (30 days without)."""
    if contact.terms is None:
        return dated + timedelta(days=30)
    day, term = contact.terms
    if term == "DAYSAFTERBILLDATE":
        return dated + timedelta(days=day)
    assert term == "OFFOLLOWINGMONTH"
    following = (dated.replace(day=1) + timedelta(days=32)).replace(day=1)
    month_end = (following + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return following.replace(day=min(day, month_end.day))


def _xero_documents(contacts: dict[str, XeroContact]) -> tuple[list[XeroDocument],
                                                               list[XeroDocument]]:
    """The base sales documents and bills."""

    def doc(type_: str, number: str, contact: str, dated: date, lines: Sequence[Line],
            status: str = "AUTHORISED", paid: str = "0", *,
            written: str | None = None, reference: str = "",
            sent: bool | None = None) -> XeroDocument:
        total = sum(line.net_minor + line.tax_minor for line in lines)
        paid_minor = total if status == "PAID" else int(Decimal(paid) * 100)
        return XeroDocument(
            type=type_, number=number, contact=contacts[contact],
            written_name=written if written is not None else contact, dated=dated,
            due_date=None if type_.endswith("CREDIT") else _due_date(contacts[contact], dated),
            lines=tuple(lines), paid_minor=paid_minor, status=status, reference=reference,
            sent=(type_.startswith("ACCREC") and status not in ("DRAFT", "DELETED"))
            if sent is None else sent)

    sale, acc = "ACCREC", "ACCRECCREDIT"
    widgets = _line("Widgets, blue (large)", "10", "12.50", "200", VAT_INCOME,
                    item="WID-BLU-L")
    invoices = [
        doc(sale, "INV-0001", "Acme Widgets Ltd", date(2026, 6, 3),
            [widgets, _line("Delivery", "1", "15.00", "200", VAT_INCOME)], "PAID",
            reference="PO 4471"),
        doc(sale, "INV-0002", "Café Zürich GmbH", date(2026, 7, 14), [
            _line("Espressomaschine – Wartung, jährlich", "1", "480.00", "200", VAT_INCOME),
            _line("Ersatzteile: Dichtungen, Ventile", "6", "7.3750", "200", VAT_INCOME),
            _line("Anfahrt (Zürich)", "2.5", "36.00", "200", VAT_INCOME),
        ], reference="Wartung Q3"),
        doc(sale, "INV-0003", "Łukasz Nowak Ltd", date(2026, 7, 28), [
            _line("Consulting, September — 2 days", "2", "650.00", "200", VAT_INCOME),
            _line("Travel: Kraków ↔ London", "1", "212.37", "200", VAT_INCOME),
        ], paid="1000.00", reference="Projekt Wisła"),
        doc(sale, "INV-0004", "東京デザイン株式会社", date(2026, 8, 17), [
            _line("ウィジェット 青（大）", "40", "11.2500", "200", ZERO_RATED, "0"),
            _line("Packaging, export grade", "4", "18.00", "200", ZERO_RATED, "0"),
        ]),
        doc(sale, "INV-0005", "Brontë, Hughes & Daughters LLP", date(2026, 8, 21), [
            _line("Widgets, blue (large)", "24", "12.50", "200", VAT_INCOME,
                  discount="10.00", item="WID-BLU-L"),
            _line("Widgets, red (small)", "50", "3.9900", "200", VAT_INCOME,
                  discount="10.00", item="WID-RED-S"),
            _line("Brackets, steel", "12", "2.35", "200", VAT_INCOME, item="BRK-01"),
            _line("Installation, on site", "3.5", "45.00", "200", VAT_INCOME,
                  tracking=("Region", "North")),
            _line("Delivery", "1", "15.00", "200", VAT_INCOME),
        ], reference="Order 2026/118, Haworth"),
        doc(sale, "INV-0006", "Siobhán Ó Súilleabháin", date(2026, 8, 25),
            [_line("Design review", "1", "350.00", "200", VAT_INCOME)], "PAID"),
        doc(sale, "INV-0007", "Northwind Traders", date(2026, 9, 14),
            [_line("Widgets, red (small)", "100", "3.99", "200", VAT_INCOME,
                   item="WID-RED-S")], "DRAFT"),
        doc(sale, "INV-0008", "Acme Widgets Ltd", date(2026, 9, 2),
            [widgets], "VOIDED", reference="raised twice"),
        doc(sale, "INV-0009", "Café Zürich GmbH", date(2026, 9, 15), [
            _line("Kaffeemühle, Modell „Alpen“", "2", "189.90", "200", VAT_INCOME),
            _line("Schulung für Baristas", "1", "240.00", "200", VAT_INCOME),
        ], paid="300.00", written="café zürich  gmbh"),
        doc(sale, "INV-0010", "Ørsted Kontor ApS", date(2026, 9, 18), [
            _line("Kontorstole, grå", "6", "89.00", "200", VAT_INCOME),
            _line("Montering", "4", "32.50", "200", VAT_INCOME),
            _line("Levering, København", "1", "60.00", "200", VAT_INCOME),
        ]),
        doc(sale, "INV-0011", "Παπαδόπουλος Α.Ε.", date(2026, 9, 21),
            [_line("Σχεδιασμός λογότυπου", "1", "900.00", "200", VAT_INCOME)], "DELETED"),
        doc(sale, "INV-0012", "Acme Widgets Ltd", date(2026, 9, 24), [
            widgets,
            _line("Widgets, green (medium)", "30", "7.4500", "200", VAT_INCOME,
                  item="WID-GRN-M"),
            _line("Rush fee, 48 hours", "1", "75.00", "200", VAT_INCOME),
            _line("Delivery", "1", "15.00", "200", VAT_INCOME),
        ], reference="PO 4502"),
        doc(sale, "INV-0013", "Northwind Traders", date(2026, 9, 30), [
            _line("Annual support contract, Oct 2026 – Sep 2027", "1", "2400.00", "200",
                  VAT_INCOME, tracking=("Region", "North")),
        ]),
        doc(acc, "CN-0001", "Acme Widgets Ltd", date(2026, 9, 28), [
            _line("Returned: widgets, blue (large), damaged", "4", "12.50", "200",
                  VAT_INCOME, item="WID-BLU-L"),
        ], reference="INV-0012"),
    ]
    bill, credit = "ACCPAY", "ACCPAYCREDIT"
    bills = [
        doc(bill, "SUP-8812", "Paperclip Supplies Ltd", date(2026, 8, 31), [
            _line("Paper, A4, 80gsm (box of 5 reams)", "12", "21.99", "429", VAT_EXPENSES),
            _line("Toner cartridges", "3", "64.50", "429", VAT_EXPENSES),
        ]),
        doc(bill, "PS-1002", "Paperclip Supplies Ltd", date(2026, 7, 31),
            [_line("Staples, clips & pins", "1", "38.40", "429", VAT_EXPENSES)], "PAID"),
        doc(bill, "CH-2026-09", "CloudHost Ltd", date(2026, 9, 1), [
            _line("Hosting, September", "1", "1200.00", "489", VAT_EXPENSES),
            _line("Backup storage, 500 GB", "5", "8.0000", "489", VAT_EXPENSES),
        ]),
        doc(bill, "SUP-8812", "Müller Logistik GmbH", date(2026, 9, 16), [
            _line("Fracht Hamburg → Leeds", "1", "2150.00", "425", VAT_EXPENSES),
            _line("Zollabfertigung", "1", "180.00", "425", VAT_EXPENSES),
            _line("Palettengebühr", "8", "12.5000", "425", VAT_EXPENSES),
        ], paid="1000.00", reference="Sendung 77-31"),
        doc(bill, "OE/77", "Ōtaki Electrical Ltd", date(2026, 9, 28), [
            _line("Rewiring, workshop", "1", "420.00", "473", VAT_EXPENSES),
            _line("Cable, 2.5mm² (per metre)", "75", "0.3750", "473", VAT_EXPENSES),
        ]),
        doc(bill, "ML-0450", "Müller Logistik GmbH", date(2026, 9, 29),
            [_line("Fracht, Oktober (Entwurf)", "1", "950.00", "425", VAT_EXPENSES)],
            "DRAFT"),
        doc(credit, "CR-5521", "Ōtaki Electrical Ltd", date(2026, 9, 30),
            [_line("Credit: cable returned", "20", "0.3750", "473", VAT_EXPENSES)],
            reference="OE/77"),
    ]
    return invoices, bills


def _line_pool() -> list[Line]:
    """Line items the generated invoices draw from."""
    products = [("Widgets, blue (large)", "12.50", "WID-BLU-L"),
                ("Widgets, red (small)", "3.9900", "WID-RED-S"),
                ("Widgets, green (medium)", "7.4500", "WID-GRN-M"),
                ("Brackets, steel", "2.35", "BRK-01"),
                ("Installation, on site", "45.00", ""),
                ("Delivery", "15.00", ""),
                ("Ersatzteile: Dichtungen", "7.3750", ""),
                ("Consulting — half day", "325.00", "")]
    pool: list[Line] = []
    for description, unit, item in products:
        for quantity in ("1", "2", "3", "5", "12"):
            pool.append(_line(description, quantity, unit, "200", VAT_INCOME, item=item))
        pool.append(_line(description, "4", unit, "200", VAT_INCOME, discount="10.00",
                          item=item))
    return pool


def _xero_extras(count: int, customers: Sequence[XeroContact],
                 rng: random.Random) -> list[XeroDocument]:
    pool = _line_pool()
    extras: list[XeroDocument] = []
    for i in range(count):
        lines = tuple(rng.choice(pool) for _ in range(5))
        dated = CUTOVER - timedelta(days=rng.randrange(120))
        total = sum(line.net_minor + line.tax_minor for line in lines)
        paid = total // 2 if rng.random() < 0.25 else 0
        contact = customers[rng.randrange(len(customers))]
        extras.append(XeroDocument(
            type="ACCREC", number=f"INV-{100001 + i}", contact=contact,
            written_name=contact.name, dated=dated, due_date=dated + timedelta(days=30),
            lines=lines, paid_minor=paid, status="AUTHORISED",
            reference=f"PO {7000 + i % 900}" if i % 3 else "", sent=True))
    return extras


def _xero_trial_balance(debtors: int, creditors: int, extra_sales: int) -> list[Account]:
    accounts = [
        Account(XERO_SALES, -(9_648_000 + extra_sales), "Revenue", -912_000),
        Account("Ventes à l'étranger (210)", -721_540, "Revenue", -64_000),
        Account("Rent (469)", 1_800_000, "Expenses", 150_000),
        Account("Wages and Salaries (477)", 4_125_000, "Expenses", 343_750),
        Account("Bank Fees (404)", 31_275, "Expenses", 2_650),
        Account("Business Bank Account (090)", 0, "Assets"),  # balances the rest
        Account(XERO_RECEIVABLES, debtors, "Assets", 234_000),
        Account("Office Equipment (710)", 640_000, "Assets"),
        Account(XERO_PAYABLES, -creditors, "Liabilities", -118_045),
        Account("VAT (820)", -431_860, "Liabilities", -84_200),
        Account("Historical Adjustment (840)", 0, "Liabilities", 125_000),
        Account("Owner A Funds Introduced", -1_000_000, "Equity"),
        Account("Retained Earnings (960)", -1_234_567, "Equity"),
        Account("Dividends (970)", 500_000, "Equity", 250_000),
    ]
    return _balanced(accounts, "Business Bank Account (090)")
