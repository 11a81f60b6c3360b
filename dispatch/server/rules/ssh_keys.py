"""People's SSH keys: adding one (a key is one person's only), listing, removing.

Removing a key also revokes the session tokens minted for it, so an open SSH session loses
the service at once and its process ends within a minute (`dispatch.ssh.session`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from dispatch.models.base import has_control, utcnow
from dispatch.models.ssh_key import SshKey, checked_key
from dispatch.models.user import ApiToken, User


class KeyTaken(ValueError):
    """The key belongs to someone already (to this user or another)."""


def add_key(session: Session, user: User, line: str) -> SshKey:
    """Store `line`'s public key for `user`. ValueError when it is no sound key, KeyTaken
    when the key is anyone's already."""
    if has_control(line):
        raise ValueError("a key may not contain control characters")
    key = checked_key(line)
    owner = session.exec(
        select(User.name)
        .join(SshKey, col(SshKey.user_id) == col(User.id))
        .where(SshKey.fingerprint == key.fingerprint)
    ).first()
    if owner is not None:
        whose = "this user's" if owner == user.name else "another user's"
        raise KeyTaken(f"the key {key.fingerprint} is {whose} already")
    assert user.id is not None
    row = SshKey(
        user_id=user.id, public_key=key.text, comment=key.comment, fingerprint=key.fingerprint
    )
    session.add(row)
    session.flush()
    return row


def keys_of(session: Session, user_id: int) -> Sequence[SshKey]:
    return session.exec(
        select(SshKey).where(SshKey.user_id == user_id).order_by(col(SshKey.id))
    ).all()


def find_key(session: Session, user_id: int, which: str) -> SshKey | None:
    """A key of the user named by its id, its fingerprint, or its comment (when only one
    of the user's keys has that comment)."""
    keys = keys_of(session, user_id)
    exact = [k for k in keys if which in (str(k.id), k.fingerprint)]
    if exact:
        return exact[0]
    by_comment = [k for k in keys if k.comment and k.comment == which]
    return by_comment[0] if len(by_comment) == 1 else None


def revoke_sessions(session: Session, fingerprints: Sequence[str]) -> int:
    """Revoke the live session tokens minted for these keys; returns how many."""
    if not fingerprints:
        return 0
    now = utcnow()
    tokens = session.exec(
        select(ApiToken).where(
            col(ApiToken.via).in_(fingerprints), col(ApiToken.revoked_at).is_(None)
        )
    ).all()
    for token in tokens:
        token.revoked_at = now
        session.add(token)
    return len(tokens)


def remove_key(session: Session, key: SshKey) -> None:
    """Delete the key and end its sessions."""
    revoke_sessions(session, [key.fingerprint])
    session.delete(key)
    session.flush()


def remove_all(session: Session, user: User) -> int:
    """Delete every key of `user` (their access is revoked); returns how many."""
    assert user.id is not None
    keys = list(keys_of(session, user.id))
    for key in keys:
        session.delete(key)
    session.flush()
    return len(keys)
