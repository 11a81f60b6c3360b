"""The embedded default: the same service in-process on a local SQLite file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from dispatch.private_files import private_dir
from dispatch.settings import Settings, data_dir

if TYPE_CHECKING:
    from dispatch.embedded_life import LivingTransport


def token_file(database_url: str) -> Path:
    """Where the local user's token for an embedded database is kept (mode 0600)."""
    safe = "".join(c if c.isalnum() else "_" for c in database_url)[-80:]
    return data_dir() / "tokens" / f"{safe}.token"


def local_token(settings: Settings, *, role: str = "admin") -> str:
    """The token of this machine's local user of the embedded database, created on first use."""
    from sqlmodel import Session, select

    from dispatch.domain.types import Role
    from dispatch.models.user import User
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema
    from dispatch.server.rules.accounts import create_user, issue_token

    path = token_file(settings.database_url)
    if path.exists():
        return path.read_text().strip()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    name = "".join(c for c in (os.environ.get("USER") or "local").lower() if c.isalnum()) or "local"
    with Session(engine) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            _, token = create_user(session, name, name.title(), Role(role))
        else:
            token = issue_token(session, user)
        session.commit()
    engine.dispose()
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token)
    return token


def embedded_transport(settings: Settings, *, housekeeping: bool = False) -> LivingTransport:
    """An httpx transport that calls the in-process service (no sockets).

    With `housekeeping` it also runs the service's lifespan, as `dispatch serve` does:
    Idempotency-Keys past their lifetime are pruned, the search index's trigram counts read,
    the SLA calendars built. httpx's ASGITransport never runs a lifespan, so an embedded
    console kept every key of every write forever. A one-shot CLI command needs none of it.
    """
    from dispatch.embedded_life import LivingTransport
    from dispatch.server.http.app import create_app

    return LivingTransport(create_app(settings), housekeeping=housekeeping)
