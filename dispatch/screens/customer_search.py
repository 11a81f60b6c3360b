"""Finding the caller's customer as the desk types: fuzzy over the customer's name, its
number and (in a full record) its contacts' names, best match first.

The fuzzy matcher is Textual's (the command palette's); a cheap check that the query's letters
occur in order in any of a customer's words first skips the customers that cannot match, so
the matcher runs only for the few that may.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.fuzzy import Matcher

from dispatch.display.safe import one_line

SHOWN = 6  # matches the list shows: enough to pick from, small at 80x24
EXACT = 1000.0  # above any fuzzy score


@dataclass(frozen=True, slots=True)
class Found:
    """A customer the query matches: how well, and through which contact (if one)."""

    customer: Mapping[str, Any]
    score: float
    contact: str | None = None


def _haystack(customer: Mapping[str, Any]) -> list[str]:
    names = [one_line(c.get("name") or "") for c in customer.get("contacts") or []]
    return [one_line(customer.get("name") or ""), one_line(customer.get("number") or ""), *names]


def find_customers(
    customers: Iterable[Mapping[str, Any]], query: str, limit: int = SHOWN
) -> list[Found]:
    """The customers `query` finds, best first (ties by name); all by name without one."""
    query = query.strip()
    if not query:
        ordered = sorted(customers, key=lambda c: one_line(c.get("name") or "").lower())
        return [Found(c, 0.0) for c in ordered[:limit]]
    letters = [ch for ch in query.lower() if not ch.isspace()]
    matcher = Matcher(query)
    wanted = query.lower()
    found: list[Found] = []
    for customer in customers:
        texts = _haystack(customer)
        if not _in_order(letters, " ".join(texts).lower()):
            continue
        best, via = max(matcher.match(texts[0]), matcher.match(texts[1])), None
        if wanted in (texts[0].lower(), texts[1].lower()):
            best += EXACT  # the number (or name) as typed: first, before near misses
        for name in texts[2:]:
            score = matcher.match(name)
            if score > best:
                best, via = score, name
        if best > 0:
            found.append(Found(customer, best, via))
    found.sort(key=lambda f: (-f.score, one_line(f.customer.get("name") or "").lower()))
    return found[:limit]


def _in_order(letters: list[str], text: str) -> bool:
    """Whether `letters` occur in `text` in this order (linear: one pass over `text`)."""
    rest = iter(text)
    return all(letter in rest for letter in letters)
