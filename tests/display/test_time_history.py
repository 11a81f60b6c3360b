"""The ticket history says what happened to logged work, never `time_entry update`."""

from __future__ import annotations

from dispatch.display.history import Names, describe_event


def _line(op: str, **fields: list[object]) -> str:
    return describe_event({"entity": "time_entry", "op": op, "fields": fields}, Names())


def test_logged_work_reads_as_words() -> None:
    created = _line("create", raw_minutes=[None, 35], billed_minutes=[None, 120])
    assert created == "logged work: 0:35 h → billed 2:00 h"
    warranty = _line(
        "create",
        raw_minutes=[None, 20],
        billed_minutes=[None, 0],
        billable=[None, False],
        nonbillable_reason=[None, "warranty"],
    )
    assert warranty == "logged work: 0:20 h → not billed (warranty)"
    assert _line("update", state=["submitted", "approved"]) == "approved logged work"
    returned = _line(
        "update", state=["submitted", "returned"], return_comment=[None, "which\x1b[2J printer?"]
    )
    assert returned.startswith("returned logged work: which") and "\x1b" not in returned
    assert _line("update", note=["", "x"]) == "changed logged work"
    assert _line("delete", raw_minutes=[35, None]) == "removed logged work"
