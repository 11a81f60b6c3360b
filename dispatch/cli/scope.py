"""--server and --token typed before the subcommand: handed down to the commands that talk
to a service, refused with a message by the ones that work on DATABASE_URL."""

from __future__ import annotations

import os

import typer

from dispatch.cli.common import fail

ENVVARS = {"server": "DISPATCH_SERVER", "token": "DISPATCH_TOKEN"}
TAKES_SERVER = {"tickets", "technicians"}
"""Subcommands that talk to a service; the others work on DATABASE_URL (or a demo file)."""
_top_level: dict[str, str] = {}
"""--server/--token as typed before the subcommand (set by the callback on every run)."""


def _typed(name: str, value: str | None) -> bool:
    """Whether an option's value came from the command line rather than its variable (the
    same value from both is the same answer either way)."""
    return value is not None and value != os.environ.get(ENVVARS[name])


def hand_down(ctx: typer.Context, **options: str | None) -> None:
    """Options given before the subcommand apply to it, or are refused with a message.

    A group's options belong to the group only: `dispatch --server URL tickets show N`
    used to ignore the URL and open the local database, which had no such ticket. Only what
    was typed counts here; DISPATCH_SERVER and DISPATCH_TOKEN reach the subcommands anyway.
    """
    typed = {name: value for name, value in options.items() if value and _typed(name, value)}
    _top_level.clear()
    if typed and ctx.invoked_subcommand not in TAKES_SERVER:
        flags = " and ".join(f"--{name}" for name in typed)
        fail(
            f"{flags} {'do' if len(typed) > 1 else 'does'} not apply to "
            f"`dispatch {ctx.invoked_subcommand}`, which works on the database in DATABASE_URL "
            "(only the console and `dispatch tickets` talk to a service)",
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
        if not _typed(name, out[name]):
            out[name] = value
        elif out[name] != value:
            fail(f"--{name} given twice, before and after the command, with two values", 2)
    return out["server"], out["token"]
