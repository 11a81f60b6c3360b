"""`dispatch reports ...` against the embedded service on a seeded database: create a month's
and a ticket's report, list them, download a PDF, export the billing CSV."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from cli.seeded import runner
from pypdf import PdfReader
from sqlmodel import Session, col, select

from dispatch.cli import app
from dispatch.domain.billing import billed_minutes
from dispatch.domain.types import ServiceRole
from dispatch.models import Customer, Ticket, TimeEntry, User
from dispatch.server.persistence.db import make_engine


def _entries() -> tuple[str, int, int]:
    """Two approved November entries on two tickets of a customer with two or more: its
    number, the first ticket's number and the billed minutes."""
    engine = make_engine(os.environ["DATABASE_URL"])
    with Session(engine) as s:
        all_tickets = s.exec(select(Ticket).order_by(col(Ticket.id))).all()
        customer_id = next(
            t.customer_id
            for t in all_tickets
            if sum(1 for o in all_tickets if o.customer_id == t.customer_id) >= 2
        )
        customer = s.get(Customer, customer_id)
        assert customer is not None
        tickets = [t for t in all_tickets if t.customer_id == customer_id][:2]
        admin = s.exec(select(User).where(User.name == "admin")).one()
        assert len(tickets) == 2 and admin.id is not None
        billed = 0
        for day, ticket in zip((3, 4), tickets, strict=True):
            assert ticket.id is not None
            minutes = billed_minutes(35, ServiceRole.TECHNICIAN, True, True)
            billed += minutes
            started = datetime(2026, 11, day, 9, tzinfo=UTC)
            s.add(
                TimeEntry(
                    ticket_id=ticket.id,
                    technician_id=admin.id,
                    started_at=started,
                    raw_minutes=35,
                    on_site=True,
                    service_role=ServiceRole.TECHNICIAN.value,
                    billed_minutes=minutes,
                    state="approved",
                    created_by=admin.id,
                    decided_at=started,
                    note="Toner getauscht",
                )
            )
        s.commit()
        assert tickets[0].number is not None
        found = (customer.number, tickets[0].number, billed)
    engine.dispose()
    return found


def test_create_list_download_and_export(env: dict[str, str], tmp_path: Path) -> None:
    token = env["admin"]
    customer, ticket_number, billed = _entries()

    made = runner.invoke(
        app, ["reports", "create", customer, "--month", "2026-11", "--json", "--token", token]
    )
    assert made.exit_code == 0, made.output
    report = json.loads(made.stdout)
    assert report["entry_count"] == 2 and report["billed_minutes"] == billed
    again = runner.invoke(
        app, ["reports", "create", customer, "--month", "2026-11", "--token", token]
    )
    assert again.exit_code == 1 and "left to report" in again.output and "HTTP 409" in again.output

    on_demand = runner.invoke(
        app, ["reports", "create", customer, "--ticket", str(ticket_number), "--token", token]
    )
    assert on_demand.exit_code == 0, on_demand.output
    assert f" ticket {ticket_number}" in on_demand.stdout and "1 entry," in on_demand.stdout

    listed = runner.invoke(app, ["reports", "list", customer, "--token", token])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and report["number"] in lines[1]
    assert "2 entries, 1:10 h worked, 4:00 h billed" in lines[1]

    pdf = tmp_path / "report.pdf"
    got = runner.invoke(
        app, ["reports", "download", report["number"], "-o", str(pdf), "--token", token]
    )
    assert got.exit_code == 0, got.output
    assert report["number"] in PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    wrong = runner.invoke(
        app,
        [
            "reports",
            "download",
            "SR-1999-" + report["number"][-5:],
            "-o",
            str(pdf),
            "--token",
            token,
        ],
    )
    assert wrong.exit_code == 1 and "no service report" in wrong.output

    out = tmp_path / "billing.csv"
    exported = runner.invoke(
        app, ["reports", "export", "--month", "2026-11", "-o", str(out), "--token", token]
    )
    assert exported.exit_code == 0, exported.output
    every = list(csv.DictReader(io.StringIO(out.read_text())))
    assert exported.stdout.startswith(f"{len(every)} billed lines written to")
    # the demo's contingent customers worked that month too; this customer's lines are the report's
    rows = [r for r in every if r["customer_number"] == customer]
    assert len(rows) == 2
    assert sum(int(r["billed_minutes"]) for r in rows) == report["billed_minutes"]
    assert {r["report_number"] for r in rows} == {report["number"]}


def test_refusals(env: dict[str, str], tmp_path: Path) -> None:
    token = env["admin"]
    for args, words in (
        (["create", "K1", "--token", token], "give --month"),
        (
            ["create", "K1", "--month", "2026-11", "--from", "2026-11-01", "--token", token],
            "not both",
        ),
        (
            ["download", "latest", "-o", str(tmp_path / "x.pdf"), "--token", token],
            "by its id or its number",
        ),
        (["export", "-o", str(tmp_path / "x.csv"), "--token", token], "give --month"),
    ):
        result = runner.invoke(app, ["reports", *args])
        assert result.exit_code == 2 and words in result.output, (args, result.output)
    nobody = runner.invoke(app, ["reports", "list", "NO-SUCH", "--token", token])
    assert nobody.exit_code == 1 and "there is no customer 'NO-SUCH'" in nobody.output
    bad = runner.invoke(
        app,
        ["reports", "export", "--month", "2026-13", "-o", str(tmp_path / "x"), "--token", token],
    )
    assert bad.exit_code == 1 and "HTTP 422" in bad.output
    engine = make_engine(os.environ["DATABASE_URL"])
    with Session(engine) as s:
        customer = s.exec(select(Customer.number)).first()
    engine.dispose()
    assert customer is not None
    refused = runner.invoke(app, ["reports", "list", customer, "--token", env["anna.becker"]])
    assert refused.exit_code == 1 and "HTTP 403" in refused.output


def test_every_report_text_has_its_german_translation() -> None:
    import ast

    from babel.messages.pofile import read_po

    import dispatch

    root = Path(dispatch.__file__).parent
    with (root / "locale/de/LC_MESSAGES/money.po").open("rb") as po:
        catalog = read_po(po)
    # a message's id, and a plural's two forms (a long id is wrapped over several lines)
    translated = {
        form
        for message in catalog
        if message.id and message.string
        for form in (message.id if isinstance(message.id, tuple) else (message.id,))
    }
    wanted = set()
    for module in ("cli/reports.py", "client/api_reports.py"):
        for node in ast.walk(ast.parse((root / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext"):
                wanted |= {
                    ast.literal_eval(arg) for arg in node.args[:2] if isinstance(arg, ast.Constant)
                }
    assert len(wanted) >= 12  # the check sees them: every message, the plural's two forms
    assert wanted - translated == set()
