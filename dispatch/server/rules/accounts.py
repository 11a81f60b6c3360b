"""Users and bearer tokens: 32 random bytes, shown once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from dispatch.domain.types import Role
from dispatch.models.base import has_control, utcnow
from dispatch.models.user import ApiToken, Technician, User


def hash_token(token: str) -> str:
    """The only form in which a token is ever stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, issued_by: int | None = None) -> str:
    """Create a new token for `user`; the caller must show it once and forget it.

    `issued_by` is the admin issuing it through the service; when that is someone else,
    every event written with the token names them beside the user (`change_event.issued_by`).
    """
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    issuer = issued_by if issued_by != user.id else None
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), issued_by=issuer))
    return token


def create_user(
    session: Session, name: str, display_name: str, role: Role, *, issued_by: int | None = None
) -> tuple[User, str]:
    """Add a user with a first token. Raises ValueError if the name is taken."""
    if has_control(name) or has_control(display_name):  # `dispatch users add` too
        raise ValueError("a name may not contain control characters")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise ValueError(f"user {name!r} exists already")
    user = User.model_validate({"name": name, "display_name": display_name, "role": role})
    session.add(user)
    session.flush()
    return user, issue_token(session, user, issued_by=issued_by)


def live_admins(session: Session) -> set[int]:
    """Ids of the active admins holding at least one live token."""
    rows = session.exec(
        select(User.id)
        .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .where(User.role == Role.ADMIN, User.active == True, ApiToken.revoked_at == None)  # noqa: E711, E712
    ).all()
    return {r for r in rows if r is not None}


def revoke_tokens(session: Session, user: User) -> int:
    """Revoke every live token of `user`; returns how many were revoked."""
    now = utcnow()
    tokens = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at == None)  # noqa: E711
    ).all()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    return len(tokens)


def _live() -> ColumnElement[bool]:
    """A token neither revoked nor expired (an SSH session's token ends by itself)."""
    return and_(
        col(ApiToken.revoked_at).is_(None),
        or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > utcnow()),
    )


class TokenOwner(NamedTuple):
    """Who a live token speaks for, read in one query (authentication is on every new
    token's first request, and writes wait for it)."""

    user: User
    issued_by: str | None
    """The login of the admin who issued it for them (None when they did not)."""
    via: str | None
    """The SSH key it was minted for (else None)."""
    technician_id: int | None
    """The user's technician record, if they have one."""


# Made once: an alias is a web of objects in reference cycles, which made one made per
# caller outlive the request until a full pass of the garbage collector.
_ISSUER = aliased(User, name="issuer")


def caller_for_token(session: Session, token: str) -> TokenOwner | None:
    """The active user a live token belongs to, and what else a caller needs; or None."""
    row = session.exec(
        select(User, _ISSUER.name, ApiToken.via, Technician.id)
        .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .outerjoin(_ISSUER, _ISSUER.id == ApiToken.issued_by)  # type: ignore[arg-type]
        .outerjoin(Technician, Technician.user_id == User.id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == hash_token(token), _live())
    ).first()
    if row is None or not row[0].active:
        return None
    return TokenOwner(*row)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a live token belongs to, else None."""
    row = session.exec(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == hash_token(token), _live())
    ).first()
    if row is None or not row.active:
        return None
    return row
