"""`dispatch db`: the schema of the configured database, and the move to another one."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import fail, load_settings, safe_url
from dispatch.i18n import _

app = DispatchTyper(help=_("Database schema."))


@app.command("upgrade", help=_("Create or migrate the schema of the configured database."))
def db_upgrade() -> None:
    """Create or migrate the schema of the configured database."""
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema

    settings = load_settings()
    create_schema(make_engine(settings.database_url))
    from dispatch.server.persistence.migrate import head

    typer.echo(
        _("schema is at revision {revision} in {url}").format(
            revision=head(), url=safe_url(settings.database_url)
        )
    )


@app.command(
    "copy",
    help=_("Copy every row (ids kept) into an empty database: the move from SQLite to PostgreSQL."),
)
def db_copy(
    from_url: Annotated[
        str, typer.Option("--from", help=_("database to copy, e.g. sqlite:///..."))
    ],
    to_url: Annotated[
        str, typer.Option("--to", help=_("empty target, e.g. postgresql+psycopg://..."))
    ],
) -> None:
    """Copy every row (ids kept) into an empty database: the move from SQLite to PostgreSQL."""
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.dbcopy import TargetNotEmptyError, copy_database

    try:
        counts = copy_database(make_engine(from_url), make_engine(to_url))
    except TargetNotEmptyError as exc:
        fail(str(exc))
        return
    for table, rows in counts.items():
        typer.echo("  " + _("{table:<20} {rows:>8} rows").format(table=table, rows=rows))
    typer.echo(
        _("copied {source} to {target}").format(source=safe_url(from_url), target=safe_url(to_url))
    )
