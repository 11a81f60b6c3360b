"""`dispatch mail`: the support mailbox. `intake` reads one message from stdin, as an MTA
pipe delivers it (exit 0 taken or a duplicate, 75 EX_TEMPFAIL when the database is out so
the MTA keeps the message and retries). `fetch` takes every new message of the IMAP mailbox
once (`mail_fetch`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from dispatch.cli import mail_fetch
from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import load_settings
from dispatch.i18n import N_, _

if TYPE_CHECKING:
    from dispatch.server.mail.intake import IntakeResult

app = DispatchTyper(help=_("The support mailbox: take mail in."))

EX_TEMPFAIL = 75
OUTCOMES = {
    "ticket": N_("ticket #{number}"),
    "reply": N_("a comment on ticket #{number}"),
    "unmatched": N_("unmatched mail ({reason})"),
    "ignored": N_("ignored ({reason})"),
}


@app.command(
    "intake",
    help=_(
        "Take the message on stdin in (a ticket, a reply comment, unmatched or ignored). "
        "Exit status as an MTA pipe expects: 0 when taken (or taken before: nothing changes), "
        "75 (EX_TEMPFAIL) when the database cannot take it now, so the MTA retries later."
    ),
)
def intake() -> None:
    """Take the message on stdin in (a ticket, a reply comment, unmatched or ignored).

    Exit status as an MTA pipe expects: 0 when taken (or taken before: nothing changes),
    75 (EX_TEMPFAIL) when the database cannot take it now, so the MTA retries later."""
    from dispatch.server.mail.intake import IntakeUnavailable, take_in
    from dispatch.server.persistence.db import make_engine

    settings = load_settings()
    raw = sys.stdin.buffer.read()
    try:
        result = take_in(make_engine(settings.database_url), raw, settings=settings)
    except IntakeUnavailable as exc:
        typer.secho(
            _("error: {problem}; try again later").format(problem=exc),
            err=True,
            fg=typer.colors.RED,
        )
        raise typer.Exit(EX_TEMPFAIL) from None
    typer.echo(describe(result))


def describe(result: IntakeResult) -> str:
    """One line for the MTA's log: what the message became."""
    what = _(OUTCOMES[result.outcome]).format(number=result.ticket_number, reason=result.reason)
    if result.duplicate:
        return _("{message}: taken before as {what}; nothing changed").format(
            message=result.message_key, what=what
        )
    return f"{result.message_key}: {what}"


@app.command(
    "fetch",
    help=_("Take every message of the mailbox not yet taken (tickets, replies, unmatched)."),
)
def fetch() -> None:
    """Take every message of the mailbox not yet taken (tickets, replies, unmatched)."""
    mail_fetch.fetch(describe)
