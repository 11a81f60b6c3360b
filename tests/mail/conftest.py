"""Fixtures of the mail tests: the Dovecot server (one per xdist worker), a fresh mailbox,
and the demo data for tests of the real intake (a SQLite copy, or PostgreSQL filled from it).

Without Dovecot the IMAP tests skip with the reason, except under CI (`CI=true`), where a
missing server is a failure: `.ci/run` installs `dovecot-imapd`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from mail.dovecot import DOVECOT, Dovecot, Mailbox
from mail.imap_world import copy_database, seeded_database
from service.world import PG_URL, worker_tag
from sqlalchemy import text

from dispatch.server.persistence import dbcopy
from dispatch.server.persistence.db import make_engine


def _need_dovecot() -> None:
    if Path(DOVECOT).is_file():
        return
    reason = f"{DOVECOT} is missing (Debian package dovecot-imapd)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    _need_dovecot()
    # Not under pytest's temp dir: that is private to the user running the tests (0700), and
    # Dovecot's mail processes run as the `dovecot` user when the tests run as root.
    root = Path(tempfile.mkdtemp(prefix="dispatch-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    """An empty mailbox of its own on the test server."""
    return dovecot.mailbox()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data in a SQLite file, made once; tests change copies of it."""
    return seeded_database(tmp_path_factory.mktemp("template") / "demo.db")


@pytest.fixture
def demo_database(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database of the test's own (and no user config in the way)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return copy_database(demo_template, tmp_path / "desk.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_url(
    request: pytest.FixtureRequest, demo_template: Path, demo_database: Path
) -> Iterator[str]:
    """The demo data on each kind of database: the SQLite copy, or this worker's own
    PostgreSQL database filled from it."""
    if request.param == "sqlite":
        yield f"sqlite:///{demo_database}"
        return
    name = f"dispatch_imap_{worker_tag()}"
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    source, target = make_engine(f"sqlite:///{demo_template}"), make_engine(url)
    dbcopy.copy_database(source, target)
    source.dispose()
    target.dispose()
    yield url
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg(*statements: str) -> None:
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()
