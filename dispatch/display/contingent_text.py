"""How a customer's contingent reads in the console: the line, the months, the warning.

From the answer of `GET /customers/{id}/contingent` (`ContingentShape`): "12:30 h left,
3:00 h expire 31.03." (`billing_text.contingent_line`), what the sparkline beside it shows,
and the warning for work booked while the contingent is overdrawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dispatch.display.billing_text import contingent_line
from dispatch.display.clock import duration
from dispatch.i18n import _


def summary(contingent: Mapping[str, Any]) -> str:
    """`12:30 h left, 3:00 h expire 31.03.` or `2:15 h overdrawn, correction invoice due`."""
    return contingent_line(
        int(contingent["balance_minutes"]),
        int(contingent["expiring_minutes"]),
        datetime.fromisoformat(str(contingent["next_reset"])),
    )


def balances(contingent: Mapping[str, Any]) -> list[float]:
    """The balance at each month's end, oldest first: the sparkline's bars."""
    return [float(m["balance"]) for m in contingent.get("months") or []]


def months_caption(contingent: Mapping[str, Any]) -> str:
    """`balance at each month's end, 01/2026 to 12/2026:` over the sparkline."""
    months = [str(m["month"]) for m in contingent.get("months") or []]
    if not months:
        return ""
    first, last = (f"{m[5:7]}/{m[:4]}" for m in (months[0], months[-1]))
    return _("balance at each month's end, {first} to {last}:").format(first=first, last=last)


def overdrawn_warning(contingent: Mapping[str, Any] | None) -> str | None:
    """The warning for booking work of an overdrawn customer, or None."""
    if not contingent or not contingent.get("overdrawn"):
        return None
    owed = duration(int(contingent.get("correction_minutes") or 0))
    return _(
        "Contingent overdrawn by {owed}: a correction invoice is due, and this work is billed"
        " on top of it."
    ).format(owed=owed)
