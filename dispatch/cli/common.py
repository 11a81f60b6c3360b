"""What every `dispatch` subcommand shares: its settings, its one way to fail, and the
--server/--token/--json options of the commands that talk to a service."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dispatch.settings import Settings

ServerOpt = Annotated[
    str | None, typer.Option("--server", help="URL of a running service", envvar="DISPATCH_SERVER")
]
TokenOpt = Annotated[
    str | None, typer.Option("--token", help="bearer token", envvar="DISPATCH_TOKEN")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


def load_settings(**overrides: Any) -> Settings:
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    from dispatch.display.clock import set_zone

    set_zone(settings.timezone)  # every time printed is in the provider's zone
    return settings


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def safe_url(url: str) -> str:
    """A database URL fit to print: the password masked."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
