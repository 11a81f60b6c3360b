"""The travel a booking holds at each end: one rule (`travel.booking_travel`) for the
service's booking forecast, the ranking's slots and the console's "book anyway?" question."""

from __future__ import annotations

from datetime import timedelta

import pytest
from domain.test_suggest import one, tech, ticket

from dispatch.domain.travel import BRANCH_COORDINATES, TRAVEL, booking_travel
from dispatch.domain.types import WorkMode

BRANCHES = sorted(BRANCH_COORDINATES)


def test_on_site_work_from_another_branch_drives_there_and_back() -> None:
    assert booking_travel(WorkMode.ONSITE, "Siegen", "Mittenaar") == timedelta(minutes=36)
    assert booking_travel("onsite", "Warendorf", "Butzbach") == timedelta(hours=3, minutes=16)


@pytest.mark.parametrize(
    ("mode", "home", "site"),
    [
        (WorkMode.ONSITE, "Siegen", "Siegen"),  # within the branch
        (WorkMode.REMOTE, "Warendorf", "Butzbach"),  # remote work drives nowhere
        ("remote", "Warendorf", "Butzbach"),
        (None, "Warendorf", "Butzbach"),  # no mode: not on-site
        (WorkMode.ONSITE, "Warendorf", None),  # the site's branch is not known
        (WorkMode.ONSITE, None, "Butzbach"),
        (WorkMode.ONSITE, "Warendorf", "Hamburg"),  # not one of the six
    ],
)
def test_no_travel_otherwise(
    mode: WorkMode | str | None, home: str | None, site: str | None
) -> None:
    assert booking_travel(mode, home, site) == timedelta(0)


@pytest.mark.parametrize("home", BRANCHES)
@pytest.mark.parametrize("site", BRANCHES)
@pytest.mark.parametrize("mode", list(WorkMode))
def test_the_ranking_books_the_same_travel(home: str, site: str, mode: WorkMode) -> None:
    site_id, home_id = BRANCHES.index(site) + 1, BRANCHES.index(home) + 1
    t = ticket(mode=mode, site_branch_id=site_id, site_branch_name=site)
    slot = one(t, tech(branch_id=home_id, branch_name=home)).slot
    assert slot is not None
    assert slot.travel == booking_travel(mode, home, site)
    assert slot.travel == (TRAVEL[(home, site)] if mode is WorkMode.ONSITE else timedelta(0))
