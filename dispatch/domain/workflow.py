"""Which ticket status may follow which, and when a person may not change the priority: the one
place the workflow is decided (the service enforces it, the console says it before sending)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dispatch.domain.types import Priority, Status

_S = Status

TRANSITIONS: Mapping[Status, frozenset[Status]] = MappingProxyType(
    {
        _S.NEW: frozenset({_S.TRIAGED, _S.SCHEDULED, _S.IN_PROGRESS, _S.RESOLVED}),
        _S.TRIAGED: frozenset(
            {_S.SCHEDULED, _S.IN_PROGRESS, _S.WAITING_CUSTOMER, _S.WAITING_VENDOR, _S.RESOLVED}
        ),
        _S.SCHEDULED: frozenset(
            {
                _S.TRIAGED,
                _S.IN_PROGRESS,
                _S.WAITING_CUSTOMER,
                _S.WAITING_VENDOR,
                _S.RESOLVED,
            }
        ),
        _S.IN_PROGRESS: frozenset(
            {_S.SCHEDULED, _S.WAITING_CUSTOMER, _S.WAITING_VENDOR, _S.RESOLVED}
        ),
        _S.WAITING_CUSTOMER: frozenset({_S.IN_PROGRESS, _S.SCHEDULED, _S.RESOLVED}),
        _S.WAITING_VENDOR: frozenset({_S.IN_PROGRESS, _S.SCHEDULED, _S.RESOLVED}),
        # Reopening: a resolved ticket goes back to work, a closed one back to triage.
        _S.RESOLVED: frozenset({_S.CLOSED, _S.IN_PROGRESS}),
        _S.CLOSED: frozenset({_S.TRIAGED}),
    }
)


def _names(statuses: frozenset[Status]) -> str:
    return ", ".join(sorted(s.value for s in statuses)) or "none"


class IllegalTransition(ValueError):
    """A requested status change the workflow does not allow; names what would be allowed."""

    def __init__(self, current: Status, requested: Status) -> None:
        self.current = current
        self.requested = requested
        self.allowed = allowed_next(current)
        if current == requested:
            what = f"the ticket is already {current.value}"
        else:
            what = f"a ticket cannot go from {current.value} to {requested.value}"
        super().__init__(f"{what}; allowed next: {_names(self.allowed)}")


def allowed_next(current: Status) -> frozenset[Status]:
    """The statuses a ticket in `current` may move to."""
    return TRANSITIONS[current]


def check_transition(current: Status, requested: Status) -> None:
    """Raise IllegalTransition unless `current` -> `requested` is allowed (same -> same is not)."""
    if requested not in TRANSITIONS[current]:
        raise IllegalTransition(current, requested)


def held_at_p1(escalated: bool, requested: Priority) -> bool:
    """Whether a person's `requested` priority is refused: an open escalation keeps its ticket
    at P1 until it is resolved (only the escalation's own rules move it then)."""
    return escalated and requested is not Priority.P1
