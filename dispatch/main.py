"""The `dispatch` command's entry point: sshd's two calls at once, everything else to Typer.

sshd runs `dispatch ssh authorized-keys` at every login attempt and `dispatch ssh session`
at every login; loading Typer, pydantic and every command group first would cost more
than the lookup itself.

The language is chosen next (`--lang`, the settings, the locale), before the command modules
are imported: their help texts are translated as they are imported. Then a command line that
only opens the console opens it without Typer and pydantic (`console_start`); the rest goes to
the full CLI.
"""

from __future__ import annotations

import sys


def main() -> None:
    from dispatch.startup_trace import mark

    mark("main")
    from dispatch.ssh.entry import fast

    code = fast(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from dispatch.i18n import LanguageError
    from dispatch.i18n_choice import adopt, choose

    try:
        adopt(choose(sys.argv[1:]))
    except LanguageError:
        sys.exit(_refuse_language())
    from dispatch.console_start import open_fast

    code = open_fast(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from dispatch.cli import main as cli

    cli()


def _refuse_language() -> int:
    """A language asked for that dispatch does not speak: refused in the locale's (the choice
    is made again in it, since its words are translated as they are made)."""
    import os

    from dispatch.i18n import DEFAULT, LanguageError, _, set_language
    from dispatch.i18n_choice import choose, from_environment

    set_language(from_environment(os.environ) or DEFAULT)
    try:
        choose(sys.argv[1:])
    except LanguageError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
    return 2
