"""The contingent as a ledger (issue 21.4): the month close, the balance the API shows, the
March reset in Berlin time, overdraw, who may read it; and the VIP hotline it decides (21.6).

Both databases. `now` is set for the endpoint (`At`) and given to the close explicitly.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from service.contingent_world import (
    At,
    add_contingent,
    add_customer,
    add_lot,
    approve_work,
    ledger_rows,
)
from service.world import PROBLEM, World
from sqlmodel import Session

from dispatch.domain.contingent import Ledger
from dispatch.domain.contingent_lots import Month
from dispatch.domain.sla import BERLIN
from dispatch.models import Ticket
from dispatch.server.http.app import create_app
from dispatch.server.rules import contingent_close
from dispatch.server.rules.contingent_close import close_all
from dispatch.settings import Settings

MAY_15 = datetime(2030, 5, 15, 10, 0, tzinfo=BERLIN)


def close(world: World, now: datetime, until: Month | None = None) -> contingent_close.CloseResult:
    with Session(world.engine, expire_on_commit=False) as s:
        return close_all(s, until=until, now=now)


def ticket_of(world: World, customer_id: int) -> int:
    return int(world.new_ticket(customer_id=customer_id, site_id=None)["id"])


def history(world: World, customer_id: int) -> tuple[int, int]:
    """A 10-hour contingent from November 2029, with 4:00 h approved in December and 2:00 h
    in February: (contract id, ticket id)."""
    contract = add_contingent(world, customer_id, hours=10)
    add_lot(world, contract, Month(2029, 11), 600)
    ticket = ticket_of(world, customer_id)
    approve_work(world, ticket, 240, datetime(2029, 12, 10, 14, tzinfo=BERLIN))
    approve_work(world, ticket, 120, datetime(2030, 2, 3, 9, tzinfo=BERLIN))
    return contract, ticket


def test_closing_twice_changes_nothing(world: World) -> None:
    contract, _ = history(world, world.customer_id)
    first = close(world, MAY_15)
    assert first.closed[contract] == [
        Month(2029, 11),
        *[Month(2029, 12)],
        *[Month(2030, m) for m in range(1, 5)],
    ]
    assert first.credited[contract] == [Month(2029, 12), *[Month(2030, m) for m in range(1, 6)]]
    rows = ledger_rows(world)
    assert len(rows[0]) == 7 and len(rows[1]) == 6  # lots Nov..May, months Nov..Apr closed
    again = close(world, MAY_15)
    assert not again.changed and ledger_rows(world) == rows
    # the March close holds the reset: 2029's lots less what was drawn from them expire
    march = next(m for m in rows[1] if (m[2], m[3]) == (2030, 3))
    assert march[4:] == (600, 0, 1200 - 360, 1800)


def test_a_close_that_lost_a_race_rolls_back_and_leaves_the_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two closers read the same unclosed ledger; the second one's inserts meet the unique
    constraints (IntegrityError), and it leaves what the first wrote."""
    contract, _ = history(world, world.customer_id)
    close(world, MAY_15)
    rows = ledger_rows(world)
    stale = Ledger(contract)  # what the loser read before the winner committed
    monkeypatch.setattr(contingent_close, "ledger_of", lambda session, c: stale)
    result = close(world, MAY_15)
    assert result.raced == [contract] and not result.changed
    assert ledger_rows(world) == rows


def test_a_month_closes_only_once_it_has_ended(world: World) -> None:
    with pytest.raises(ValueError, match="has not ended"):
        close(world, MAY_15, until=Month(2030, 5))


def test_the_balance_is_credits_less_debits_less_expiries(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    At(monkeypatch, MAY_15)
    contract, _ = history(world, world.customer_id)
    close(world, MAY_15)
    r = world.get("dana", f"/customers/{world.customer_id}/contingent")
    assert r.status_code == 200, r.text
    c = r.json()
    # lots Nov 2029 .. May 2030: 7 x 10 h; 6 h worked; 2029's 20 h less those 6 h expired
    assert c["balance_minutes"] == 7 * 600 - 360 - (1200 - 360) == 3000
    assert (c["contract_id"], c["hours_per_month"]) == (contract, 10)
    assert (c["overdrawn"], c["correction_minutes"]) == (False, 0)
    assert c["expiring_minutes"] == 3000  # all of it is 2030's: it expires on 31.03.2031
    assert c["next_reset"] == "2031-03-31T22:00:00Z"
    months = c["months"]
    assert [m["month"] for m in months] == [f"2029-{m:02d}" for m in range(6, 13)] + [
        f"2030-{m:02d}" for m in range(1, 6)
    ]
    total = sum(m["credited"] - m["debited"] - m["expired"] for m in months)
    assert total == c["balance_minutes"] == months[-1]["balance"]
    assert months[9] == {
        "month": "2030-03",
        "credited": 600,
        "debited": 0,
        "expired": 840,
        "balance": 1800,
    }
    assert months[5]["balance"] == 600 and months[6]["balance"] == 600 - 240 + 600  # Nov, Dec
    customer = world.get("dana", f"/customers/{world.customer_id}").json()
    assert customer["contingent_balance_minutes"] == 3000


def test_the_march_reset_is_at_midnight_in_berlin(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work approved at 23:30 on 31.03. draws on last year's hours; at 00:30 on 01.04. (still
    31.03. in UTC) the reset has taken them, and it draws on this year's."""
    At(monkeypatch, MAY_15)
    before, after = (add_customer(world, f"K-7{i}", name) for i, name in enumerate("AB"))
    for customer_id, at in (
        (before, datetime(2030, 3, 31, 23, 30, tzinfo=BERLIN)),
        (after, datetime(2030, 4, 1, 0, 30, tzinfo=BERLIN)),
    ):
        contract = add_contingent(world, customer_id, hours=10)
        add_lot(world, contract, Month(2029, 12), 600)
        approve_work(world, ticket_of(world, customer_id), 120, at)
        assert at.astimezone(UTC).date().isoformat() == "2030-03-31"
    close(world, MAY_15)
    early = world.get("lea", f"/customers/{before}/contingent").json()
    late = world.get("lea", f"/customers/{after}/contingent").json()
    assert [m["expired"] for m in early["months"] if m["month"] == "2030-03"] == [480]
    assert [m["expired"] for m in late["months"] if m["month"] == "2030-03"] == [600]
    # lots December to May: 6 x 10 h
    assert early["balance_minutes"] == 6 * 600 - 120 - 480 == 3000
    assert late["balance_minutes"] == 6 * 600 - 600 - 120 == 2880


def test_an_overdrawn_contingent_shows_the_correction_due(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    At(monkeypatch, MAY_15)
    add_contingent(world, world.customer_id, hours=1)
    close(world, MAY_15)  # credits May's hour
    ticket = ticket_of(world, world.customer_id)
    approve_work(world, ticket, 150, datetime(2030, 5, 14, 16, tzinfo=BERLIN))
    c = world.get("dana", f"/customers/{world.customer_id}/contingent").json()
    assert (c["balance_minutes"], c["overdrawn"], c["correction_minutes"]) == (-90, True, 90)
    assert c["expiring_minutes"] == 0
    assert c["months"][-1] == {
        "month": "2030-05",
        "credited": 60,
        "debited": 150,
        "expired": 0,
        "balance": -90,
    }
    listed = world.get("dana", "/customers").json()["items"]
    assert [c["contingent_balance_minutes"] for c in listed] == [-90]


def test_no_contingent_contract_is_404(world: World) -> None:
    r = world.get("dana", f"/customers/{world.customer_id}/contingent")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert "no contingent contract" in r.json()["detail"]
    assert world.get("dana", "/customers/4242/contingent").status_code == 404
    assert (
        world.get("dana", f"/customers/{world.customer_id}").json()["contingent_balance_minutes"]
        == 0
    )


def test_a_technician_reads_only_their_own_customers_contingent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    At(monkeypatch, MAY_15)
    add_contingent(world, world.customer_id, hours=4)
    close(world, MAY_15)
    url = f"/customers/{world.customer_id}/contingent"
    r = world.get("tina", url)
    assert r.status_code == 404 and "you can see" in r.json()["detail"]
    world.assigned_ticket("tina")
    assert world.get("tina", url).json()["balance_minutes"] == 240
    assert world.get("otto", url).status_code == 404


def test_the_vip_hotline_is_for_contingent_customers_only(world: World) -> None:
    body = {"title": "VIP call", "customer_id": world.customer_id, "source": "vip_hotline"}
    r = world.post("dana", "/tickets", body)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert "no contingent contract" in r.text and "source" in r.text
    assert world.rows(Ticket) == 0, "a refused ticket writes nothing"
    directory = world.get("tina", "/customers/directory").json()["items"]
    assert [c["vip_hotline"] for c in directory] == [False]
    add_contingent(world, world.customer_id)
    assert world.post("dana", "/tickets", body).status_code == 201
    assert world.post("tina", "/tickets", body).status_code == 201
    directory = world.get("tina", "/customers/directory").json()["items"]
    assert [c["vip_hotline"] for c in directory] == [True]


def test_the_back_office_closes_months_on_demand_once(world: World) -> None:
    """POST /contingent/close (BILLING): the close at the service's real `now`, idempotent."""
    running = Month.of(datetime.now(UTC))
    contract = add_contingent(world, world.customer_id, hours=2)
    add_lot(world, contract, running.previous().previous(), 120)
    assert world.post("dana", "/contingent/close", {}).status_code == 403
    r = world.post("adam", "/contingent/close", {})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "until": str(running.previous()),
        "credited_lots": 2,
        "closed_months": 2,
        "contracts": 1,
    }
    rows = ledger_rows(world)
    again = world.post("adam", "/contingent/close", {"month": str(running.previous())})
    assert again.json()["credited_lots"] == again.json()["closed_months"] == 0
    assert ledger_rows(world) == rows
    for month in (str(running), "2030-13", "March"):
        bad = world.post("adam", "/contingent/close", {"month": month})
        assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM, month
    assert ledger_rows(world) == rows


def test_the_service_credits_and_closes_by_itself_at_start(world: World) -> None:
    """No cron job: a service that starts closes last month and credits this one."""
    running = Month.of(datetime.now(UTC))
    contract = add_contingent(world, world.customer_id, hours=3)
    add_lot(world, contract, running.previous(), 180)
    url = world.engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(database_url=url), engine=world.engine, create=False)
    with TestClient(app):
        for _ in range(200):
            lots, months = ledger_rows(world)
            if months:
                break
            time.sleep(0.05)
    assert [(m[2], m[3], m[4]) for m in months] == [
        (running.previous().year, running.previous().month, 180)
    ]
    assert [(lot[2], lot[3], lot[5]) for lot in lots][-1] == (running.year, running.month, 180)
