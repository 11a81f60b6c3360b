"""Billing units: the guide's eight cells as examples, and the rules as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.domain.billing import (
    MIN_RAW_MINUTES,
    REASON_TEXT_MAX,
    UNITS,
    NonBillableReason,
    billability_problem,
    billed_minutes,
    unit,
)
from dispatch.domain.types import ServiceRole, WorkMode

TECH = ServiceRole.TECHNICIAN
ENG = ServiceRole.SYSTEM_ENGINEER
CONS = ServiceRole.CONSULTANT
ARCH = ServiceRole.ARCHITECT

# The guide's table, cell by cell: (role, on site, raw minutes, billed minutes).
CELLS = [
    # on site: 120 then 30 for technician and engineer
    (TECH, True, 35, 120),
    (TECH, True, 121, 150),
    (ENG, True, 120, 120),
    (ENG, True, 185, 210),
    # on site: 240 then 30 for consultant and architect
    (CONS, True, 60, 240),
    (CONS, True, 241, 270),
    (ARCH, True, 240, 240),
    (ARCH, True, 300, 300),
    # remote: 15 then 15 for technician and engineer
    (TECH, False, 1, 15),
    (TECH, False, 16, 30),
    (ENG, False, 15, 15),
    (ENG, False, 46, 60),
    # remote: 120 then 15 for consultant and architect
    (CONS, False, 35, 120),
    (CONS, False, 121, 135),
    (ARCH, False, 120, 120),
    (ARCH, False, 150, 150),
]


@pytest.mark.parametrize(("role", "on_site", "raw", "billed"), CELLS)
def test_the_guides_table(role: ServiceRole, on_site: bool, raw: int, billed: int) -> None:
    assert billed_minutes(raw, role, on_site, billable=True) == billed


def test_the_table_has_eight_cells_with_the_guides_units() -> None:
    first_and_step = {key: (u.first, u.step) for key, u in UNITS.items()}
    assert first_and_step == {
        (TECH, WorkMode.ONSITE): (120, 30),
        (ENG, WorkMode.ONSITE): (120, 30),
        (CONS, WorkMode.ONSITE): (240, 30),
        (ARCH, WorkMode.ONSITE): (240, 30),
        (TECH, WorkMode.REMOTE): (15, 15),
        (ENG, WorkMode.REMOTE): (15, 15),
        (CONS, WorkMode.REMOTE): (120, 15),
        (ARCH, WorkMode.REMOTE): (120, 15),
    }


def test_each_entry_is_one_visit_with_its_own_first_unit() -> None:
    one_visit = billed_minutes(60, TECH, True, True)
    two_visits = billed_minutes(30, TECH, True, True) + billed_minutes(30, TECH, True, True)
    assert (one_visit, two_visits) == (120, 240)


def test_a_role_given_as_its_api_word_bills_the_same() -> None:
    assert billed_minutes(35, "consultant", False, True) == 120  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [0, -5])
@pytest.mark.parametrize("billable", [True, False])
def test_an_entry_records_at_least_one_minute(raw: int, billable: bool) -> None:
    with pytest.raises(ValueError, match="at least 1 minute"):
        billed_minutes(raw, TECH, True, billable)


@pytest.mark.parametrize("raw", [1.5, True, "30"])
def test_raw_minutes_are_whole_numbers(raw: object) -> None:
    with pytest.raises(TypeError):
        billed_minutes(raw, TECH, True, True)  # type: ignore[arg-type]


roles = st.sampled_from(list(ServiceRole))
raws = st.integers(min_value=MIN_RAW_MINUTES, max_value=5000)


@given(raws, roles, st.booleans())
def test_billable_work_bills_at_least_what_was_worked(
    raw: int, role: ServiceRole, on: bool
) -> None:
    assert billed_minutes(raw, role, on, True) >= raw


@given(raws, roles, st.booleans())
def test_billable_work_bills_at_least_the_first_unit(raw: int, role: ServiceRole, on: bool) -> None:
    assert billed_minutes(raw, role, on, True) >= unit(role, on).first


@given(raws, roles, st.booleans())
def test_the_rest_is_whole_steps(raw: int, role: ServiceRole, on: bool) -> None:
    u = unit(role, on)
    rest = billed_minutes(raw, role, on, True) - u.first
    assert rest % u.step == 0


@given(raws, roles, st.booleans())
def test_less_than_one_step_is_billed_too_much(raw: int, role: ServiceRole, on: bool) -> None:
    # Rounding up, never by a whole step: billing one step less would not cover the work.
    u = unit(role, on)
    billed = billed_minutes(raw, role, on, True)
    assert billed == u.first or billed - u.step < raw


@given(raws, roles, st.booleans())
def test_non_billable_work_bills_nothing(raw: int, role: ServiceRole, on: bool) -> None:
    assert billed_minutes(raw, role, on, False) == 0


# --- billable or not, and why ----------------------------------------------------------------


def test_billable_work_needs_no_reason() -> None:
    assert billability_problem(True, None, None) is None
    assert billability_problem(True, None, "  ") is None


def test_billable_work_takes_no_reason() -> None:
    assert billability_problem(True, NonBillableReason.GOODWILL, None) is not None
    assert billability_problem(True, None, "goodwill") is not None


@pytest.mark.parametrize("reason", [r for r in NonBillableReason if r != NonBillableReason.OTHER])
def test_each_named_reason_stands_alone(reason: NonBillableReason) -> None:
    assert billability_problem(False, reason, None) is None
    assert billability_problem(False, reason.value, "RMA 4711") is None


def test_non_billable_work_needs_a_reason() -> None:
    assert billability_problem(False, None, None) == "non-billable work needs a reason"
    assert billability_problem(False, None, "no charge") == "non-billable work needs a reason"


def test_other_needs_its_text() -> None:
    assert billability_problem(False, NonBillableReason.OTHER, " ") is not None
    assert billability_problem(False, "other", "trade fair demo") is None


def test_unknown_reasons_and_long_texts_are_refused() -> None:
    assert billability_problem(False, "because", None) is not None
    too_long = "x" * (REASON_TEXT_MAX + 1)
    assert billability_problem(False, NonBillableReason.OTHER, too_long) is not None
