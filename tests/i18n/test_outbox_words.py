"""The outbox names each waiting write in the language shown (the pane, its toasts)."""

from __future__ import annotations

from typing import Any

import pytest

from dispatch.client.outbox_store import PENDING, Op


def op(kind: str, *, base: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> Op:
    return Op(
        id=1,
        key="k",
        kind=kind,
        ticket_id=7,
        method="POST",
        path="/tickets/7/appointments",
        body=body,
        base_version=None,
        base=base,
        state=PENDING,
        error=None,
        attempts=0,
        created_at="2026-12-07T08:00:00+00:00",
    )


def test_in_english_the_labels_read_as_before() -> None:
    assert op("patch_ticket", base={"number": 100301}).label == "change on ticket 100301"
    assert (
        op("mail_discard", base={"from_address": "a@b.de"}).label
        == "discard of the mail from a@b.de"
    )


@pytest.mark.usefixtures("german")
def test_in_german_every_kind_and_shape_is_german() -> None:
    assert op("patch_ticket", base={"number": 100301}).label == "Änderung an Ticket 100301"
    assert op("log_time", base={"ticket_number": 100301}).label == (
        "Erfasste Arbeit an Ticket 100301"
    )
    assert op("mail_ticket", base={"from_address": "a@b.de"}).label == (
        "Ticket zur Mail von a@b.de"
    )
    booking = op("booking", body={"start": "2026-12-07T08:00:00+00:00"}).label
    assert booking.startswith("Buchung am Mo 07.12. "), booking
    kinds = [
        "create_ticket",
        "assign",
        "comment",
        "escalate",
        "escalation_update",
        "appointment_move",
        "appointment_delete",
        "notification_retry",
        "time_entry_update",
        "time_approve",
        "time_return",
    ]
    english = ("assignment", "comment", "escalation", "appointment", "mail sent", "approval")
    for kind in kinds:
        label = op(kind, base={"number": 1}).label
        assert " an Ticket 1" in label and not any(w in label for w in english), label
