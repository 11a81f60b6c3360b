"""The ticket history's line for logged work: logged, changed, approved, returned, removed,
with raw and billed minutes where the event carries them (`display.history` asks here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch.display.billing_text import raw_and_billed
from dispatch.display.safe import one_line
from dispatch.i18n import _


def _new(fields: Mapping[str, Any], name: str) -> Any:
    pair = fields.get(name)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def time_event_text(op: str, fields: Mapping[str, Any]) -> str:
    """`logged work: 0:35 h → billed 2:00 h`, `approved logged work`, `returned logged work:
    which printer?` ..."""
    state = _new(fields, "state")
    if op == "create":
        raw, billed = _new(fields, "raw_minutes"), _new(fields, "billed_minutes")
        if isinstance(raw, int) and isinstance(billed, int):
            line = raw_and_billed(
                raw,
                billed,
                billable=_new(fields, "billable") is not False,
                reason=_new(fields, "nonbillable_reason"),
                reason_text=_new(fields, "nonbillable_text"),
            )
            return _("logged work: {line}").format(line=line)
        return _("logged work")
    if op == "delete":
        return _("removed logged work")
    if state == "approved":
        return _("approved logged work")
    if state == "returned":
        comment = one_line(_new(fields, "return_comment") or "")
        return _("returned logged work: {comment}").format(comment=comment)
    return _("changed logged work")
