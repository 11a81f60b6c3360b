"""The cells of the DESIGN.md role table as requests: one Case per action, for every role.

Shared by service/test_roles.py (the write cells) and trust/test_permissions.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.testclient import TestClient
from httpx import Response
from mail.mailshapes import message
from service.world import API, Json, World
from sqlmodel import Session
from ssh.keyring import ed25519_line

from dispatch.domain.availability import is_holiday
from dispatch.domain.permissions import Action, allowed, sees_all
from dispatch.domain.types import Role, StateCode
from dispatch.models import Customer, Notification
from dispatch.server.http.app import create_app
from dispatch.server.mail.intake import take_in
from dispatch.settings import Settings

PEOPLE: dict[str, Role] = {
    "tina": Role.TECHNICIAN,
    "dana": Role.DISPATCHER,
    "lea": Role.TEAM_LEAD,
    "adam": Role.ADMIN,
    "bea": Role.BACKOFFICE,
}


def _working_day(offset: int) -> bool:
    day = date(2030, 3, 4) + timedelta(days=offset)
    return day.weekday() < 5 and not any(is_holiday(day, state) for state in StateCode)


# Working days only: a booking on a technician's day off is 409 (issue 18).
_days = (d for d in itertools.count(1) if _working_day(d))


def _slot() -> dict[str, str]:
    """A slot on a working day no other case uses, so bookings never clash by accident."""
    day = date(2030, 3, 4) + timedelta(days=next(_days))
    return {"start": f"{day}T13:00:00+01:00", "end": f"{day}T14:00:00+01:00"}


def _tech(world: World, own: bool) -> int:
    return world.tech_id if own else world.other_tech_id


def _ticket(world: World, own: bool) -> Json:
    """A ticket assigned to tina (own for the technician) or to otto (someone else's)."""
    return world.assigned_ticket("tina" if own else "otto")


@dataclass(frozen=True)
class Case:
    """One kind of request that needs `action`; `run` prepares its objects and sends it."""

    name: str
    action: Action
    ok: int
    run: Callable[[World, str, bool], Response]
    scoped: bool = True  # concerns a ticket or calendar that may be the caller's own


def _view(w: World, who: str, own: bool) -> Response:
    return w.get(who, f"/tickets/{_ticket(w, own)['id']}")


def _intake(w: World, who: str, own: bool) -> Response:
    return w.post(who, "/tickets", {"title": "from the field", "customer_id": w.customer_id})


def _comment(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/tickets/{_ticket(w, own)['id']}/comments", {"body": "note"})


def _status(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    return w.patch(who, t, status="in_progress")


def _assign(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    return w.post(who, f"/tickets/{t['id']}/assignment", {"technician_id": w.tech_id})


def _assign_with_slot(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    body = {"technician_id": _tech(w, own), "slot": _slot()}
    return w.post(who, f"/tickets/{t['id']}/assignment", body)


def _prioritise(w: World, who: str, own: bool) -> Response:
    return w.patch(who, _ticket(w, own), priority="P1")


def _reassign(w: World, who: str, own: bool) -> Response:
    return w.patch(who, _ticket(w, own), assignee_id=w.other_tech_id)


def _retitle(w: World, who: str, own: bool) -> Response:
    return w.patch(who, _ticket(w, own), title="renamed")


def _book(w: World, who: str, own: bool) -> Response:
    return w.book(who, technician_id=_tech(w, own), **_slot())


def _move(w: World, who: str, own: bool) -> Response:
    appt = w.book("dana", technician_id=_tech(w, own), **_slot()).json()
    r: Response = w.client.patch(
        f"{API}/appointments/{appt['id']}", json={"note": "moved"}, headers=w.hm(who, 1)
    )
    return r


def _set_hours(w: World, who: str, own: bool) -> Response:
    r: Response = w.client.put(
        f"{API}/technicians/{_tech(w, own)}/hours",
        json={"working_hours": {"mon": "08:00-17:00", "tue": "08:00-17:00"}},
        headers=w.h(who),
    )
    return r


def _cancel(w: World, who: str, own: bool) -> Response:
    appt = w.book("dana", technician_id=_tech(w, own), **_slot()).json()
    r: Response = w.client.delete(f"{API}/appointments/{appt['id']}", headers=w.hm(who, 1))
    return r


def _flag(w: World, who: str, own: bool) -> Response:
    t = _ticket(w, own)
    return w.post(who, f"/tickets/{t['id']}/escalations", {"reason": "vendor_stuck"})


def _acknowledge(w: World, who: str, own: bool) -> Response:
    esc = w.escalate(_ticket(w, own))
    r: Response = w.client.patch(
        f"{API}/escalations/{esc['id']}", json={"status": "acknowledged"}, headers=w.hm(who, 1)
    )
    return r


def _relevel(w: World, who: str, own: bool) -> Response:
    esc = w.escalate(_ticket(w, own))
    r: Response = w.client.patch(
        f"{API}/escalations/{esc['id']}",
        json={"level": 2, "note": "vendor silent"},
        headers=w.hm(who, 1),
    )
    return r


def _list_users(w: World, who: str, own: bool) -> Response:
    return w.get(who, "/users")


def _add_user(w: World, who: str, own: bool) -> Response:
    return w.post(
        who, "/users", {"name": f"new-{who}", "display_name": "New", "role": "technician"}
    )


def _someone(w: World) -> int:
    name = f"user{next(_days)}"
    made = w.post("adam", "/users", {"name": name, "display_name": name, "role": "dispatcher"})
    assert made.status_code == 201, made.text
    return int(made.json()["user"]["id"])


def _revoke(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/users/{_someone(w)}/revoke")


def _issue(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/users/{_someone(w)}/tokens")


def _ssh_key_owner(w: World) -> int:
    return int(_someone(w))


def _list_ssh_keys(w: World, who: str, own: bool) -> Response:
    return w.get(who, f"/users/{_ssh_key_owner(w)}/ssh-keys")


def _add_ssh_key(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/users/{_ssh_key_owner(w)}/ssh-keys", {"key": ed25519_line(who)})


def _remove_ssh_key(w: World, who: str, own: bool) -> Response:
    user = _ssh_key_owner(w)
    key = w.post("adam", f"/users/{user}/ssh-keys", {"key": ed25519_line()}).json()
    r: Response = w.client.delete(f"{API}/users/{user}/ssh-keys/{key['id']}", headers=w.hm(who, 1))
    return r


def _read_customer(w: World, who: str, own: bool) -> Response:
    """The full record of a customer of tina's ticket (own) or of otto's only."""
    with Session(w.engine) as s:
        customer = Customer(number=f"K-R{next(_days)}", name="Kanzlei")
        s.add(customer)
        s.commit()
        customer_id = customer.id
    w.assigned_ticket("tina" if own else "otto", customer_id=customer_id, site_id=None)
    return w.get(who, f"/customers/{customer_id}")


def _directory(w: World, who: str, own: bool) -> Response:
    return w.get(who, "/customers/directory", q="K-")


def unmatched_mail(w: World) -> int:
    """A fresh mail from a stranger, waiting at the desk."""
    r = take_in(w.engine, message(sender=f"someone{next(_days)}@stranger.example"))
    assert r.outcome == "unmatched", r
    return r.inbound_mail_id


def _list_unmatched(w: World, who: str, own: bool) -> Response:
    return w.get(who, "/mail/unmatched")


def _ticket_of_unmatched(w: World, who: str, own: bool) -> Response:
    body = {"customer_id": w.customer_id}
    return w.post(who, f"/mail/unmatched/{unmatched_mail(w)}/ticket", body)


def _discard_unmatched(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/mail/unmatched/{unmatched_mail(w)}/discard", {"reason": "spam"})


def _retry_mail(w: World, who: str, own: bool) -> Response:
    """A failed mail of a ticket, retried through an app of the same database with mail on
    (with mail off a retry is 409 for everyone)."""
    ticket = _ticket(w, own)
    with Session(w.engine) as s:
        row = Notification(
            ticket_id=ticket["id"],
            to_address="anna@kunde.example",
            kind="new_ticket",
            subject=f"[#{ticket['number']}] Neues Ticket",
            body="Guten Tag,",
            state="failed",
            attempts=8,
            last_error="550 5.1.1 no such user",
        )
        s.add(row)
        s.commit()
        row_id = row.id
    url = w.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        database_url=url,
        smtp_host="127.0.0.1",
        mail_from="support@provider.example",
        smtp_poll_seconds=0,
        auth_failures_per_minute=0,
        rate_limit_per_minute=0,
    )
    mail_on = TestClient(create_app(settings, engine=w.engine, create=False))
    r: Response = mail_on.post(f"{API}/notifications/{row_id}/retry", headers=w.h(who))
    return r


def work(w: World, own: bool, who: str = "dana") -> Json:
    """Work of tina's on her ticket (own), or of otto's on his, logged by `who`."""
    ticket = _ticket(w, own)
    tech_user = w.user_id("tina" if own else "otto")
    body = {**_WORK, "technician_id": tech_user}
    r = w.post(who, f"/tickets/{ticket['id']}/time-entries", body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


_WORK = {"started_at": "2030-03-04T09:00:00+01:00", "raw_minutes": 35, "on_site": True}


def _log_time(w: World, who: str, own: bool) -> Response:
    return w.post(who, f"/tickets/{_ticket(w, own)['id']}/time-entries", _WORK)


def _change_time(w: World, who: str, own: bool) -> Response:
    entry = work(w, own)
    r: Response = w.client.patch(
        f"{API}/time-entries/{entry['id']}", json={"raw_minutes": 40}, headers=w.hm(who, 1)
    )
    return r


def _delete_time(w: World, who: str, own: bool) -> Response:
    entry = work(w, own)
    r: Response = w.client.delete(f"{API}/time-entries/{entry['id']}", headers=w.hm(who, 1))
    return r


def _approve_time(w: World, who: str, own: bool) -> Response:
    entry = work(w, True)  # on tina's ticket: she sees it, and is refused 403
    return w.post(who, f"/time-entries/{entry['id']}/approve", None, **{"If-Match": '"1"'})


def _return_time(w: World, who: str, own: bool) -> Response:
    entry = work(w, True)
    body = {"comment": "which printer?"}
    return w.post(who, f"/time-entries/{entry['id']}/return", body, **{"If-Match": '"1"'})


def _customer_reports(w: World, who: str, own: bool) -> Response:
    return w.get(who, f"/customers/{w.customer_id}/reports")


def _billing_export(w: World, who: str, own: bool) -> Response:
    return w.get(who, "/exports/billing.csv", month="2030-03")


CASES = [
    Case("view a ticket", Action.SEE_ALL_TICKETS, 200, _view),
    Case("intake", Action.INTAKE, 201, _intake, scoped=False),
    Case("comment", Action.COMMENT, 201, _comment),
    Case("set the status", Action.SET_STATUS, 200, _status),
    Case("assign", Action.ASSIGN, 200, _assign),
    Case("assign and book", Action.ASSIGN, 200, _assign_with_slot),
    Case("prioritise", Action.ASSIGN, 200, _prioritise),
    Case("reassign by patch", Action.ASSIGN, 200, _reassign),
    Case("retitle", Action.ASSIGN, 200, _retitle),
    Case("book a calendar", Action.ASSIGN, 201, _book, scoped=False),
    Case("move an appointment", Action.ASSIGN, 200, _move),
    Case("cancel an appointment", Action.ASSIGN, 204, _cancel),
    Case("set working hours", Action.ASSIGN, 200, _set_hours, scoped=False),
    Case("flag an escalation", Action.FLAG_ESCALATION, 201, _flag),
    Case("acknowledge an escalation", Action.MANAGE_ESCALATION, 200, _acknowledge),
    Case("re-level an escalation", Action.MANAGE_ESCALATION, 200, _relevel),
    Case("list users", Action.MANAGE_USERS, 200, _list_users, scoped=False),
    Case("add a user", Action.MANAGE_USERS, 201, _add_user, scoped=False),
    Case("revoke tokens", Action.MANAGE_USERS, 200, _revoke, scoped=False),
    Case("issue a token", Action.MANAGE_USERS, 201, _issue, scoped=False),
    Case("list SSH keys", Action.MANAGE_USERS, 200, _list_ssh_keys, scoped=False),
    Case("add an SSH key", Action.MANAGE_USERS, 201, _add_ssh_key, scoped=False),
    Case("remove an SSH key", Action.MANAGE_USERS, 204, _remove_ssh_key, scoped=False),
    Case("read a customer", Action.READ_CUSTOMERS, 200, _read_customer),
    Case("search the customer directory", Action.CUSTOMER_DIRECTORY, 200, _directory, scoped=False),
    Case("list unmatched mail", Action.HANDLE_MAIL, 200, _list_unmatched, scoped=False),
    Case("make a ticket of a mail", Action.HANDLE_MAIL, 201, _ticket_of_unmatched, scoped=False),
    Case("discard a mail", Action.HANDLE_MAIL, 200, _discard_unmatched, scoped=False),
    Case("retry a failed mail", Action.RETRY_MAIL, 202, _retry_mail, scoped=False),
    Case("log work", Action.LOG_TIME, 201, _log_time),
    Case("change logged work", Action.LOG_TIME, 200, _change_time),
    Case("delete logged work", Action.LOG_TIME, 204, _delete_time),
    Case("approve logged work", Action.APPROVE_TIME, 200, _approve_time, scoped=False),
    Case("return logged work", Action.APPROVE_TIME, 200, _return_time, scoped=False),
    Case("list a customer's reports", Action.BILLING, 200, _customer_reports, scoped=False),
    Case("export the billing lines", Action.BILLING, 200, _billing_export, scoped=False),
]


def expected(case: Case, role: Role, own: bool) -> int:
    """The answer DESIGN.md's table prescribes for `role` trying `case`."""
    if case.scoped and not own and not sees_all(role):
        return 404  # not even visible to this role
    mine = own if case.scoped else case.action is Action.INTAKE
    return case.ok if allowed(role, case.action, own=mine) else 403
