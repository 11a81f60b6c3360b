"""Permissions are exactly the table: every operation x role x own/other's object, and
mass assignment refused for every role.

The write cells come from tests/service/roles_cases.py (CASES, run by test_roles.py too);
this suite adds the read cells, the field-by-field PATCH matrix and checks that *every*
operation of the OpenAPI document is classified, so a new endpoint cannot slip in unchecked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service.roles_cases import CASES, PEOPLE, expected
from service.world import API, Json, World
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel
from trust.permission_cases import EVERYONE, OPERATIONS, READS, REPORTS, WEEK, _own_ticket

from dispatch.domain.permissions import TABLE, Action, allowed, sees_all
from dispatch.domain.types import Role
from dispatch.models.ticket import TicketUpdate


def _operations(world: World) -> set[str]:
    schema = world.client.get(f"{API}/openapi.json").json()
    return {
        f"{method.upper()} {path.removeprefix(API)}"
        for path, ops in schema["paths"].items()
        for method in ops
        if not path.endswith("/health")
    }


def _cells() -> list[tuple[str, Role, bool]]:
    return [
        (who, role, own)
        for who, role in PEOPLE.items()
        for own in (True, False)
        if own or role is Role.TECHNICIAN  # "own" only distinguishes technicians
    ]


def test_every_operation_is_classified(sqlite_world: World) -> None:
    names = {c.name for c in [*CASES, *READS, *REPORTS]}
    assert {n for ns in OPERATIONS.values() for n in ns} <= names
    assert _operations(sqlite_world) == set(OPERATIONS) | EVERYONE


def test_the_matrix_is_the_table(
    unlimited_sqlite_world: World, figure: Callable[[str], None]
) -> None:
    """Role x operation x own/other's object, each answer compared with permissions.TABLE."""
    world = unlimited_sqlite_world
    by_name = {c.name: c for c in [*CASES, *READS, *REPORTS]}
    wrong: list[str] = []
    cells = 0
    for op, names in OPERATIONS.items():
        for name in names:
            case = by_name[name]
            for who, role, own in _cells():
                r = case.run(world, who, own)
                cells += 1
                want = expected(case, role, own)
                if r.status_code != want:
                    wrong.append(f"{op} / {name}: {who} {own=}: {r.status_code} != {want}")
    for op in sorted(EVERYONE):
        path = op.split(" ", 1)[1].replace("{customer_id}", str(world.customer_id))
        params = WEEK if path == "/appointments" else {}
        for who in PEOPLE:
            cells += 1
            if (code := world.get(who, path, **params).status_code) != 200:
                wrong.append(f"{op}: {who}: {code} != 200")
    figure(
        f"permissions: {len(OPERATIONS) + len(EVERYONE)} operations, {cells} role x operation "
        f"x own/other cells against permissions.TABLE, {len(wrong)} mismatches"
    )
    assert not wrong, "\n".join(wrong)


_PATCH_VALUES: dict[str, Callable[[World], Any]] = {
    "title": lambda w: "renamed",
    "description": lambda w: "more words",
    "priority": lambda w: "P2",
    "status": lambda w: "in_progress",
    "tags": lambda w: ["vpn"],
    "assignee_id": lambda w: w.other_tech_id,
    # not a ticket field: the words for the customer, only with a status change
    "customer_note": lambda w: "Which model is it?",
}
_WITH = {"customer_note": {"status": "waiting_customer"}}
"""What a field goes with: a note for the customer is sent with the status change it joins."""


def test_each_ticket_field_follows_the_table(
    sqlite_world: World, figure: Callable[[str], None]
) -> None:
    """PATCH /tickets field by field: status (and the customer note sent with it) is
    SET_STATUS, every other field ASSIGN."""
    world = sqlite_world
    assert set(_PATCH_VALUES) == set(TicketUpdate.model_fields)
    wrong: list[str] = []
    for field, value in _PATCH_VALUES.items():
        action = Action.SET_STATUS if field in ("status", "customer_note") else Action.ASSIGN
        for who, role, own in _cells():
            t = _own_ticket(world, own)
            r = world.patch(who, t, **_WITH.get(field, {}), **{field: value(world)})
            if not own and not sees_all(role):
                want = 404
            else:
                want = 200 if allowed(role, action, own=own) else 403
            if r.status_code != want:
                wrong.append(f"{field}: {who} {own=}: {r.status_code} != {want} {r.text}")
    figure(
        f"permissions: {len(_PATCH_VALUES)} ticket fields x {len(_cells())} cells, "
        f"{len(wrong)} mismatches"
    )
    assert not wrong, "\n".join(wrong)


# -- mass assignment ------------------------------------------------------------------------
PROTECTED = [
    "id", "number", "version", "received_at", "first_response_due", "resolution_due",
    "responded_at", "resolved_at", "escalated", "updated_at", "created_at", "raised_by",
    "raised_at", "actor", "actor_id", "seq", "ticket_id", "user_id", "role", "active",
    "token", "token_hash", "revoked_at", "sla_paused_at", "customer_name", "search_text",
]  # fmt: skip


@dataclass
class Objects:
    ticket: Json
    escalation: Json
    appointment: Json


def _writes(w: World, o: Objects) -> list[tuple[str, str, Json, str | None]]:
    """(method, path, a valid body, If-Match) of every write that takes a body."""
    t, e, a = o.ticket["id"], o.escalation["id"], o.appointment["id"]
    slot = {"start": "2030-03-06T09:00:00+01:00", "end": "2030-03-06T10:00:00+01:00"}
    return [
        ("POST", "/tickets", {"title": "x", "customer_id": w.customer_id}, None),
        ("PATCH", f"/tickets/{t}", {"status": "in_progress"}, f'"{o.ticket["version"]}"'),
        ("POST", f"/tickets/{t}/comments", {"body": "note"}, None),
        ("POST", f"/tickets/{t}/assignment", {"technician_id": w.tech_id}, None),
        ("POST", f"/tickets/{t}/escalations", {"reason": "other"}, None),
        ("PATCH", f"/escalations/{e}", {"note": "seen"}, f'"{o.escalation["version"]}"'),
        ("POST", "/appointments", {"technician_id": w.tech_id, **slot}, None),
        ("PATCH", f"/appointments/{a}", {"note": "moved"}, '"1"'),
        ("POST", "/users", {"name": "mallory", "display_name": "M", "role": "technician"}, None),
    ]


def _dump(engine: Engine) -> str:
    """Every row of every table, as text, to compare before and after."""
    with Session(engine) as s:
        rows = {
            t.name: [tuple(map(str, r)) for r in s.execute(select(t)).all()]
            for t in SQLModel.metadata.sorted_tables
        }
    return json.dumps(rows, sort_keys=True)


_names = st.one_of(
    st.sampled_from(PROTECTED),
    st.from_regex(re.compile(r"[a-z_]{1,20}"), fullmatch=True),
)
_values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=20),
    st.just("admin"), st.just(999),
)  # fmt: skip


def test_mass_assignment_changes_nothing(
    sqlite_world: World, figure: Callable[[str], None]
) -> None:
    """A write with a field the schema does not offer is refused and leaves every row alone."""
    world = sqlite_world
    ticket = world.assigned_ticket("tina")
    escalation = world.escalate(ticket)
    objects = Objects(world.ticket(ticket["id"]), escalation, world.book().json())
    writes = _writes(world, objects)
    before = _dump(world.engine)
    tried = 0
    accepted: list[str] = []

    def attempt(who: str, index: int, extra: dict[str, Any]) -> None:
        nonlocal tried
        method, path, body, tag = writes[index]
        fields = {k: v for k, v in extra.items() if k not in body}
        if not fields:
            return
        headers = world.h(who, **({"If-Match": tag} if tag else {}))
        r = world.client.request(method, API + path, json={**body, **fields}, headers=headers)
        tried += 1
        if r.status_code < 400 or r.status_code >= 500:
            accepted.append(f"{who} {method} {path} {fields}: {r.status_code}")

    run = settings(
        max_examples=200,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )(
        given(
            who=st.sampled_from(sorted(PEOPLE)),
            index=st.integers(0, len(writes) - 1),
            extra=st.dictionaries(_names, _values, min_size=1, max_size=3),
        )(attempt)
    )
    run()
    changed = before != _dump(world.engine)
    figure(
        f"mass assignment: {tried} writes with forbidden or unknown fields over "
        f"{len(PEOPLE)} roles x {len(writes)} endpoints, {len(accepted)} accepted, "
        f"forbidden-field changes {int(changed)}"
    )
    assert not accepted, "\n".join(accepted)
    assert not changed


def test_the_table_has_every_role() -> None:
    assert all(set(row) == set(Role) for row in TABLE.values())


def test_no_live_token_is_401_even_with_an_unreadable_body(sqlite_world: World) -> None:
    """FastAPI decodes the body before authentication; the service still says 401 first."""
    world = sqlite_world
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        for body in (b"{not json", b"[" * 100_000):
            r = world.client.post(
                f"{API}/tickets",
                content=body,
                headers={**headers, "Content-Type": "application/json"},
            )
            assert r.status_code == 401, r.text
            assert r.headers["www-authenticate"] == "Bearer"
    r = world.client.post(
        f"{API}/tickets",
        content=b"{not json",
        headers={**world.h("dana"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422  # with a live token the body's problem is told
