"""Demo databases for the console tests: seeded once per worker, copied for each test.

Seeding runs the migrations and writes a few thousand rows (about a third of a console test's
own set-up); a copy of the file is the same database. Each test still gets its own file, so
what one test writes no other test sees.

Data seeded at the current time is re-seeded once it is two minutes old: the demo is relative
to "now", and a copy stays what `dispatch demo` would show a user who opened it a moment ago.
Data seeded at a fixed `now` (the snapshots) is the same whenever it is made.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, func, select

from dispatch.console import prepare_demo
from dispatch.demo import DemoSize, seed_demo
from dispatch.models import Ticket
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema
from dispatch.settings import Settings

FRESH_SECONDS = 120.0
_Key = tuple[int, int, datetime | None]
_templates: dict[_Key, tuple[Path, dict[str, str], float]] = {}
_root: Path | None = None


def demo_copy(
    directory: Path, *, tickets: int, seed: int = 7, now: datetime | None = None
) -> tuple[Settings, dict[str, str]]:
    """A demo database of its own in `directory` (as `prepare_demo` makes it) and every
    demo user's token; `now` fixes the demo's clock (None: the current time)."""
    source, tokens = _template(tickets, seed, now)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "demo.db"
    shutil.copy2(source, target)  # keeps the file's 0600
    return Settings(database_url=f"sqlite:///{target}", server=None), dict(tokens)


def tickets_in(settings: Settings) -> int:
    """How many tickets the demo database holds: the drawn ones and those its contingent
    work is logged on (a year of them), so more than the demo's `tickets`."""
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Ticket)).one()
    engine.dispose()
    return count


def _template(tickets: int, seed: int, now: datetime | None) -> tuple[Path, dict[str, str]]:
    key = (tickets, seed, now)
    known = _templates.get(key)
    if known is not None and (now is not None or time.monotonic() - known[2] < FRESH_SECONDS):
        return known[0], known[1]
    where = Path(tempfile.mkdtemp(dir=_workspace()))
    if now is None:
        settings, tokens = prepare_demo(where, tickets=tickets, seed=seed)
    else:
        settings = Settings(database_url=f"sqlite:///{where / 'demo.db'}", server=None)
        tokens = _seed_at(settings, tickets, seed, now)
    source = Path(settings.database_url.removeprefix("sqlite:///"))
    # The seeding engine is disposed, so SQLite folded its log into the file: the file is all.
    assert not source.with_name(source.name + "-wal").exists(), "the template is not complete"
    _templates[key] = (source, tokens, time.monotonic())
    return source, tokens


def _seed_at(settings: Settings, tickets: int, seed: int, now: datetime) -> dict[str, str]:
    engine = make_engine(settings.database_url)
    create_schema(engine)
    with Session(engine) as session:
        logins = seed_demo(session, now=now, seed=seed, size=DemoSize(tickets=tickets))
        session.commit()
    engine.dispose()
    return logins.tokens


def _workspace() -> Path:
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="dispatch-demo-templates-"))
        atexit.register(shutil.rmtree, _root, True)
    return _root
