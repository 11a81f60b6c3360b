"""Two `dispatch serve` processes on one PostgreSQL database, shared by the tests here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from deploy.pgdb import drop_pg, fresh_pg_url, seeded, serve
from sqlalchemy import Engine, text


@dataclass
class Cluster:
    """Base URLs of the service processes, the database they share and the seeded tokens."""

    urls: list[str]
    db_url: str
    engine: Engine
    tokens: dict[str, str]

    def h(self, who: str = "dana", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def last_seq(self) -> int:
        """The newest seq in the feed (one page of GET /changes may stop short of it)."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(text("SELECT coalesce(max(seq), 0) FROM change_event")).scalar_one()
            )


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    url = fresh_pg_url("cluster")
    engine, tokens = seeded(url)
    with serve(url, tmp_path_factory.mktemp("serve"), count=2) as urls:
        yield Cluster(urls, url, engine, tokens)
    engine.dispose()
    drop_pg(url)
