"""--server and --token typed before the subcommand: handed down to the commands that talk
to a service, refused with a message by the ones that work on DATABASE_URL."""

from __future__ import annotations

import os

import typer

from dispatch.cli.common import fail
from dispatch.console_start import TYPED_TOKEN as TYPED_TOKEN
from dispatch.i18n import _, ngettext

ENVVARS = {"server": "DISPATCH_SERVER", "token": "DISPATCH_TOKEN"}
"""Options whose typer option reads a variable; --insecure and --ca-file read none (Settings
reads DISPATCH_INSECURE and DISPATCH_CA_FILE), so any value of theirs here was typed."""
TAKES_SERVER = {"tickets", "technicians", "reports"}
"""Subcommands that talk to a service; the others work on DATABASE_URL (or a demo file)."""
_top_level: dict[str, str] = {}
"""--server/--token/--ca-file as typed before the subcommand (set by the callback on every run);
"insecure" is there, as "yes", when --insecure was."""


def _typed(name: str, value: str | None) -> bool:
    """Whether an option's value came from the command line rather than its variable (the
    same value from both is the same answer either way)."""
    return value is not None and (name not in ENVVARS or value != os.environ.get(ENVVARS[name]))


def hand_down(ctx: typer.Context, **options: str | None) -> None:
    """Options given before the subcommand apply to it, or are refused with a message.

    A group's options belong to the group only: `dispatch --server URL tickets show N`
    used to ignore the URL and open the local database, which had no such ticket. Only what
    was typed counts here; DISPATCH_SERVER and DISPATCH_TOKEN reach the subcommands anyway.
    """
    typed = {name: value for name, value in options.items() if value and _typed(name, value)}
    _top_level.clear()
    if typed and ctx.invoked_subcommand not in TAKES_SERVER:
        flags = "/".join(f"--{name}" for name in typed)
        fail(
            ngettext(
                "{flags} does not apply to `dispatch {command}`, which works on the database "
                "in DATABASE_URL (only the console and `dispatch tickets` talk to a service)",
                "{flags} do not apply to `dispatch {command}`, which works on the database "
                "in DATABASE_URL (only the console and `dispatch tickets` talk to a service)",
                len(typed),
            ).format(flags=flags, command=ctx.invoked_subcommand),
            2,
        )
    _top_level.update(typed)


def given(server: str | None, token: str | None) -> tuple[str | None, str | None]:
    """The subcommand's --server/--token, with what was typed before it filling the gaps.

    Typed on the command line beats the environment wherever it stands; the same option
    typed twice with two values is refused rather than one of them picked.
    """
    out: dict[str, str | None] = {"server": server, "token": token}
    for name, value in _top_level.items():
        if name not in out:
            continue
        if not _typed(name, out[name]):
            out[name] = value
        elif out[name] != value:
            fail(
                _("--{option} given twice, before and after the command, with two values").format(
                    option=name
                ),
                2,
            )
    return out["server"], out["token"]


def transport_options() -> dict[str, object]:
    """--insecure and --ca-file as typed before the subcommand, as Settings overrides (only
    the top level has them: they say how to reach a server, not what to do there)."""
    options: dict[str, object] = {}
    if "insecure" in _top_level:
        options["insecure"] = True
    if "ca_file" in _top_level:
        options["ca_file"] = _top_level["ca_file"]
    return options


def warn_typed_token(token: str | None) -> None:
    """One line on stderr when --token was typed on this command line (before or after the
    subcommand), where `ps` shows it to every account for as long as the command runs."""
    if _typed("token", token) or "token" in _top_level:
        typer.echo(_(TYPED_TOKEN), err=True)
