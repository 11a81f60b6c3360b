"""Which contract sets a ticket's clock (`sla.choose_terms`), and the holiday dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dispatch.domain import sla
from dispatch.domain.sla import (
    BERLIN,
    ContractTerms,
    Terms,
    choose_terms,
    coverage_of,
    due_times_for,
)
from dispatch.domain.types import (
    ContractKind,
    Priority,
    Source,
    StateCode,
    SupportProfile,
    TicketKind,
)

STD = SupportProfile.STANDARD
EXT = SupportProfile.EXTENDED
ALL = SupportProfile.ALWAYS
NW = StateCode.NW
HE = StateCode.HE


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


# --- which contract sets the clock ------------------------------------------------------------


def _contract(
    cid: int, kind: ContractKind, profile: SupportProfile, **more: object
) -> ContractTerms:
    overrides = more.get("overrides")
    stored = more.get("coverage")
    return ContractTerms(
        id=cid,
        kind=kind,
        profile=profile,
        overrides=overrides if isinstance(overrides, dict) else None,
        coverage=coverage_of(kind, stored if isinstance(stored, dict) else None),
    )


COOP = _contract(1, ContractKind.COOPERATION, STD, overrides={"P2": 120})
MONITORED = _contract(2, ContractKind.MANAGED_SERVICES, ALL, overrides={"P2": 30})


def test_a_service_request_gets_the_agreements_hours_a_monitoring_alert_24_7() -> None:
    """The guide's example: a cooperation agreement and 24/7 monitoring."""
    request = choose_terms([COOP, MONITORED], TicketKind.REQUEST, Source.EMAIL, HE)
    assert request == Terms(STD, HE, {"P2": 120}, 1)
    alert = choose_terms([COOP, MONITORED], TicketKind.MONITORING, Source.MONITORING, HE)
    assert alert == Terms(ALL, HE, {"P2": 30}, 2)
    # and the due times follow: the request waits for Monday, the alert runs at night
    saturday_night = berlin(2024, 6, 8, 22)
    assert due_times_for(request, saturday_night, Priority.P2)[0] == berlin(2024, 6, 10, 10)
    assert due_times_for(alert, saturday_night, Priority.P2)[0] == berlin(2024, 6, 8, 22, 30)


def test_booked_extended_support_is_the_widest_for_every_ticket() -> None:
    extended = _contract(3, ContractKind.EXTENDED_SUPPORT, EXT)
    terms = choose_terms([COOP, extended, MONITORED], TicketKind.INCIDENT, Source.PHONE, None)
    assert terms == Terms(EXT, NW, None, 3)  # no site: the headquarters' state
    alert = choose_terms([COOP, extended, MONITORED], TicketKind.MONITORING, Source.MONITORING, NW)
    assert alert.contract_id == 2


def test_no_covering_contract_means_standard_hours_and_targets() -> None:
    rental = _contract(4, ContractKind.RENTAL, ALL)
    assert choose_terms([rental, MONITORED], TicketKind.INCIDENT, Source.EMAIL, NW) == Terms(
        STD, NW, None, None
    )


def test_a_stored_coverage_replaces_the_default_and_ignores_unknown_words() -> None:
    phone = _contract(5, ContractKind.MANAGED_SERVICES, ALL, coverage={"sources": ["phone", "fax"]})
    assert phone.coverage.kinds is None and phone.coverage.sources == frozenset({Source.PHONE})
    assert choose_terms([COOP, phone], TicketKind.REQUEST, Source.PHONE, NW).contract_id == 5
    assert choose_terms([COOP, phone], TicketKind.REQUEST, Source.PORTAL, NW).contract_id == 1


def test_equal_profiles_take_the_lowest_contract_id() -> None:
    again = _contract(9, ContractKind.COOPERATION, STD, overrides={"P2": 60})
    assert choose_terms([again, COOP], TicketKind.INCIDENT, Source.EMAIL, NW).contract_id == 1


@pytest.mark.parametrize("state", list(StateCode))
def test_the_holiday_dates_are_the_holidays_packages(state: StateCode) -> None:
    """`sla` computes the dates itself (the package is slow to import); they must agree."""
    import holidays

    for year in range(1995, 2100):  # Repentance Day was a holiday everywhere until 1994
        package = holidays.country_holidays("DE", subdiv=state.value, years=year)
        assert sla._holidays(state, year) == frozenset(package), (state, year)
