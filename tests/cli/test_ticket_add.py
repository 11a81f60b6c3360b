"""`dispatch tickets add` (issue 19.1): a call taken from the command line, every field an
option, against the service on the seeded database; clear errors that make nothing."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from cli.seeded import runner

from dispatch.cli import app

DISPATCHER = "anna.becker"
TECHNICIAN = "marco.wagner"


def db() -> sqlite3.Connection:
    return sqlite3.connect(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))


def customer_rows(where: str = "1 = 1") -> list[tuple[Any, ...]]:
    """(id, number, name, has a contingent contract, hours per month) of the seeded
    customers."""
    with db() as conn:
        return conn.execute(
            "SELECT c.id, c.number, c.name, MAX(k.kind = 'CONTINGENT'), "
            "MAX(k.contingent_hours_per_month) FROM customer c "
            f"LEFT JOIN contract k ON k.customer_id = c.id WHERE {where} "
            "GROUP BY c.id ORDER BY c.id"
        ).fetchall()


def tickets_titled(title: str) -> list[tuple[Any, ...]]:
    """The tickets with `title`, their enums by value (the database stores their names)."""
    with db() as conn:
        rows = conn.execute(
            "SELECT id, customer_id, site_id, contact_id, lower(kind), lower(source), priority, "
            "assignee_id FROM ticket WHERE title = ?",
            (title,),
        ).fetchall()
    return [tuple(r) for r in rows]


def add(token: str, *args: str) -> Any:
    return runner.invoke(app, ["tickets", "add", "--token", token, *args])


def test_a_call_is_taken_with_every_field_as_an_option(env: dict[str, str]) -> None:
    cid, number, name, *_ = customer_rows()[0]
    with db() as conn:
        sites = [r[0] for r in conn.execute("SELECT id FROM site WHERE customer_id = ?", (cid,))]
        contact_id, contact_name = conn.execute(
            "SELECT id, name FROM contact WHERE customer_id = ? ORDER BY id", (cid,)
        ).fetchone()
    title = "Printer in accounting prints blank pages"
    done = add(
        env[DISPATCHER],
        *("--customer", number, "--title", title, "--description", "since this morning"),
        *("--contact", contact_name, "--kind", "service request", "--priority", "P2"),
        *("--tag", "printer", "--json"),
    )
    assert done.exit_code == 0, done.output
    answer = json.loads(done.stdout)
    assert answer["number"] > 100_000 and answer["title"] == title
    assert answer["tags"] == ["printer"] and answer["customer_name"] == name
    assert tickets_titled(title) == [
        (answer["id"], cid, min(sites), contact_id, "request", "phone", "P2", None)
    ], "the main site by default, the phone hotline at the desk"


def test_a_vip_call_without_a_contingent_is_refused(env: dict[str, str]) -> None:
    """Issue 21.6: the VIP hotline is what a contingent buys; the service says so."""
    plain = [r for r in customer_rows() if not r[3]]
    vip = [r for r in customer_rows() if r[3]]
    assert plain and vip
    done = add(
        env[DISPATCHER],
        *("--customer", plain[0][2], "--title", "VIP line: no network", "--source", "VIP hotline"),
    )
    assert done.exit_code != 0
    assert "no contingent contract" in done.output and "phone ticket" in done.output
    assert tickets_titled("VIP line: no network") == []
    calm = add(
        env[DISPATCHER],
        *("--customer", vip[0][1], "--title", "VIP line: slow", "--source", "vip_hotline"),
    )
    assert calm.exit_code == 0, calm.output
    assert [r[5] for r in tickets_titled("VIP line: slow")] == ["vip_hotline"]


def test_a_technicians_call_is_their_own(env: dict[str, str]) -> None:
    cid, number, *_ = customer_rows()[-1]
    done = add(env[TECHNICIAN], "--customer", number, "--title", "Remote: VPN", "--json")
    assert done.exit_code == 0, done.output
    with db() as conn:
        (tech,) = conn.execute(
            "SELECT t.id FROM technician t JOIN user u ON u.id = t.user_id WHERE u.name = ?",
            (TECHNICIAN,),
        ).fetchone()
    assert [(r[1], r[6], r[7]) for r in tickets_titled("Remote: VPN")] == [(cid, "P3", tech)]
    refused = add(
        env[TECHNICIAN], "--customer", number, "--title", "Remote: P1", "--priority", "P1"
    )
    assert refused.exit_code == 1 and "may not prioritise" in refused.output
    assert tickets_titled("Remote: P1") == []


def test_bad_options_are_clear_and_make_nothing(env: dict[str, str]) -> None:
    token = env[DISPATCHER]
    number = customer_rows()[0][1]
    before = len(tickets_titled("Nothing"))
    cases = [
        (("--customer", number, "--title", "Nothing", "--kind", "outage"), "--kind 'outage'"),
        (("--customer", "no such customer", "--title", "Nothing"), "no customer matches"),
        (("--customer", number, "--title", "Nothing", "--site", "Mars"), "no site matches"),
        (("--customer", number), "--title are required"),
        (("--customer", number, "--title", "Nothing\x1b]52;c;x\x07"), "control characters"),
        (("--customer", number, "--title", "Nothing", "--priority", "P9"), "--priority"),
    ]
    for args, said in cases:
        done = add(token, *args)
        assert done.exit_code != 0, args
        assert said in done.output, (args, done.output)
    assert len(tickets_titled("Nothing")) == before == 0
