"""`dispatch users`: add a user (its token printed once) and revoke a user's tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import fail, load_settings
from dispatch.i18n import _

app = DispatchTyper(help=_("Users and their tokens."))


@app.command("add", help=_("Create a user and print its token once."))
def users_add(
    name: Annotated[str, typer.Argument(help=_("login name (a-z, 0-9, . _ -)"))],
    role: Annotated[
        str, typer.Option(help=_("technician, dispatcher, team_lead, admin or back_office"))
    ],
    display_name: Annotated[str | None, typer.Option(help=_("full name"))] = None,
) -> None:
    """Create a user and print its token once."""
    from pydantic import ValidationError
    from sqlmodel import Session

    from dispatch.domain.types import Role
    from dispatch.server.persistence.db import WRITE, make_engine
    from dispatch.server.persistence.schema import create_schema
    from dispatch.server.rules.accounts import create_user

    try:
        role_value = Role(role)
    except ValueError:
        fail(_("role must be one of: {roles}").format(roles=", ".join(r.value for r in Role)))
        return
    engine = make_engine(load_settings().database_url)
    create_schema(engine)
    # A write session (BEGIN IMMEDIATE, waiting its turn): a deferred one that read first
    # failed at once with "database is locked" when the service committed in between.
    with Session(engine.execution_options(**{WRITE: True})) as session:
        try:
            _user, token = create_user(session, name, display_name or name, role_value)
        except (ValueError, ValidationError) as exc:
            fail(str(exc).splitlines()[0] if isinstance(exc, ValueError) else _("invalid name"))
            return
        session.commit()
    typer.echo(
        _("user {name} ({role}) created. Token, shown only now:").format(
            name=name, role=role_value.value
        )
    )
    typer.echo(token)


@app.command(
    "revoke",
    help=_("Revoke every token of a user and remove their SSH keys (open sessions end)."),
)
def users_revoke(name: Annotated[str, typer.Argument(help=_("login name"))]) -> None:
    """Revoke every token of a user and remove their SSH keys (open sessions end)."""
    from sqlmodel import Session, select

    from dispatch.models.user import User
    from dispatch.server.persistence.db import WRITE, make_engine
    from dispatch.server.rules.accounts import revoke_tokens
    from dispatch.server.rules.ssh_keys import remove_all

    engine = make_engine(load_settings().database_url).execution_options(**{WRITE: True})
    with Session(engine) as session:  # a write session, as `users add` says why
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            fail(_("there is no user {name!r}").format(name=name))
            return
        count = revoke_tokens(session, user)
        keys = remove_all(session, user)
        session.commit()
    typer.echo(
        _("revoked {count} token(s) and removed {keys} SSH key(s) of {name}").format(
            count=count, keys=keys, name=name
        )
    )
