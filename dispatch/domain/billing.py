"""Billing units: how the minutes a technician worked become the minutes the customer pays.

The boarding guide ("Das Abrechnungsprozedere") bills by the kind of work and where it
happens. Each kind has a first unit, billed in full however short the work was, and then
steps, each started step billed in full:

| role | on site | remote |
| --- | --- | --- |
| IT Technician, IT System Engineer | 120 min, then 30 | 15 min, then 15 |
| IT Consultant, IT Architect | 240 min, then 30 | 120 min, then 15 |

Work is billable or not ("Was wird berechnet?"). Non-billable work bills 0 minutes, needs a
reason, and still appears in service reports; it touches neither invoices nor contingents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from dispatch.domain.types import ServiceRole, WorkMode

MIN_RAW_MINUTES = 1
"""The least work an entry records: an entry of 0 minutes is a mistake, not free work."""

REASON_TEXT_MAX = 200
"""The longest free text a non-billable reason may carry."""


class NonBillableReason(StrEnum):
    """Why work is not billed; the technician gives one for every non-billable entry."""

    WARRANTY = "warranty"  # the provider's own warranty, e.g. rework on a device it sold
    REWORK = "rework"  # fixing the provider's own earlier work
    GOODWILL = "goodwill"  # the account manager's decision ("Kulanz")
    COVERED_BY_RENTAL = "covered_by_rental"  # the rental price includes it
    INTERNAL = "internal"  # the provider's own business: training, handover, tooling
    OTHER = "other"  # explained in the entry's reason text


_REASONS = frozenset(NonBillableReason)


@dataclass(frozen=True, slots=True)
class BillingUnit:
    """A first unit billed in full, then steps each billed in full once started."""

    first: int
    step: int

    def billed(self, raw_minutes: int) -> int:
        """The minutes `raw_minutes` of billable work cost in this unit."""
        if raw_minutes <= self.first:
            return self.first
        started_steps = -(-(raw_minutes - self.first) // self.step)  # ceiling division
        return self.first + started_steps * self.step


_ON_SITE_SHORT, _ON_SITE_LONG = BillingUnit(120, 30), BillingUnit(240, 30)
_REMOTE_SHORT, _REMOTE_LONG = BillingUnit(15, 15), BillingUnit(120, 15)

UNITS: Mapping[tuple[ServiceRole, WorkMode], BillingUnit] = MappingProxyType(
    {
        (ServiceRole.TECHNICIAN, WorkMode.ONSITE): _ON_SITE_SHORT,
        (ServiceRole.SYSTEM_ENGINEER, WorkMode.ONSITE): _ON_SITE_SHORT,
        (ServiceRole.CONSULTANT, WorkMode.ONSITE): _ON_SITE_LONG,
        (ServiceRole.ARCHITECT, WorkMode.ONSITE): _ON_SITE_LONG,
        (ServiceRole.TECHNICIAN, WorkMode.REMOTE): _REMOTE_SHORT,
        (ServiceRole.SYSTEM_ENGINEER, WorkMode.REMOTE): _REMOTE_SHORT,
        (ServiceRole.CONSULTANT, WorkMode.REMOTE): _REMOTE_LONG,
        (ServiceRole.ARCHITECT, WorkMode.REMOTE): _REMOTE_LONG,
    }
)
"""The guide's table: the billing unit of each service role on site and remote."""


def unit(role: ServiceRole, on_site: bool) -> BillingUnit:
    """The billing unit of `role`'s work on site (True) or remote (False)."""
    return UNITS[ServiceRole(role), WorkMode.ONSITE if on_site else WorkMode.REMOTE]


def billed_minutes(raw_minutes: int, role: ServiceRole, on_site: bool, billable: bool) -> int:
    """The minutes billed for one time entry of `raw_minutes` worked.

    Each entry is one visit (on site) or one session (remote), and each visit starts its own
    first unit: two entries of 30 minutes on site bill two first units (2 x 120), one entry
    of 60 minutes bills one. Whoever logs a visit in parts therefore bills it more than once;
    log a visit as one entry.

    Non-billable work bills 0. `raw_minutes` below 1 raises ValueError for billable and
    non-billable work alike: an entry records work that happened (the API answers 422).
    """
    if isinstance(raw_minutes, bool) or not isinstance(raw_minutes, int):
        raise TypeError(f"raw minutes must be a whole number, got {raw_minutes!r}")
    if raw_minutes < MIN_RAW_MINUTES:
        raise ValueError(f"a time entry records at least {MIN_RAW_MINUTES} minute")
    if not billable:
        return 0
    return unit(role, on_site).billed(raw_minutes)


def billability_problem(
    billable: bool, reason: NonBillableReason | str | None, reason_text: str | None
) -> str | None:
    """Why this combination of billable, reason and reason text is refused, or None.

    Non-billable work needs a reason, "other" also a text; billable work takes neither, so
    that a report never shows a reason for work that was billed anyway.
    """
    text = (reason_text or "").strip()
    if billable:
        if reason is not None or text:
            return "billable work takes no non-billable reason"
        return None
    if reason is None:
        return "non-billable work needs a reason"
    if reason not in _REASONS:
        return f"unknown non-billable reason {reason!r}"
    if reason == NonBillableReason.OTHER and not text:
        return 'the reason "other" needs a text'
    if len(text) > REASON_TEXT_MAX:
        return f"the reason text has at most {REASON_TEXT_MAX} characters"
    return None
