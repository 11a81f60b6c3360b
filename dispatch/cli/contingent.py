"""`dispatch contingent close`: credit the running month's lots and close every ended month
of every contingent contract, on the database in DATABASE_URL. The service does the same by
itself (at start, then hourly); this is for doing it now, or from a cron job of your own."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import fail, load_settings
from dispatch.i18n import _

app = DispatchTyper(help=_("The hour contingents: crediting lots and closing months."))


@app.command(
    "close",
    help=_(
        "Close every ended, unclosed month up to --month of every contingent contract, in"
        " order, and credit the running month. Closing twice changes nothing."
    ),
)
def close(
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help=_("YYYY-MM: the last month to close (it must have ended); default: last month"),
        ),
    ] = None,
) -> None:
    """Close every ended, unclosed month up to --month of every contingent contract, in
    order, and credit the running month. Closing twice changes nothing."""
    from sqlmodel import Session

    from dispatch.domain.contingent_lots import Month
    from dispatch.server.persistence.db import WRITE, make_engine
    from dispatch.server.rules.contingent_close import close_all

    until = None
    if month is not None:
        try:
            year, number = (int(part) for part in month.split("-"))
            until = Month(year, number)
        except ValueError:
            fail(_("--month: {month} is not a month like 2027-03").format(month=repr(month)), 2)
            return
    engine = make_engine(load_settings().database_url).execution_options(**{WRITE: True})
    with Session(engine, expire_on_commit=False) as session:
        try:
            result = close_all(session, until=until)
        except ValueError as exc:
            fail(_("--month: {problem}").format(problem=exc), 2)
            return
    typer.echo(_("contingent: {result}").format(result=result.describe()))
