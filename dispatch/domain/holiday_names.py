"""Public holidays by name, per German state: what a calendar marks on a technician's day.

`dispatch.domain.sla` needs only the dates (a holiday is not business time); a person
planning a week needs to see which days they are and what they are called.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

# The console speaks English for now; the package names German holidays in it too.
LANGUAGE = "en_US"


@lru_cache(maxsize=32)
def _named(state: str, year: int) -> dict[date, str]:
    # Imported at the first calendar that shows a holiday's name, not with the module: the
    # package costs 0.1 s and 7 MB, and a technician's console or SSH session reaches this
    # module (through the sync's availability rules) before its first row.
    import holidays

    found = holidays.country_holidays("DE", subdiv=state, years=year, language=LANGUAGE)
    return dict(found.items())


def public_holidays(state: str, first: date, last: date) -> dict[date, str]:
    """The public holidays of `state` (NW, HE, ...) from `first` to `last`, with their names.

    An unknown state has none (a branch in a state the package does not know is still shown).
    """
    out: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        try:
            named = _named(state, year)
        except NotImplementedError:
            return {}
        out.update((d, n) for d, n in named.items() if first <= d <= last)
    return out
