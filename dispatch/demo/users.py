"""Who is who among the demo users: the lists `dispatch demo` and `seed-demo` print.

A first-time user picks a login from these lists; the role beside each name says which one
is the team lead and which ones are technicians, in the words of `display.labels.ROLE`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, select

from dispatch.display.labels import ROLE, word
from dispatch.display.safe import one_line
from dispatch.models.user import User


def roles(session: Session) -> dict[str, str]:
    """Login name -> the role's word, for every user in the database."""
    rows = session.exec(select(User.name, User.role)).all()
    return {name: word(ROLE, role) for name, role in rows}


def user_lines(users: Mapping[str, str], roles: Mapping[str, str]) -> list[str]:
    """One line per user, `  name  role  <users[name]>` (a token, or nothing), aligned."""
    width = max((len(one_line(n)) for n in users), default=0)
    role_width = max((len(roles.get(n, "-")) for n in users), default=0)
    return [
        f"  {one_line(name):<{width}}  {roles.get(name, '-'):<{role_width}}  {extra}".rstrip()
        for name, extra in users.items()
    ]
