"""`dispatch db copy`: a team's SQLite database moves to PostgreSQL whole, ids and all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deploy.pgdb import drop_pg, fresh_pg_url
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from dispatch.cli import app as cli
from dispatch.demo import DemoSize, seed_demo
from dispatch.server.http.app import create_app
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.migrate import upgrade
from dispatch.settings import Settings

API = "/api/v1"
runner = CliRunner()


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {
            t.name: [
                dict(r._mapping) for r in conn.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in SQLModel.metadata.sorted_tables
        }


def test_copy_moves_every_row_and_the_service_goes_on_from_there(tmp_path: Path) -> None:
    source_url = f"sqlite:///{tmp_path / 'team.db'}"
    source = make_engine(source_url)
    upgrade(source)
    with Session(source) as s:
        logins = seed_demo(
            s,
            now=datetime(2030, 3, 4, 9, tzinfo=UTC),
            seed=3,
            size=DemoSize(tickets=25, customers=4, technicians=4, escalations=2),
        )
        s.commit()
    token = logins.tokens["anna.becker"]
    settings = Settings(database_url=source_url, rate_limit_per_minute=0)
    with TestClient(create_app(settings, engine=source, create=False)) as client:
        h = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"}
        ticket = client.get(f"{API}/tickets", headers=h).json()["items"][0]
        r = client.post(f"{API}/tickets/{ticket['id']}/comments", json={"body": "x"}, headers=h)
        assert r.status_code == 201, r.text
    target_url = fresh_pg_url("copy")

    result = runner.invoke(cli, ["db", "copy", "--from", source_url, "--to", target_url])
    assert result.exit_code == 0, result.output
    target = make_engine(target_url)
    before, after = _rows(source), _rows(target)
    assert after == before
    assert all(before[name] for name in ("ticket", "change_event", "idempotency_record"))

    # The service on the copy: the same tokens work, new ids and seqs continue past the old.
    settings = Settings(database_url=target_url, rate_limit_per_minute=0)
    with TestClient(create_app(settings, engine=target)) as client:
        h = {"Authorization": f"Bearer {token}"}
        r = client.post(
            f"{API}/tickets",
            json={"title": "after the move", "customer_id": ticket["customer_id"]},
            headers=h,
        )
        assert r.status_code == 201, r.text
        assert r.json()["id"] == max(t["id"] for t in before["ticket"]) + 1
        feed = client.get(f"{API}/changes", headers=h, params={"since": 0, "limit": 1000}).json()
        assert feed["last_seq"] == max(e["seq"] for e in before["change_event"]) + 1
        replay = client.post(
            f"{API}/tickets/{ticket['id']}/comments",
            json={"body": "x"},
            headers={**h, "Idempotency-Key": "k1"},
        )
        assert replay.headers.get("idempotent-replayed") == "true"

    again = runner.invoke(cli, ["db", "copy", "--from", source_url, "--to", target_url])
    assert again.exit_code == 1
    assert "empty" in again.output
    assert len(_rows(target)["ticket"]) == len(before["ticket"]) + 1
    source.dispose()
    target.dispose()
    drop_pg(target_url)
