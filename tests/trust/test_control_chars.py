"""Control characters never get stored: every free-text field refuses them (422 naming it).

An ESC in a ticket title reached every terminal that showed the ticket: OSC 0 retitled it,
OSC 52 wrote the reader's clipboard, OSC 8 planted links, CSI 2J cleared the screen. The
console sanitises what it prints (dispatch.display.safe); the service refuses such text in
the first place, with the same character class, so the two gates cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import ValidationError
from service.world import API, PROBLEM, MakeWorld, World
from sqlmodel import Session

import dispatch.models  # noqa: F401  (every input model is defined)
from dispatch.display.safe import has_unsafe
from dispatch.domain.types import Role
from dispatch.models.base import InputModel
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.server.rules.accounts import create_user

HOSTILE = [
    "x \x1b]0;PWNED\x1b\\ y",  # OSC 0: the terminal's title
    "\x1b]52;c;cHduZWQ=\x1b\\",  # OSC 52: the reader's clipboard
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # OSC 8: a link
    "\x1b[2J",  # clear screen
    "bell\x07",
    "c1 \x9b31m",  # 8-bit CSI
    "del \x7f",
]
FINE = "two lines\nand a\ttab, Umlaute äöü, emoji \U0001f5a8"


def _subclasses(cls: type[InputModel]) -> list[type[InputModel]]:
    out: list[type[InputModel]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def _takes_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(_takes_text(arg) for arg in get_args(annotation))


def _text_fields() -> list[tuple[type[InputModel], str, bool]]:
    """(model, field, is a list) for every field of every input model that takes text."""
    out = []
    for model in _subclasses(InputModel):
        for name, field in model.model_fields.items():
            if _takes_text(field.annotation):
                out.append((model, name, "list" in str(field.annotation)))
    return out


def test_every_text_field_of_every_input_model_refuses_control_characters() -> None:
    fields = _text_fields()
    names = {f"{m.__name__}.{f}" for m, f, _ in fields}
    # The fields the issue names are among them (a new model is covered without listing it).
    assert {
        "TicketCreate.title",
        "TicketCreate.description",
        "TicketCreate.tags",
        "TicketUpdate.title",
        "CommentCreate.body",
        "EscalationCreate.note",
        "EscalationUpdate.note",
        "AppointmentCreate.note",
        "AssignmentCreate.note",
        "UserCreate.display_name",
    } <= names
    for model, name, is_list in fields:
        for text in HOSTILE:
            value: Any = [text] if is_list else text
            with pytest.raises(ValidationError) as caught:
                model.model_validate({name: value})
            hits = [e for e in caught.value.errors() if e["loc"][:1] == (name,)]
            assert hits and "control characters" in hits[0]["msg"], (model, name, text)


def test_the_service_and_the_console_use_one_character_class() -> None:
    assert all(has_unsafe(t) for t in HOSTILE)
    assert not has_unsafe(FINE)


def _hostile_writes(w: World) -> list[tuple[str, str, str, dict[str, Any], dict[str, str]]]:
    """(method, path, field named in the 422, body, extra headers) for each kind of write."""
    t = w.assigned_ticket("tina")
    esc = w.escalate(w.new_ticket())
    appt = w.book().json()
    evil = HOSTILE[0]
    return [
        ("POST", "/tickets", "title", {"title": evil, "customer_id": w.customer_id}, {}),
        (
            "POST",
            "/tickets",
            "description",
            {"title": "ok", "description": HOSTILE[1], "customer_id": w.customer_id},
            {},
        ),
        ("POST", "/tickets", "tags", {"title": "ok", "tags": [evil], "customer_id": 1}, {}),
        (
            "PATCH",
            f"/tickets/{t['id']}",
            "title",
            {"title": evil},
            {"If-Match": f'"{t["version"]}"'},
        ),
        ("POST", f"/tickets/{t['id']}/comments", "body", {"body": HOSTILE[2] + HOSTILE[3]}, {}),
        (
            "POST",
            f"/tickets/{t['id']}/escalations",
            "note",
            {"reason": "total_outage", "note": evil},
            {},
        ),
        ("PATCH", f"/escalations/{esc['id']}", "note", {"note": evil}, {"If-Match": '"1"'}),
        ("PATCH", f"/appointments/{appt['id']}", "note", {"note": evil}, {"If-Match": '"1"'}),
        (
            "POST",
            "/users",
            "display_name",
            {"name": "eve", "display_name": evil, "role": "dispatcher"},
            {},
        ),
    ]


def test_a_hostile_write_is_422_naming_the_field_and_stores_nothing(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    w = make_trust_world()
    writes = _hostile_writes(w)
    events = w.event_count()
    for method, path, field, body, extra in writes:
        who = "adam" if path == "/users" else "dana"
        r = w.client.request(method, API + path, json=body, headers=w.h(who, **extra))
        assert r.status_code == 422, (method, path, r.status_code, r.text)
        assert r.headers["content-type"] == PROBLEM
        assert field in [e["field"] for e in r.json()["errors"]], r.text
        assert "\x1b" not in r.text and "\\u001b" not in r.text.lower()
    assert w.event_count() == events
    # Newlines and tabs are text, not control sequences.
    ok = w.post("dana", "/tickets", {"title": "ok", "description": FINE, "customer_id": 1})
    assert ok.status_code == 201 and ok.json()["description"] == FINE
    figure(
        f"control characters [{w.engine.dialect.name}]: {len(writes)} hostile writes "
        f"(ESC/OSC 0/52/8, CSI, BEL, C1, DEL) -> {len(writes)} x 422 naming the field, 0 stored"
    )


def test_users_made_outside_the_api_refuse_them_too(tmp_path: Path) -> None:
    """`dispatch users add` and `seed-demo` create users without an input model."""
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    create_schema(engine)
    with Session(engine) as session:
        for name, display in [("eve", HOSTILE[0]), ("eve\x1b[2J", "Eve")]:
            with pytest.raises(ValueError, match="control characters"):
                create_user(session, name, display, Role.DISPATCHER)
        create_user(session, "eve", "Eve Example", Role.DISPATCHER)
    engine.dispose()
