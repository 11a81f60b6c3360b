"""`dispatch demo` (the console on a throw-away demo database) and `dispatch seed-demo` (the
demo data in the configured database)."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.common import fail, load_settings, safe_url
from dispatch.i18n import _


def demo(
    as_user: Annotated[
        str,
        typer.Option(
            "--as",
            help=_(
                "demo user to log in as (e.g. tom.lehmann, team lead; marco.wagner, technician)"
            ),
        ),
    ] = "anna.becker",
    tickets: Annotated[int, typer.Option(help=_("how many demo tickets"))] = 300,
    seed: Annotated[int, typer.Option(help=_("random seed of the demo data"))] = 7,
) -> None:
    """Open the console on a fresh embedded database filled with demo data."""
    from dispatch.console import open_demo

    load_settings()  # the demo's service reads the rest of them: a bad one is refused first
    open_demo(as_user=as_user, tickets=tickets, seed=seed)


def seed_demo_cmd(
    tickets: Annotated[int, typer.Option(help=_("how many demo tickets"))] = 300,
    seed: Annotated[int, typer.Option(help=_("random seed of the demo data"))] = 7,
) -> None:
    """Load the demo data into the configured database and print the demo users' tokens."""
    from sqlmodel import Session, select

    from dispatch.demo import DemoSize, seed_demo
    from dispatch.demo.users import roles, user_lines
    from dispatch.models import Ticket
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema

    settings = load_settings()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    with Session(engine) as session:
        if session.exec(select(Ticket.id).limit(1)).first() is not None:
            fail(_("this database has tickets already; seed-demo only fills an empty one"))
        logins = seed_demo(session, seed=seed, size=DemoSize(tickets=tickets))
        session.commit()
        who = roles(session)
    typer.echo(
        _("demo data loaded into {url}; tokens (shown once):").format(
            url=safe_url(settings.database_url)
        )
    )
    for line in user_lines(logins.tokens, who):
        typer.echo(line)
