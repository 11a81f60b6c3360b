"""The demo's customers: German SMEs with contracts, sites and contacts.

Every draw comes from the demo's one `random.Random`, in a fixed order per customer (home
branch, city, name, account manager, contracts, sites, contacts): moving a draw changes every
customer after it.
"""

from __future__ import annotations

import random

from sqlalchemy import func
from sqlmodel import Session, select

from dispatch.demo import sla as demo_sla
from dispatch.demo.common import CustomerInfo, SiteInfo, Weighted, slug
from dispatch.demo.vocabulary import (
    ACCOUNT_MANAGERS,
    CUSTOMER_PATTERNS,
    FIRST_NAMES,
    LAST_NAMES,
    BranchSpec,
)
from dispatch.domain.types import ContractKind, SupportProfile
from dispatch.models import Branch, Contact, Contract, Customer, Site

Home = tuple[Branch, BranchSpec]


def seed_customers(
    session: Session, rng: random.Random, count: int, branches: list[Home]
) -> list[CustomerInfo]:
    seeder = _CustomerSeeder(session, rng, count, branches)
    return [seeder.one(i) for i in range(count)]


def _customer_name(rng: random.Random, city: str) -> str:
    pattern = rng.choice(CUSTOMER_PATTERNS)
    last, last2 = rng.sample(LAST_NAMES, 2)
    return pattern.format(L=last, L2=last2, C=city)


class _CustomerSeeder:
    def __init__(
        self, session: Session, rng: random.Random, count: int, branches: list[Home]
    ) -> None:
        self.session = session
        self.rng = rng
        self.count = count
        self.branch_pick = Weighted(branches, [spec.weight for _, spec in branches])
        self.used: set[str] = set()
        taken = session.exec(select(func.count()).select_from(Customer)).one() or 0
        self.first_number = 10_001 + taken

    def one(self, i: int) -> CustomerInfo:
        rng, session = self.rng, self.session
        home: Home = self.branch_pick.pick(rng)
        city = rng.choice(home[1].cities)
        name = self._name(city, i)
        customer = Customer(
            number=f"K{self.first_number + i}",
            name=name,
            account_manager=rng.choice(ACCOUNT_MANAGERS),
        )
        session.add(customer)
        session.flush()
        assert customer.id is not None
        # a cooperation agreement always, add-ons by chance; the first customers make sure
        # managed services (monitoring) and contingent (VIP hotline) exist
        managed = i == 0 or rng.random() < 0.3
        contingent = i == min(1, self.count - 1) or rng.random() < 0.35
        contracts = self._contracts(customer, i, managed=managed, contingent=contingent)
        demo_sla.book_extended_support(contracts, customer.id)
        session.add_all(contracts)
        sites = self._sites(customer.id, home, city)
        contacts = self._contacts(customer.id, name, home[1].area_code)
        session.add_all([*(site for site, _ in sites), *contacts])
        session.flush()
        return CustomerInfo(
            id=customer.id,
            name=name,
            terms=demo_sla.contract_terms(contracts),
            sites=[
                SiteInfo(
                    id=site.id or 0,
                    name=site.name,
                    city=site.city,
                    address=site.address,
                    branch_id=site.branch_id,
                    state=spec.state,
                )
                for site, spec in sites
            ],
            contact_ids=[c.id or 0 for c in contacts],
            contact_names=[c.name for c in contacts],
            contingent=contingent,
            managed=managed,
        )

    def _name(self, city: str, i: int) -> str:
        name = _customer_name(self.rng, city)
        tries = 0
        while name in self.used:
            tries += 1
            name = _customer_name(self.rng, city) if tries < 20 else f"{name} ({i})"
        self.used.add(name)
        return name

    def _contracts(
        self, customer: Customer, i: int, *, managed: bool, contingent: bool
    ) -> list[Contract]:
        """The customer's contracts (the `i`th customer's)."""
        rng, customer_id = self.rng, customer.id
        assert customer_id is not None
        extended = rng.random() < 0.3 or i == demo_sla.EXTENDED_CUSTOMER
        base_profile = SupportProfile.EXTENDED if extended else SupportProfile.STANDARD
        overrides: dict[str, int] | None = None
        if rng.random() < 0.2:
            overrides = rng.choice(({"P1": 30}, {"P1": 30, "P2": 120}, {"P2": 180, "P3": 240}))
        contracts = [
            Contract(
                kind=ContractKind.COOPERATION,
                support_profile=base_profile,
                response_overrides=overrides,
                customer_id=customer_id,
            )
        ]
        if rng.random() < 0.4:
            contracts.append(_contract(ContractKind.NEEDS_ANALYSIS, base_profile, customer_id))
        if contingent:
            hours = rng.choice((5, 8, 10, 15, 20, 30, 40))
            contracts.append(
                Contract(
                    kind=ContractKind.CONTINGENT,
                    support_profile=base_profile,
                    contingent_hours_per_month=float(hours),
                    customer_id=customer_id,
                )
            )
            # Drawn and unused (balances come from the ledger, `demo/contingent.py`): the
            # draws stay, so every later draw of the seed stays as it was.
            low = -hours * 15 if rng.random() < 0.15 else 0
            rng.randint(low // 15, hours * 8)
        if rng.random() < 0.15:
            contracts.append(_contract(ContractKind.RENTAL, base_profile, customer_id))
        if rng.random() < 0.2:
            contracts.append(_contract(ContractKind.ASP, base_profile, customer_id))
        if managed:
            contracts.append(
                _contract(ContractKind.MANAGED_SERVICES, SupportProfile.ALWAYS, customer_id)
            )
        return contracts

    def _sites(self, customer_id: int, home: Home, city: str) -> list[tuple[Site, BranchSpec]]:
        """The head office in the customer's city, then branch sites, mostly near home."""
        rng = self.rng
        sites: list[tuple[Site, BranchSpec]] = []
        for s in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if s == 0:
                (branch, spec), site_name, site_city = home, "Hauptsitz", city
            else:
                branch, spec = home if rng.random() < 0.7 else self.branch_pick.pick(rng)
                site_city = rng.choice(spec.cities)
                site_name = (
                    rng.choice(("Filiale", "Lager", "Werk", "Zweigstelle")) + " " + site_city
                )
            assert branch.id is not None
            address = f"{rng.choice(spec.streets)} {rng.randint(1, 120)}"
            site = Site(
                name=site_name,
                address=address,
                city=site_city,
                branch_id=branch.id,
                customer_id=customer_id,
            )
            sites.append((site, spec))
        return sites

    def _contacts(self, customer_id: int, name: str, area_code: str) -> list[Contact]:
        """One to three contacts at the customer's mail domain; the first gets the reports."""
        rng = self.rng
        domain = slug(name.split(" GmbH")[0].split(" gGmbH")[0], "-")[:40] + ".de"
        contacts: list[Contact] = []
        for c in range(rng.choice((1, 2, 2, 3))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contacts.append(
                Contact(
                    name=f"{first} {last}",
                    email=f"{slug(first)[0]}.{slug(last, '-')}@{domain}",
                    phone=f"+49 {area_code} {rng.randint(10000, 999999)}",
                    notify_new=c == 0 or rng.random() < 0.3,
                    notify_status=c == 0 and rng.random() < 0.6,
                    receives_reports=c == 0,
                    customer_id=customer_id,
                )
            )
        return contacts


def _contract(kind: ContractKind, profile: SupportProfile, customer_id: int) -> Contract:
    return Contract(kind=kind, support_profile=profile, customer_id=customer_id)
