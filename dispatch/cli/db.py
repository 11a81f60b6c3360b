"""`dispatch db`: the schema of the configured database, and the move to another one."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.common import fail, load_settings, safe_url

app = typer.Typer(help="Database schema.")


@app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema of the configured database."""
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema

    settings = load_settings()
    create_schema(make_engine(settings.database_url))
    from dispatch.server.persistence.migrate import head

    typer.echo(f"schema is at revision {head()} in {safe_url(settings.database_url)}")


@app.command("copy")
def db_copy(
    from_url: Annotated[str, typer.Option("--from", help="database to copy, e.g. sqlite:///...")],
    to_url: Annotated[
        str, typer.Option("--to", help="empty target, e.g. postgresql+psycopg://...")
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
        typer.echo(f"  {table:<20} {rows:>8} rows")
    typer.echo(f"copied {safe_url(from_url)} to {safe_url(to_url)}")
