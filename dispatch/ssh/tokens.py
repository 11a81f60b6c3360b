"""Session tokens: minted for the person a key belongs to, ended with the session.

The gateway runs on the service's host as the service account and reads DATABASE_URL from
that account's config, so it writes the token row itself, as `dispatch users add` does; no
second credential exists that could leak. The token lives in this process's memory only: its
SHA-256 is stored, it expires after SESSION_HOURS at most, and `via` names the key's
fingerprint, which the service writes into every event the session makes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dispatch.domain.types import Role
from dispatch.ssh.lean_db import LeanDb

WHO = """SELECT u.id, u.name, u.display_name, u.role, t.id
         FROM ssh_key k JOIN "user" u ON u.id = k.user_id
         LEFT JOIN technician t ON t.user_id = u.id
         WHERE k.fingerprint = ? AND u.active"""
MINT = """INSERT INTO apitoken (user_id, token_hash, created_at, expires_at, via)
          VALUES (?, ?, ?, ?, ?)"""
PRUNE = """DELETE FROM apitoken WHERE user_id = ? AND via IS NOT NULL
           AND (expires_at < ? OR revoked_at < ?)"""
"""Session tokens ended over a day ago: every login makes one, and nothing refers to them
(their events name the key's fingerprint, not the token)."""
REVOKE = "UPDATE apitoken SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL"
ALIVE = """SELECT 1 FROM apitoken a JOIN "user" u ON u.id = a.user_id
           JOIN ssh_key k ON k.fingerprint = a.via AND k.user_id = a.user_id
           WHERE a.token_hash = ? AND a.revoked_at IS NULL AND a.expires_at > ? AND u.active"""


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    display_name: str
    role: str
    technician_id: int | None


def digest(token: str) -> str:
    """As `server.rules.accounts.hash_token` stores it."""
    return hashlib.sha256(token.encode()).hexdigest()


def owner(db: LeanDb, fp: str) -> Person | None:
    """The active person the key with this fingerprint belongs to."""
    row = db.one(WHO, fp)
    if row is None:
        return None
    # SQLAlchemy stores an enum by its member's name ("TECHNICIAN"); the API says its value
    role = Role[row[3]].value if row[3] in Role.__members__ else str(row[3])
    return Person(int(row[0]), str(row[1]), str(row[2]), role, row[4])


def mint(db: LeanDb, person: Person, fp: str, hours: float) -> str:
    """A new token for `person`, expiring in `hours`; shown to no one, stored as a hash."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    until = now + timedelta(hours=hours)
    long_ago = db.when(now - timedelta(days=1))
    db.write(PRUNE, person.id, long_ago, long_ago)
    db.write(MINT, person.id, digest(token), db.when(now), db.when(until), fp)
    return token


def revoke(db: LeanDb, token: str) -> None:
    db.write(REVOKE, db.when(datetime.now(UTC)), digest(token))


def alive(db: LeanDb, token: str) -> bool:
    """Whether the session may go on: token live and unexpired, key still the person's,
    person active."""
    return db.one(ALIVE, digest(token), db.when(datetime.now(UTC))) is not None
