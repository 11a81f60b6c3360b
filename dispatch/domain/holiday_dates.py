"""The dates of public holidays per German state: not business time (`domain.sla`).

Only the dates, from the two states' rules and dateutil's Easter: the holidays package (which
names them for the calendar, `holiday_names`) took 0.4 s to import, and the console's first
frame counts business time. Its dates are the reference: tests/domain/test_sla.py compares
these with the package's for 1995-2099, so a change in the law shows up there first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

from dateutil.easter import easter as easter_sunday

from dispatch.domain.types import StateCode

_EVERY_STATE = ((1, 1), (5, 1), (10, 3), (12, 25), (12, 26))
"""New Year, Labour Day, German Unity Day, Christmas: (month, day)."""
_OWN_DATES: Mapping[StateCode, tuple[tuple[int, int], ...]] = MappingProxyType(
    {StateCode.NW: ((11, 1),), StateCode.HE: ()}  # All Saints' Day in NW only
)
_AROUND_EASTER = (-2, 1, 39, 50, 60)
"""Good Friday, Easter Monday, Ascension Day, Whit Monday, Corpus Christi (NW and HE both):
days after Easter Sunday."""
_ONCE: Mapping[int, tuple[tuple[int, int], ...]] = MappingProxyType(
    {2017: ((10, 31),)}  # the Reformation's 500th anniversary, a holiday in every state
)


@lru_cache(maxsize=64)
def holiday_dates(state: StateCode, year: int) -> frozenset[date]:
    """Public holidays of one German state in one year, as the law stands since 1995.

    Computed here rather than with the holidays package (which names them for the calendar,
    `holiday_names`): importing it took 0.4 s, and the console's first frame counts business
    time. tests/domain/test_sla.py checks these dates against the package for 1995-2099.
    """
    fixed = (*_EVERY_STATE, *_OWN_DATES[state], *_ONCE.get(year, ()))
    easter = easter_sunday(year)
    return frozenset(
        [date(year, month, day) for month, day in fixed]
        + [easter + timedelta(days=offset) for offset in _AROUND_EASTER]
    )
