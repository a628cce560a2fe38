"""The simulator's accounts and organisations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrgSpec:
    """How large an organisation is and what it holds."""

    number: int
    name: str
    country: str
    alpha2: str
    tax_number: str
    currency: str
    taxes: int
    clients: int
    items: int
    documents: int
    payments: int
    # Documents of types or currencies the target cannot hold, every Nth document.
    unsupported_every: int = 0

    @property
    def id(self) -> str:
        return legacy_id(self.number, 0, 0)


@dataclass(frozen=True)
class UserSpec:
    email: str
    password: str
    user_id: str
    org_numbers: tuple[int, ...]


def legacy_id(org: int, kind: int, index: int) -> str:
    """A 24-hex ID that sorts like (org, kind, index)."""
    return f"{org:02x}{kind:02x}{index:020x}"


KIND_TAX, KIND_CLIENT, KIND_ITEM, KIND_DOCUMENT, KIND_PAYMENT = 1, 2, 3, 4, 5

SMALL, LARGE, UNSUPPORTED, OTHER, MEDIUM = 1, 2, 3, 4, 5

ORGS: dict[int, OrgSpec] = {
    SMALL: OrgSpec(SMALL, "Acme d.o.o.", "Slovenia", "SI", "SI12345678", "EUR",
                   taxes=3, clients=15, items=10, documents=40, payments=25),
    LARGE: OrgSpec(LARGE, "Globex Trading Ltd", "United Kingdom", "GB", "GB987654321", "GBP",
                   taxes=4, clients=20_000, items=2_000, documents=100_000, payments=100_000),
    UNSUPPORTED: OrgSpec(UNSUPPORTED, "Initech GmbH", "Germany", "DE", "DE811111111", "EUR",
                         taxes=2, clients=10, items=5, documents=30, payments=20,
                         unsupported_every=7),
    OTHER: OrgSpec(OTHER, "Umbrella Corp", "Slovenia", "SI", "SI87654321", "EUR",
                   taxes=2, clients=5, items=3, documents=8, payments=4),
    MEDIUM: OrgSpec(MEDIUM, "Initrode Ltd", "United Kingdom", "GB", "GB123123123", "GBP",
                    taxes=4, clients=2_000, items=200, documents=10_000, payments=10_000),
}

# Many small organisations of one user, for tests and the chaos run that need many jobs
# at once (a legacy organisation has at most one active job). A payment pays the document
# of the same index, so there are never more payments than documents.
FLEET = tuple(range(0x10, 0x10 + 64))
for _n in FLEET:
    ORGS[_n] = OrgSpec(_n, f"Fleet Org {_n - FLEET[0] + 1:02d}", "Slovenia", "SI",
                       f"SI{_n:08d}", "EUR", taxes=2, clients=4 + _n % 7, items=3 + _n % 5,
                       documents=12 + _n % 13, payments=8 + _n % 5)

USERS: tuple[UserSpec, ...] = (
    UserSpec("demo@example.com", "demo-password", legacy_id(0, 9, 1),
             (SMALL, LARGE, UNSUPPORTED, MEDIUM)),
    UserSpec("other@example.com", "other-password", legacy_id(0, 9, 2), (OTHER,)),
    UserSpec("fleet@example.com", "fleet-password", legacy_id(0, 9, 3), FLEET),
)


def owner_of(org_number: int) -> UserSpec:
    """The user whose account holds the organisation."""
    return next(u for u in USERS if org_number in u.org_numbers)


def org_by_id(org_id: str) -> OrgSpec | None:
    """The organisation with that legacy ID, if any."""
    for org in ORGS.values():
        if org.id == org_id:
            return org
    return None
