"""Customers with their sites, contacts and contracts."""

from __future__ import annotations

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from dispatch.domain.types import ContractKind, Source, SupportProfile, TicketKind


class CustomerBase(SQLModel):
    number: str = Field(max_length=20, unique=True, description="Customer number")
    name: str = Field(max_length=120, index=True)
    account_manager: str | None = Field(default=None, max_length=80)


class Customer(CustomerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class SiteBase(SQLModel):
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=80)
    branch_id: int = Field(foreign_key="branch.id", description="Branch that serves this site")


class Site(SiteBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)


class SitePublic(SiteBase):
    id: int
    customer_id: int


class ContactBase(SQLModel):
    name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    notify_new: bool = Field(default=False, description="E-mail on newly created tickets")
    notify_status: bool = Field(default=False, description="E-mail on status changes")
    receives_reports: bool = Field(default=False, description="Receives service reports")


class Contact(ContactBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    # Last, as migration 0012 adds it: the language of the mails this contact gets.
    language: str = Field(
        default="de",
        max_length=2,
        description='Language of the mails they get: "de" or "en"',
        sa_column_kwargs={"server_default": "de"},
    )


class ContactPublic(ContactBase):
    id: int
    customer_id: int
    language: str = "de"


class ContractBase(SQLModel):
    kind: ContractKind
    support_profile: SupportProfile = SupportProfile.STANDARD
    response_overrides: dict[str, int] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description='First-response minutes per priority, e.g. {"P1": 30}',
    )
    contingent_hours_per_month: float | None = Field(default=None, ge=0)


class Contract(ContractBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    coverage: dict[str, list[str] | None] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description='Which tickets it covers, e.g. {"kinds": ["monitoring"], "sources": null};'
        " null: the default of its kind (`domain.sla.DEFAULT_COVERAGE`)",
    )


class CoveragePublic(SQLModel):
    """The tickets a contract sets the clock for: kind in `kinds` and source in `sources`."""

    kinds: list[TicketKind] | None = Field(description="null: every kind")
    sources: list[Source] | None = Field(description="null: every source")


class ContractPublic(ContractBase):
    id: int
    customer_id: int
    coverage: CoveragePublic


class CustomerPublic(CustomerBase):
    id: int
    contingent_balance_minutes: int = Field(
        default=0,
        description="Contingent minutes left now, from the ledger (negative = overdrawn; 0 "
        "without a contingent contract; the details: GET /customers/{id}/contingent)",
    )
    support_profile: SupportProfile = Field(
        description="The hours of an everyday request (contracts covering it, widest first)"
    )
    sites: list[SitePublic] = []
    contacts: list[ContactPublic] = []
    contracts: list[ContractPublic] = []


class DirectorySite(SQLModel):
    id: int
    name: str
    city: str


class CustomerListing(SQLModel):
    """A customer as the directory shows it to every role: enough to find the caller's
    customer and take their ticket; no contacts, contracts or contingent balance."""

    id: int
    number: str
    name: str
    sites: list[DirectorySite] = []
    vip_hotline: bool = Field(
        default=False,
        description="Whether they may call the VIP hotline (a contingent contract buys it)",
    )
