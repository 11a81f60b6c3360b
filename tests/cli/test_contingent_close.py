"""`dispatch contingent close` (issue 21.4): every ended month closed in order, the running
month credited, a second run changing nothing, and a month that has not ended refused."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

from cli.seeded import runner

from dispatch.cli import app
from dispatch.domain.contingent_lots import Month


def rows(sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(os.environ["DATABASE_URL"].removeprefix("sqlite:///")) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_close_closes_ended_months_once(env: dict[str, str]) -> None:
    running = Month.of(datetime.now(UTC))
    contracts = rows("SELECT id FROM contract WHERE kind = 'CONTINGENT' ORDER BY id")
    assert contracts, "the demo has contingent contracts"
    # the demo closed every month up to last month: take the last one back, as if the
    # service had been down over the turn of the month
    last = running.previous()
    with sqlite3.connect(os.environ["DATABASE_URL"].removeprefix("sqlite:///")) as conn:
        conn.execute(
            "DELETE FROM contingent_month WHERE year = ? AND month = ?", (last.year, last.month)
        )
        conn.execute(
            "DELETE FROM contingent_lot WHERE year = ? AND month = ?",
            (running.year, running.month),
        )
    done = runner.invoke(app, ["contingent", "close"])
    assert done.exit_code == 0, done.output
    n = len(contracts)
    assert f"contingent: {n} lots credited, {n} months closed ({n} contracts)" in done.output
    closed = rows("SELECT contract_id, year, month FROM contingent_month ORDER BY id")
    assert len(closed) == 11 * n and (contracts[0][0], last.year, last.month) in closed
    credited = rows(
        f"SELECT COUNT(*) FROM contingent_lot WHERE year = {running.year}"
        f" AND month = {running.month}"
    )
    assert credited == [(n,)]
    before = rows("SELECT * FROM contingent_lot ORDER BY id"), closed
    again = runner.invoke(app, ["contingent", "close"])
    assert again.exit_code == 0, again.output
    assert "0 lots credited, 0 months closed (0 contracts)" in again.output
    assert (rows("SELECT * FROM contingent_lot ORDER BY id"), closed) == before


def test_a_month_still_running_or_malformed_is_refused(env: dict[str, str]) -> None:
    before = rows("SELECT COUNT(*) FROM contingent_month")
    running = Month.of(datetime.now(UTC))
    for month, said in ((str(running), "has not ended yet"), ("2026-13", "not a month")):
        done = runner.invoke(app, ["contingent", "close", "--month", month])
        assert done.exit_code == 2, done.output
        assert said in done.output
    assert rows("SELECT COUNT(*) FROM contingent_month") == before
