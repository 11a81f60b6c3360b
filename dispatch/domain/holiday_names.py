"""Public holidays by name, per German state: what a calendar marks on a technician's day.

`dispatch.domain.sla` needs only the dates (a holiday is not business time); a person
planning a week needs to see which days they are and what they are called.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from dispatch import i18n

# dispatch's language -> the package's: it names German holidays in both
LANGUAGES = {"en": "en_US", "de": "de"}
# The names as the team writes them on a calendar, where the package spells them out.
SHORT = {
    "Erster Weihnachtstag": "1. Weihnachtstag",
    "Zweiter Weihnachtstag": "2. Weihnachtstag",
}


@lru_cache(maxsize=32)
def _named(state: str, year: int, language: str) -> dict[date, str]:
    # Imported at the first calendar that shows a holiday's name, not with the module: the
    # package costs 0.1 s and 7 MB, and a technician's console or SSH session reaches this
    # module (through the sync's availability rules) before its first row.
    import holidays

    found = holidays.country_holidays(
        "DE", subdiv=state, years=year, language=LANGUAGES.get(language, "en_US")
    )
    return {d: SHORT.get(n, n) for d, n in found.items()}


def public_holidays(
    state: str, first: date, last: date, language: str | None = None
) -> dict[date, str]:
    """The public holidays of `state` (NW, HE, ...) from `first` to `last`, with their names
    in `language` (default: the process's, `dispatch.i18n`): "1. Weihnachtstag" in German,
    "Christmas Day" in English.

    An unknown state has none (a branch in a state the package does not know is still shown).
    """
    code = language or i18n.language()
    out: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        try:
            named = _named(state, year, code)
        except NotImplementedError:
            return {}
        out.update((d, n) for d, n in named.items() if first <= d <= last)
    return out
