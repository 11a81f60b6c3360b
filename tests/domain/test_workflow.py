"""The ticket status workflow: reachability and the error a wrong move gives."""

from __future__ import annotations

from collections import deque

import pytest

from dispatch.domain.types import Status
from dispatch.domain.workflow import (
    TRANSITIONS,
    IllegalTransition,
    allowed_next,
    check_transition,
)


def _reachable(start: Status) -> set[Status]:
    seen = {start}
    todo = deque([start])
    while todo:
        for nxt in allowed_next(todo.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_status_has_transitions() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert all(TRANSITIONS[s] for s in Status)


def test_every_status_reachable_from_new() -> None:
    assert _reachable(Status.NEW) == set(Status)


@pytest.mark.parametrize("start", list(Status))
def test_closed_reachable_from_every_status(start: Status) -> None:
    assert Status.CLOSED in _reachable(start)


def test_no_status_moves_to_itself() -> None:
    assert all(s not in allowed_next(s) for s in Status)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (Status.NEW, Status.TRIAGED),
        (Status.NEW, Status.RESOLVED),
        (Status.SCHEDULED, Status.TRIAGED),
        (Status.IN_PROGRESS, Status.WAITING_CUSTOMER),
        (Status.WAITING_VENDOR, Status.IN_PROGRESS),
        (Status.RESOLVED, Status.IN_PROGRESS),
        (Status.RESOLVED, Status.CLOSED),
        (Status.CLOSED, Status.TRIAGED),
    ],
)
def test_allowed_moves_pass(current: Status, requested: Status) -> None:
    check_transition(current, requested)


@pytest.mark.parametrize(
    ("current", "requested"),
    [
        (Status.NEW, Status.CLOSED),
        (Status.NEW, Status.WAITING_CUSTOMER),
        (Status.IN_PROGRESS, Status.NEW),
        (Status.IN_PROGRESS, Status.TRIAGED),
        (Status.CLOSED, Status.IN_PROGRESS),
        (Status.RESOLVED, Status.TRIAGED),
    ],
)
def test_illegal_moves_raise_with_allowed_set(current: Status, requested: Status) -> None:
    with pytest.raises(IllegalTransition) as info:
        check_transition(current, requested)
    exc = info.value
    assert (exc.current, exc.requested) == (current, requested)
    assert exc.allowed == TRANSITIONS[current]
    assert ", ".join(sorted(s.value for s in exc.allowed)) in str(exc)


@pytest.mark.parametrize("status", list(Status))
def test_same_to_same_is_illegal(status: Status) -> None:
    with pytest.raises(IllegalTransition, match="already"):
        check_transition(status, status)


def test_message_names_sorted_allowed_states() -> None:
    with pytest.raises(ValueError) as info:
        check_transition(Status.NEW, Status.CLOSED)
    assert str(info.value) == (
        "a ticket cannot go from new to closed; "
        "allowed next: in_progress, resolved, scheduled, triaged"
    )


def test_every_pair_agrees_with_table() -> None:
    for current in Status:
        for requested in Status:
            legal = requested in TRANSITIONS[current]
            try:
                check_transition(current, requested)
            except IllegalTransition:
                assert not legal
            else:
                assert legal
