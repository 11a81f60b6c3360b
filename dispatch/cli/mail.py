"""`dispatch mail`: the support mailbox. `intake` reads one message from stdin, as an MTA
pipe delivers it (exit 0 taken or a duplicate, 75 EX_TEMPFAIL when the database is out so
the MTA keeps the message and retries)."""

from __future__ import annotations

import sys

import typer

from dispatch.cli import mail_fetch
from dispatch.cli.common import load_settings

app = typer.Typer(help="The support mailbox: take mail in.")

EX_TEMPFAIL = 75


@app.command("intake")
def intake() -> None:
    """Take the message on stdin in (a ticket, a reply comment, unmatched or ignored)."""
    from dispatch.server.mail.intake import IntakeUnavailable, take_in
    from dispatch.server.persistence.db import make_engine

    settings = load_settings()
    raw = sys.stdin.buffer.read()
    try:
        result = take_in(make_engine(settings.database_url), raw, settings=settings)
    except IntakeUnavailable as exc:
        typer.secho(f"error: {exc}; try again later", err=True, fg=typer.colors.RED)
        raise typer.Exit(EX_TEMPFAIL) from None
    typer.echo(describe(result))


def describe(result: object) -> str:
    return str(result)


# IMAP: one pass over the support mailbox (its own module: settings, connection, exit codes)
app.command("fetch")(mail_fetch.fetch)
