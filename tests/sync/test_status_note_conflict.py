"""A queued status change with words for the customer: the note is a first response and goes
or stays with the status when the user decides a conflict."""

from __future__ import annotations

from dispatch.client.cache import PENDING, Op
from dispatch.client.conflicts import decided
from dispatch.client.engine_base import first_contact

BODY = {"status": "resolved", "customer_note": "Toner getauscht.", "priority": "P2"}


def patch(body: dict[str, str]) -> Op:
    return Op(1, "key", "patch_ticket", 7, "PATCH", "/tickets/7", body, None, None,
              PENDING, None, 0, "2026-12-06T10:00:00+00:00")  # fmt: skip


def test_giving_the_status_to_theirs_drops_the_note_with_it() -> None:
    assert decided(patch(BODY), ["status"]) == (True, {"priority": "P2"})
    assert decided(patch(BODY), ["priority"]) == (
        True,
        {"status": "resolved", "customer_note": "Toner getauscht."},
    )
    assert decided(patch({"status": "resolved", "customer_note": "x"}), ["status"]) == (False, {})


def test_a_status_change_with_a_note_reaches_the_customer() -> None:
    assert first_contact(patch({"status": "resolved", "customer_note": "Erledigt."}))
    assert not first_contact(patch({"status": "resolved"}))
    assert first_contact(patch({"status": "in_progress"}))
