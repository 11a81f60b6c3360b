"""What the desk is told while it takes a ticket in (the console's dialog and
`dispatch tickets add`): the customer's main site, whether it is a VIP customer, and the SLA
targets and due times a new ticket would get, as the service will compute them.

Customers come as the service sends them: a full record (`CustomerShape`, the office's
roles: sites, contacts, contracts, contingent) or the directory's listing every role may
search (`CustomerListingShape`: name, number and sites only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.domain import sla
from dispatch.domain.types import (
    ContractKind,
    Priority,
    Source,
    StateCode,
    SupportProfile,
    TicketKind,
)
from dispatch.i18n import N_, _

Json = dict[str, Any]

NO_CONTINGENT = N_("no contingent: not a VIP customer, no VIP hotline")
DESK_SOURCE = Source.PHONE  # a call at the desk comes in on the phone hotline
TECHNICIAN_SOURCE = Source.VIP_HOTLINE  # the VIP hotline rings at the remote technicians


def main_site(customer: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The site a new ticket defaults to: the only one, else the first (the one the service
    counts the holidays of when a ticket names no site)."""
    sites = sorted(customer.get("sites") or [], key=lambda s: int(s["id"]))
    return sites[0] if sites else None


def is_full(customer: Mapping[str, Any]) -> bool:
    """Whether this is a full record (contacts, contracts, contingent), not a listing."""
    return "contingent_balance_minutes" in customer


def has_contingent(customer: Mapping[str, Any]) -> bool | None:
    """Whether the customer has a contingent contract: who may call the VIP hotline (the
    service refuses a VIP-hotline ticket for anyone else). The full record says it in its
    contracts, the directory's listing in `vip_hotline`; None when neither says."""
    if is_full(customer):
        return any(c.get("kind") == ContractKind.CONTINGENT for c in _contracts(customer))
    flag = customer.get("vip_hotline")
    return None if flag is None else bool(flag)


def sources_for(customer: Mapping[str, Any] | None) -> list[str]:
    """The sources a new ticket of `customer` may come from: every one, but the VIP hotline
    only for a customer with a contingent (offered while that is not known: the service
    decides then)."""
    vip_too = customer is None or has_contingent(customer) is not False
    return [s.value for s in Source if vip_too or s is not Source.VIP_HOTLINE]


def vip_warning(customer: Mapping[str, Any] | None, source: str) -> str | None:
    """Why a VIP-hotline call of this customer will be refused (no contingent), or None."""
    if customer is None or source != Source.VIP_HOTLINE:
        return None
    return _(NO_CONTINGENT) if has_contingent(customer) is False else None


def contact_line(contact: Mapping[str, Any]) -> str:
    """`Jana Kurz · 0251 123-45 · jana.kurz@example.de`: whom to call back, cleaned."""
    parts = [contact.get("name"), contact.get("phone"), contact.get("email")]
    return " · ".join(one_line(p) for p in parts if p)


def site_line(site: Mapping[str, Any]) -> str:
    """`Hauptsitz, Münster`."""
    parts = [site.get("name"), site.get("city")]
    return ", ".join(one_line(p) for p in parts if p)


def customer_line(customer: Mapping[str, Any]) -> str:
    """`K-10023 Bäckerei Schulz`, with the contingent left when the record says."""
    text = f"{one_line(customer.get('number') or '')} {one_line(customer.get('name') or '')}"
    if is_full(customer) and has_contingent(customer):
        left = int(customer.get("contingent_balance_minutes") or 0)
        text += " · " + _("contingent {left} left").format(left=clock.duration(left))
    return text.strip()


def contract_terms_of(contract: Mapping[str, Any]) -> sla.ContractTerms:
    """What `sla.choose_terms` reads of one contract as the service sends it."""
    kind = ContractKind(contract["kind"])
    return sla.ContractTerms(
        id=contract.get("id"),
        kind=kind,
        profile=SupportProfile(contract.get("support_profile") or SupportProfile.STANDARD),
        overrides=contract.get("response_overrides"),
        # the service sends the coverage that applies, filled in; a null list is every value
        coverage=sla.coverage_of(kind, contract.get("coverage") or {}),
    )


def _contracts(customer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(customer.get("contracts") or [])


def site_state(
    site: Mapping[str, Any] | None, branch_states: Mapping[int, str]
) -> StateCode | None:
    """The state of the branch serving `site` (its holidays), when the console knows it."""
    if site is None or site.get("branch_id") is None:
        return None
    state = branch_states.get(int(site["branch_id"]))
    try:
        return StateCode(state) if state else None
    except ValueError:
        return None


def branch_states(technicians: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """Each branch's state, read from its technicians (the console keeps no branch list)."""
    return {
        int(t["branch_id"]): str(t["branch_state"])
        for t in technicians
        if t.get("branch_id") is not None and t.get("branch_state")
    }


@dataclass(frozen=True, slots=True)
class Target:
    """One priority's targets (business minutes) and the due times they give from `now`."""

    priority: str
    first_minutes: int
    resolution_minutes: int
    first_due: datetime
    resolution_due: datetime


@dataclass(frozen=True, slots=True)
class Targets:
    """The clock a new ticket would get, and each priority's targets under it."""

    terms: sla.Terms
    known: bool | None  # False: contracts not visible (standard targets); None: no customer
    by_priority: Mapping[str, Target]


def targets(
    customer: Mapping[str, Any] | None,
    kind: str,
    source: str,
    state: StateCode | None,
    now: datetime | None = None,
) -> Targets:
    """The terms `sla.choose_terms` picks for a ticket of `kind` from `source` for this
    customer, and each priority's targets and due times counted from `now`."""
    now = now or datetime.now(UTC)
    contracts = [contract_terms_of(c) for c in _contracts(customer or {})]
    terms = sla.choose_terms(contracts, TicketKind(kind), Source(source), state)
    found = {}
    for p in Priority:
        first, resolution = sla.due_times_for(terms, now, p)
        minutes = sla.response_minutes(p, terms.overrides)
        found[p.value] = Target(
            p.value, minutes, minutes * sla.RESOLUTION_FACTOR, first, resolution
        )
    return Targets(terms, None if customer is None else is_full(customer), found)


def priority_label(target: Target) -> str:
    """`P1 critical · 1:00 h / 4:00 h`: the targets, short enough for a choice."""
    return (
        f"{labels.priority(target.priority)} · {clock.duration(target.first_minutes)}"
        f" / {clock.duration(target.resolution_minutes)}"
    )


def due_line(found: Targets, priority: str) -> str:
    """`first response by Mo 07.12. 10:15 · resolution by Di 08.12. 09:15 (extended hours)`."""
    target = found.by_priority[priority]
    text = _("first response by {first} · resolution by {resolution} ({hours})").format(
        first=clock.moment(target.first_due),
        resolution=clock.moment(target.resolution_due),
        hours=labels.word(labels.SUPPORT_PROFILE, found.terms.profile),
    )
    if found.known is None:
        return _("{targets}; the customer's contracts may shorten them").format(targets=text)
    if not found.known:
        return _("{targets}; standard targets: the contracts are not visible to you").format(
            targets=text
        )
    return text


def provisional_fields(found: Targets, priority: str) -> Json:
    """The due times and terms a queued new ticket shows until the service answers."""
    target = found.by_priority[priority]
    return {
        "first_response_due": target.first_due.astimezone(UTC).isoformat(),
        "resolution_due": target.resolution_due.astimezone(UTC).isoformat(),
        "sla_profile": found.terms.profile.value,
        "sla_state": found.terms.state.value,
        "sla_contract_id": found.terms.contract_id,
    }


def choices(table: dict[str, str], values: Sequence[str]) -> list[tuple[str, str]]:
    """(label, value) pairs of `values` in the words of `table`."""
    return [(labels.word(table, v), v) for v in values]
