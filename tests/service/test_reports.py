"""Service reports through the real service on both databases: which entries a report holds,
its PDF read back with pypdf, the CSV export agreeing with it, permissions, feed events."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from service.report_world import (
    CLERK,
    add_clerk,
    add_entry,
    at,
    csv_rows,
    entry_report,
    make_contingent,
)
from service.world import API, PROBLEM, World
from sqlmodel import Session

from dispatch.domain.contingent import month_summary
from dispatch.domain.contingent_lots import Month
from dispatch.domain.types import ServiceRole
from dispatch.models import Contact, Customer, Notification, Ticket
from dispatch.server.rules.contingent_ledger import contingent_contract, ledger_of


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def clerk(world: World) -> str:
    return add_clerk(world)


def _month_report(w: World, who: str, month: str = "2026-11", **extra: str) -> dict:  # type: ignore[type-arg]
    r = w.post(who, f"/customers/{w.customer_id}/reports", {"month": month, **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _pdf(w: World, who: str, report_id: int) -> bytes:
    r = w.get(who, f"/reports/{report_id}/pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    return r.content


def test_a_month_report_holds_every_approved_entry_of_the_month(world: World, clerk: str) -> None:
    w = world
    t = w.new_ticket(title="Drucker im 2. OG druckt nicht")
    other = w.new_ticket(title="VPN bricht ab")
    visit = add_entry(w, t["id"], at(2026, 11, 3), 35, note="Toner getauscht")
    remote = add_entry(
        w, other["id"], at(2026, 11, 20), 50, on_site=False, role=ServiceRole.CONSULTANT
    )
    goodwill = add_entry(
        w,
        t["id"],
        at(2026, 11, 21),
        40,
        billable=False,
        reason="goodwill",
        reason_text="Stammkunde",
    )
    # not in November's report: October, December (Berlin), not yet approved
    add_entry(w, t["id"], at(2026, 10, 31, 22), 30)  # 31.10. 23:00 Berlin
    add_entry(w, t["id"], at(2026, 11, 30, 23), 30)  # 01.12. 00:00 Berlin
    add_entry(w, t["id"], at(2026, 11, 10), 30, state="submitted")

    report = _month_report(w, CLERK)
    assert report["number"] == f"SR-{datetime.now(UTC).year}-{report['id']:05d}"
    assert (report["period_first"], report["period_last"]) == ("2026-11-01", "2026-11-30")
    assert report["entry_count"] == 3
    assert report["raw_minutes"] == 35 + 50 + 40
    assert report["billed_minutes"] == 120 + 120  # on-site first unit; consultant remote
    assert (report["customer_number"], report["customer_name"]) == ("K-1", "Bäckerei Sonnenschein")
    for entry in (visit, remote, goodwill):
        assert entry_report(w, entry) == report["id"]

    text = pdf_text(_pdf(w, CLERK, report["id"]))
    assert report["number"] in text
    assert "Bäckerei Sonnenschein" in text
    assert "01.11.2026 - 30.11.2026" in text
    assert f"{t['number']} Drucker im 2. OG druckt nicht" in text
    assert "03.11.2026" in text and "20.11.2026" in text and "21.11.2026" in text
    assert "vor Ort, IT Technician 0:35 2:00 berechnet" in text
    assert "remote, IT Consultant 0:50 2:00" in text
    assert "nicht berechnet (Kulanz: Stammkunde)" in text
    assert "Toner getauscht" in text
    assert "Summe: Zeit 2:05 Std., Berechnet 4:00 Std. (3 Einträge)" in text
    assert "Kontingent" not in text  # no contingent contract
    assert "31.10.2026" not in text and "01.12.2026" not in text


def test_an_entry_is_in_one_period_report_only(world: World, clerk: str) -> None:
    w = world
    t = w.new_ticket()
    first = add_entry(w, t["id"], at(2026, 11, 3), 35)
    one = _month_report(w, CLERK)
    again = w.post(CLERK, f"/customers/{w.customer_id}/reports", {"month": "2026-11"})
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert "left to report" in again.json()["detail"]
    # an overlapping from/to takes nothing reported either; a late approval goes in the next
    late = add_entry(w, t["id"], at(2026, 11, 28), 20, decided_at=at(2026, 12, 2))
    two = w.post(
        CLERK, f"/customers/{w.customer_id}/reports", {"from": "2026-11-15", "to": "2026-12-31"}
    )
    assert two.status_code == 201, two.text
    assert two.json()["entry_count"] == 1
    assert (entry_report(w, first), entry_report(w, late)) == (one["id"], two.json()["id"])
    listed = w.get(CLERK, f"/customers/{w.customer_id}/reports").json()["items"]
    assert [r["id"] for r in listed] == [two.json()["id"], one["id"]]
    # a ticket's report on demand holds both and claims neither
    on_demand = w.post(CLERK, f"/tickets/{t['id']}/report")
    assert on_demand.status_code == 201, on_demand.text
    body = on_demand.json()
    assert (body["ticket_id"], body["ticket_number"], body["entry_count"]) == (
        t["id"],
        t["number"],
        2,
    )
    assert (body["period_first"], body["period_last"]) == ("2026-11-03", "2026-11-28")
    # a ticket that ran for years is reported whole
    add_entry(w, t["id"], at(2024, 5, 6), 15, on_site=False)
    long_run = w.post(CLERK, f"/tickets/{t['id']}/report")
    assert long_run.status_code == 201, long_run.text
    assert (long_run.json()["period_first"], long_run.json()["entry_count"]) == ("2024-05-06", 3)
    assert (entry_report(w, first), entry_report(w, late)) == (one["id"], two.json()["id"])
    assert f"Ticket {t['number']}" in pdf_text(_pdf(w, CLERK, body["id"]))


def test_the_csv_export_equals_the_report(world: World, clerk: str) -> None:
    w = world
    t = w.new_ticket(title='=HYPERLINK("http://evil.example")')
    add_entry(w, t["id"], at(2026, 11, 3), 35)
    add_entry(w, t["id"], at(2026, 11, 4), 130, on_site=False)
    add_entry(w, t["id"], at(2026, 11, 5), 60, billable=False, reason="warranty")
    report = _month_report(w, CLERK)
    late = add_entry(w, t["id"], at(2026, 11, 29), 10, on_site=False)

    r = w.get(CLERK, "/exports/billing.csv", month="2026-11")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = csv_rows(r.text)
    reported = [row for row in rows if row["report_number"] == report["number"]]
    assert len(reported) == 2  # the warranty work is not invoiced
    assert sum(int(row["billed_minutes"]) for row in reported) == report["billed_minutes"]
    assert [row["billed_hours"] for row in reported] == [
        "2.00",
        "2.25",
    ]  # 120 on site; 130 remote bills 135
    assert reported[0]["ticket_title"].startswith("'=")  # no formula in the accountant's sheet
    assert reported[0]["customer_number"] == "K-1" and reported[0]["on_site"] == "yes"
    [unreported] = [row for row in rows if row["report_number"] == ""]
    assert int(unreported["entry_id"]) == late
    assert (
        w.get(
            CLERK, "/exports/billing.csv", **{"from": "2026-12-01", "to": "2026-12-31"}
        ).text.count("\n")
        == 1
    )
    assert w.get(CLERK, "/exports/billing.csv").status_code == 422
    assert w.get(CLERK, "/exports/billing.csv", month="2026-13").status_code == 422


def test_the_contingent_moves_in_the_pdf_as_the_ledger_says(world: World, clerk: str) -> None:
    w = world
    make_contingent(w, 10, [Month(2026, 10), Month(2026, 11)])
    t = w.new_ticket()
    add_entry(w, t["id"], at(2026, 10, 20), 100)  # debits 2:00 in October
    add_entry(w, t["id"], at(2026, 11, 3), 35, decided_at=at(2026, 11, 4))  # 2:00 in November
    add_entry(w, t["id"], at(2026, 11, 30), 20, on_site=False, decided_at=at(2026, 12, 1, 12))
    report = _month_report(w, CLERK)
    with Session(w.engine) as s:
        contract = contingent_contract(s, w.customer_id)
        assert contract is not None
        ledger = ledger_of(s, contract)
    nov = month_summary(ledger.lots, ledger.debits, Month(2026, 11))
    assert (nov.credited, nov.debited, nov.expired, nov.balance) == (600, 120, 0, 960)
    text = pdf_text(_pdf(w, CLERK, report["id"]))
    assert "Kontingent im Zeitraum" in text
    assert "Stand zu Beginn 8:00 Std." in text  # 10:00 credited in October, 2:00 debited
    assert "gutgeschrieben 10:00 Std." in text
    assert "abgebucht 2:00 Std." in text  # the entry approved in December debits December
    assert "verfallen 0:00 Std." in text
    assert "Stand am Ende 16:00 Std." in text


def test_english_reports_and_hostile_text(world: World, clerk: str) -> None:
    w = world
    with Session(w.engine) as s:  # written before the service checked input, say
        customer = s.get(Customer, w.customer_id)
        assert customer is not None
        customer.name = "Müller GmbH\x1b]0;owned\x07"
        s.add(customer)
        s.commit()
    t = w.new_ticket(title="Server down")
    with Session(w.engine) as s:
        ticket = s.get(Ticket, t["id"])
        assert ticket is not None
        ticket.title = "Server \x1b[2Jdown\u202e"
        s.add(ticket)
        s.commit()
    add_entry(w, t["id"], at(2026, 11, 3), 35, note="Rebooted\x1b]52;c;ZXZpbA==\x07 the box")
    add_entry(
        w, t["id"], at(2026, 11, 4), 10, billable=False, reason="other", reason_text="Test\x9b31m"
    )
    report = _month_report(w, CLERK, language="en")
    text = pdf_text(_pdf(w, CLERK, report["id"]))
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\u202e" not in text
    assert "Müller GmbH]0;owned" in text  # the printable rest stays, the controls go
    assert f"{t['number']} Server [2Jdown" in text
    assert "Rebooted]52;c;ZXZpbA== the box" in text
    assert "not billed (other: Test31m)" in text
    assert "Service report " + report["number"] in text
    assert "on site, IT Technician 0:35 2:00 billed" in text
    assert "Total: Time 0:45 h, Billed 2:00 h (2 entries)" in text


@pytest.mark.parametrize("who", ["tina", "dana", "lea"])
def test_only_the_back_office_and_admins_handle_reports(world: World, who: str) -> None:
    w = world
    t = w.new_ticket()
    add_entry(w, t["id"], at(2026, 11, 3), 35)
    admin = _month_report(w, "adam")
    for method, path, body in (
        ("post", f"/customers/{w.customer_id}/reports", {"month": "2026-11"}),
        ("post", f"/tickets/{t['id']}/report", None),
        ("get", f"/customers/{w.customer_id}/reports", None),
        ("get", f"/reports/{admin['id']}", None),
        ("get", f"/reports/{admin['id']}/pdf", None),
        ("get", "/exports/billing.csv?month=2026-11", None),
    ):
        r = getattr(w.client, method)(
            API + path, headers=w.h(who), **({"json": body} if method == "post" else {})
        )
        assert r.status_code == 403, (path, r.text)
        assert r.headers["content-type"] == PROBLEM
    assert (
        w.rows(Customer) == 1
        and len(w.get("adam", f"/customers/{w.customer_id}/reports").json()["items"]) == 1
    )


def test_bad_requests_change_nothing(world: World, clerk: str) -> None:
    w = world
    t = w.new_ticket()
    entry = add_entry(w, t["id"], at(2026, 11, 3), 35)
    path = f"/customers/{w.customer_id}/reports"
    for body in (
        {},
        {"month": "11/2026"},
        {"month": "2026-11", "from": "2026-11-01", "to": "2026-11-30"},
        {"from": "2026-11-30", "to": "2026-11-01"},
        {"from": "2026-01-01", "to": "2027-06-01"},
        {"month": "2026-11", "language": "fr"},
        {"month": "2026-11", "colour": "blue"},
    ):
        r = w.post(CLERK, path, body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == PROBLEM
    assert w.post(CLERK, "/customers/999999/reports", {"month": "2026-11"}).status_code == 404
    assert w.post(CLERK, "/tickets/999999/report").status_code == 404
    assert w.get(CLERK, "/reports/999999").status_code == 404
    assert w.get(CLERK, "/reports/999999/pdf").status_code == 404
    assert w.post(CLERK, f"/tickets/{w.new_ticket()['id']}/report").status_code == 409
    assert entry_report(w, entry) is None
    assert w.get(CLERK, path).json()["items"] == []


def test_a_report_is_announced_in_the_feed(world: World, clerk: str) -> None:
    w = world
    t = w.new_ticket()
    entry = add_entry(w, t["id"], at(2026, 11, 3), 35)
    report = _month_report(w, CLERK)
    [created] = w.events_of("service_report", report["id"])
    assert (created.op, created.actor, created.version) == ("create", "rita-report", 1)
    assert created.fields["number"] == [None, report["number"]]
    assert created.fields["entry_ids"] == [None, [entry]]
    assert created.fields["billed_minutes"] == [None, 120]
    [claimed] = w.events_of("time_entry", entry)
    assert (claimed.op, claimed.fields, claimed.ticket_id) == (
        "update",
        {"report_id": [None, report["id"]]},
        t["id"],
    )
    got = w.get(CLERK, f"/reports/{report['id']}")
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    pdf = _pdf(w, CLERK, report["id"])
    assert got.json()["pdf_size"] == len(pdf)
    binary = w.client.get(
        f"{API}/reports/{report['id']}/pdf",
        headers=w.h(CLERK, Accept="application/octet-stream"),
    )
    assert binary.headers["content-type"] == "application/octet-stream"
    assert binary.content == pdf


def test_with_mail_off_a_report_is_made_and_queued_for_no_one(world: World, clerk: str) -> None:
    w = world
    with Session(w.engine) as s:
        s.add(
            Contact(
                customer_id=w.customer_id,
                name="Bea Buchhaltung",
                email="bea@kunde.example",
                receives_reports=True,
                language="en",
            )
        )
        s.commit()
    t = w.new_ticket()
    add_entry(w, t["id"], at(2026, 11, 3), 35)
    report = _month_report(w, CLERK)
    assert (report["mailed_to"], report["language"]) == (0, "en")  # the contact's language
    assert w.rows(Notification) == 0
