"""`dispatch [--server URL] [--token T] [--insecure] [--ca-file F] [--lang X]`: the console,
opened without Typer and pydantic.

Typer with every command group and pydantic-settings cost the console about 0.3-0.4 s of
CPU before its first row (bench/RESULTS.md) for a command line of four options. This reads
those options and the console's settings (`console_settings.load`) and opens the console;
a command line or a setting it does not know goes to the full CLI, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from dispatch.i18n import N_, _

VALUED = {"--server": "server", "--token": "token", "--ca-file": "ca_file", "--lang": "lang"}
TYPED_TOKEN = N_(
    "dispatch: warning: --token on the command line is shown to every account on this machine "
    "(ps) and stays in your shell history; use DISPATCH_TOKEN_FILE or config.toml (chmod 600)"
)


def options(argv: Sequence[str]) -> dict[str, Any] | None:
    """The top-level options of a command line that only opens the console; None for
    anything else (a subcommand, --help, an option given twice, a value like an option)."""
    out: dict[str, Any] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, typed = arg.partition("=")
        value: str | bool = typed
        if arg == "--insecure":
            key, value, i = "insecure", True, i + 1
        elif eq and name in VALUED:
            key, i = VALUED[name], i + 1
        elif arg in VALUED and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            key, value, i = VALUED[arg], argv[i + 1], i + 2
        else:
            return None
        if key in out:
            return None
        out[key] = value
    return out


def _refuse(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def open_fast(argv: Sequence[str]) -> int | None:
    """Open the console for `argv` when it only opens the console and every setting given
    is one the console reads; its exit status, or None for the full CLI."""
    from dispatch import console_settings
    from dispatch.setting_problems import BadSettings, refusal

    given = options(argv)
    if given is None:
        return None
    given.pop("lang", None)  # `dispatch.main` spoke it already
    problem: BadSettings | None = None
    try:
        settings = console_settings.load(**given)
    except BadSettings as exc:
        settings, problem = None, exc
    if settings is None and problem is None:
        return None
    if "token" in given:  # as the full CLI warns: before anything else is said
        print(_(TYPED_TOKEN), file=sys.stderr)
    if problem is not None:
        return _refuse("\n".join(refusal(problem)))
    assert settings is not None
    from dispatch.display.clock import set_zone

    set_zone(settings.timezone)  # every time printed is in the provider's zone
    from dispatch.private_files import TokenFileError, token_from_file

    try:
        token = token_from_file(settings.token_file, given.get("token"))
    except TokenFileError as exc:
        return _refuse(_("error: {message}").format(message=exc))
    if token is not None:
        settings = settings.with_token(token)
    from dispatch.console import open_console

    open_console(settings)
    return 0
