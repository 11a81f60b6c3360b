"""`dispatch ssh`: people's SSH keys, sshd's key lookup, the forced session, the sshd block.

`keys add|list|remove` work on DATABASE_URL like `dispatch users`. `authorized-keys` and
`session` are what sshd runs (see `dispatch ssh setup`); `--config` names the config file
both read (the service account's own config.toml when not given).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import fail
from dispatch.display import clock
from dispatch.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from dispatch.models.user import User

app = DispatchTyper(help=_("Technicians over SSH: keys, sshd's key lookup, the forced session."))
keys = DispatchTyper(help=_("People's SSH public keys."))
app.add_typer(keys, name="keys")


@app.callback(
    help=_(
        "Technicians log in to one service account with their own key; see `dispatch ssh setup`."
    )
)
def ssh_callback(
    config: Annotated[
        Path | None,
        typer.Option("--config", help=_("the config file to read (default: the user's)")),
    ] = None,
) -> None:
    """Technicians log in to one service account with their own key; see `dispatch ssh setup`."""
    if config is not None:
        os.environ["DISPATCH_CONFIG"] = str(config.resolve())


def _engine() -> Engine:
    from dispatch.cli.common import load_settings
    from dispatch.server.persistence.db import make_engine

    return make_engine(load_settings().database_url)


@keys.command(
    "add",
    help=_("Give a person a public key to log in with; a key that is anyone's already is refused."),
)
def keys_add(
    user: Annotated[str, typer.Argument(help=_("login name"))],
    key: Annotated[str, typer.Argument(help=_("'ssh-ed25519 AAAA… comment' (a .pub file's line)"))],
) -> None:
    """Give a person a public key to log in with; a key that is anyone's already is refused."""
    from sqlmodel import Session

    from dispatch.server.rules.ssh_keys import add_key

    with Session(_engine()) as session:
        person = _person(session, user)
        try:
            row = add_key(session, person, key)
        except ValueError as exc:
            fail(str(exc))
            return
        session.commit()
        typer.echo(
            _("key {fingerprint} ({kind}) added for {user}").format(
                fingerprint=row.fingerprint, kind=row.public_key.split()[0], user=user
            )
        )


@keys.command(
    "list", help=_("Every key with its owner, fingerprint, type, comment and when it was added.")
)
def keys_list(
    user: Annotated[str | None, typer.Argument(help=_("login name (default: everyone)"))] = None,
) -> None:
    """Every key with its owner, fingerprint, type, comment and when it was added."""
    from sqlmodel import Session, col, select

    from dispatch.display.safe import one_line
    from dispatch.models.ssh_key import SshKey
    from dispatch.models.user import User

    with Session(_engine()) as session:
        query = select(SshKey, User.name).join(User, col(User.id) == col(SshKey.user_id))
        if user is not None:
            query = query.where(User.id == _person(session, user).id)
        rows = session.exec(query.order_by(col(User.name), col(SshKey.id))).all()
    for key, name in rows:
        kind = key.public_key.split()[0]
        typer.echo(
            f"{key.id:>4}  {name:<16} {key.fingerprint}  {kind:<20} "
            f"{clock.day(key.created_at)}  {one_line(key.comment)}"
        )


@keys.command(
    "remove",
    help=_(
        "Take a key away: the next login with it is refused, open sessions end within a minute."
    ),
)
def keys_remove(
    user: Annotated[str, typer.Argument(help=_("login name"))],
    key: Annotated[str, typer.Argument(help=_("the key's id, fingerprint or comment"))],
) -> None:
    """Take a key away: the next login with it is refused, open sessions end within a minute."""
    from sqlmodel import Session

    from dispatch.server.rules.ssh_keys import find_key, remove_key

    with Session(_engine()) as session:
        person = _person(session, user)
        assert person.id is not None
        row = find_key(session, person.id, key)
        if row is None:
            fail(
                _("{user} has no key {key!r} (see `dispatch ssh keys list {user}`)").format(
                    user=user, key=key
                )
            )
            return
        remove_key(session, row)
        session.commit()
    typer.echo(
        _("key {fingerprint} of {user} removed").format(fingerprint=row.fingerprint, user=user)
    )


def _person(session: Session, name: str) -> User:
    from sqlmodel import select

    from dispatch.models.user import User

    found = session.exec(select(User).where(User.name == name)).first()
    if found is None:
        fail(_("there is no user {name!r}").format(name=name))
        raise AssertionError("unreachable")
    return found


@app.command(
    "authorized-keys",
    help=_("sshd's AuthorizedKeysCommand: the forced-command line for a known key, else nothing."),
)
def authorized_keys(
    user: Annotated[str, typer.Argument(help=_("%u: the account sshd logs in to"))],
    key_type: Annotated[str, typer.Argument(help=_("%t: the offered key's type"))],
    key: Annotated[str, typer.Argument(help=_("%k: the offered key, base64"))],
) -> None:
    """sshd's AuthorizedKeysCommand: the forced-command line for a known key, else nothing."""
    from dispatch.ssh.entry import authorized_keys_main

    raise typer.Exit(authorized_keys_main([user, key_type, key]))


@app.command(
    "session", help=_("The forced command of every SSH login (sshd runs it; people do not).")
)
def session(
    key: Annotated[str, typer.Option("--key", help=_("the fingerprint the key line names"))],
) -> None:
    """The forced command of every SSH login (sshd runs it; people do not)."""
    from dispatch.ssh.entry import session_main

    raise typer.Exit(session_main(key))


@app.command("setup", help=_("Print the sshd_config block for this machine (paths filled in)."))
def setup() -> None:
    """Print the sshd_config block for this machine (paths filled in)."""
    from dispatch.ssh import config
    from dispatch.ssh.setup import sshd_block

    try:
        cfg = config.load()
    except ValueError as exc:
        fail(str(exc))
        return
    given = cfg.path if os.environ.get(config.CONFIG_ENV) else None
    sys.stdout.write(sshd_block(cfg, given))
