"""What every `dispatch` subcommand shares: its settings, its one way to fail, and the
--server/--token/--json options of the commands that talk to a service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dispatch.i18n import _
from dispatch.settings import Settings

ServerOpt = Annotated[
    str | None,
    typer.Option(
        "--server",
        help=_("URL of a running service, e.g. https://dispatch.example"),
        envvar="DISPATCH_SERVER",
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        help=_("bearer token (seen in `ps`: prefer DISPATCH_TOKEN_FILE or config.toml)"),
        envvar="DISPATCH_TOKEN",
    ),
]
InsecureOpt = Annotated[
    bool,
    typer.Option(
        "--insecure",
        help=_(
            "send the token over plain http:// to another host, on a network you trust "
            "(also DISPATCH_INSECURE=1); https:// is verified regardless"
        ),
    ),
]
CaFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--ca-file",
        help=_(
            "verify https:// against the CAs in this PEM file instead of the system's "
            "(also DISPATCH_CA_FILE)"
        ),
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("print JSON for scripts"))]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help=_("language: de or en (also DISPATCH_LANGUAGE, language in config.toml, else LANG)"),
    ),
]


def load_settings(**overrides: Any) -> Settings:
    """The settings every command builds, here: a bad one is a line each and exit 2, in the
    light start's words (`setting_problems`), before anything is opened or written."""
    from dispatch.setting_problems import refusal
    from dispatch.settings import BadSettings, build

    try:
        settings = build(**{k: v for k, v in overrides.items() if v is not None})
    except BadSettings as bad:
        for each in refusal(bad):
            typer.secho(each, err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from None
    from dispatch.display.clock import set_zone

    set_zone(settings.timezone)  # every time printed is in the provider's zone
    return settings


def client_settings(**overrides: Any) -> Settings:
    """Settings of a client of a service: with the token from the token file when it is the
    token's only source beside config.toml (--token and DISPATCH_TOKEN come first; a token
    file set anywhere comes before a token written in config.toml)."""
    from dispatch.private_files import TokenFileError, token_from_file

    settings = load_settings(**overrides)
    try:
        token = token_from_file(settings.token_file, overrides.get("token"))
    except TokenFileError as exc:
        fail(str(exc), 2)
    if token is not None:
        settings = settings.model_copy(update={"token": token})
    return settings


def fail(message: str, code: int = 1) -> None:
    typer.secho(_("error: {message}").format(message=message), err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def safe_url(url: str) -> str:
    """A database URL fit to print: the password masked."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
