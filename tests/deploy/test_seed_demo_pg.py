"""The quick start on PostgreSQL: `db upgrade`, `seed-demo`, then the first intake works.

`seed-demo` inserts tickets with explicit ids; PostgreSQL's sequences do not see those, so
before the fix the first `POST /tickets` drew id 1 again and was a 500 (UniqueViolation).
"""

from __future__ import annotations

import pytest
from deploy.pgdb import drop_pg, fresh_pg_url
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from dispatch.cli import app as cli
from dispatch.server.http.app import create_app
from dispatch.server.persistence.db import make_engine
from dispatch.settings import Settings

API = "/api/v1"
runner = CliRunner()


def _token(output: str, name: str) -> str:
    for line in output.splitlines():
        words = line.split()
        if words and words[0] == name:
            return words[-1]
    raise AssertionError(f"no token for {name} in:\n{output}")


def test_seed_demo_then_intake_on_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    url = fresh_pg_url("seed_demo")
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        r = runner.invoke(cli, ["db", "upgrade"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["seed-demo", "--tickets", "30"])
        assert r.exit_code == 0, r.output
        token = _token(r.output, "anna.becker")
        engine = make_engine(url)
        settings = Settings(database_url=url, rate_limit_per_minute=0)
        with TestClient(create_app(settings, engine=engine, create=False)) as client:
            h = {"Authorization": f"Bearer {token}"}
            first = client.get(f"{API}/tickets", params={"limit": 1}, headers=h).json()["items"][0]
            numbers = set()
            for n in range(3):  # every intake, not only the first, gets a fresh id
                body = {
                    "title": f"Printer {n} prints nothing",
                    "customer_id": first["customer_id"],
                }
                created = client.post(f"{API}/tickets", json=body, headers=h)
                assert created.status_code == 201, created.text
                numbers.add(created.json()["number"])
            assert len(numbers) == 3
            assert min(numbers) > 100_030  # after the demo's tickets
        engine.dispose()
    finally:
        drop_pg(url)
