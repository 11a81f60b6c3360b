"""How billed time and the contingent read: `0:35 h → billed 2:00 h`, `12:30 h left, 3:00 h
expire 31.03.`, in the one duration format of `display.clock`.

A non-billable entry shows its reason instead of a billed figure, so a reader never takes
"billed 0:00 h" for an unlogged visit; the reason's free text is stored text and passes the
sanitiser.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dispatch.display import labels
from dispatch.display.clock import duration
from dispatch.display.safe import one_line
from dispatch.domain.sla import BERLIN
from dispatch.i18n import _

ARROW = "→"


def raw_and_billed(
    raw_minutes: int,
    billed_minutes: int,
    *,
    billable: bool = True,
    reason: str | None = None,
    reason_text: str | None = None,
) -> str:
    """`0:35 h → billed 2:00 h`; non-billable: `0:35 h → not billed (warranty)`."""
    raw = duration(raw_minutes)
    if billable:
        return _("{raw} → billed {billed}").format(raw=raw, billed=duration(billed_minutes))
    why = labels.word(labels.NON_BILLABLE_REASON, reason)
    text = one_line(reason_text or "").strip()
    if text:
        return _("{raw} → not billed ({reason}: {text})").format(raw=raw, reason=why, text=text)
    return _("{raw} → not billed ({reason})").format(raw=raw, reason=why)


def last_day_before(reset: datetime) -> str:
    """`31.03.`: the day a reset at 24:00 Berlin ends. The contract's day in Berlin whatever
    zone the console shows times in, because the reset happens at Berlin midnight."""
    return f"{(reset - timedelta(microseconds=1)).astimezone(BERLIN):%d.%m.}"


def contingent_line(balance_minutes: int, expiring_minutes: int, reset: datetime) -> str:
    """`12:30 h left, 3:00 h expire 31.03.`; `12:30 h left` when nothing expires;
    `2:15 h overdrawn, correction invoice due` below zero."""
    if balance_minutes < 0:
        return _("{over} overdrawn, correction invoice due").format(over=duration(-balance_minutes))
    left = duration(balance_minutes)
    if expiring_minutes <= 0:
        return _("{left} left").format(left=left)
    return _("{left} left, {expiring} expire {day}").format(
        left=left, expiring=duration(expiring_minutes), day=last_day_before(reset)
    )
