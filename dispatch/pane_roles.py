"""Which panes a role is offered and which it starts on: the desk's mail pane is not the
technicians' (the service refuses them), the approval queue is the back office's and the
admins' (permissions.APPROVE_TIME), and the back office starts on it."""

from __future__ import annotations

DESK_PANES = frozenset(("mail",))
"""Panes only the desk gets (dispatchers, team leads, admins): no key for technicians."""
BILLING_PANES = frozenset(("approvals",))
"""The approval queue: the back office's and the admins' only."""
_BILLS = frozenset(("back_office", "admin"))


def first_pane(role: str) -> str:
    """Technicians start on their work, the back office on what awaits its approval."""
    if role == "technician":
        return "mywork"
    return "approvals" if role == "back_office" else "queue"


def offers(role: str, pane: str) -> bool:
    """Whether the console offers `pane` (its key, its switch) to `role`."""
    if pane in DESK_PANES:
        return role != "technician"
    if pane in BILLING_PANES:
        return role in _BILLS
    return True
