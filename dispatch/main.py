"""The `dispatch` command's entry point: sshd's two calls at once, everything else to Typer.

sshd runs `dispatch ssh authorized-keys` at every login attempt and `dispatch ssh session`
at every login; loading Typer, pydantic and every command group first would cost more
than the lookup itself.
"""

from __future__ import annotations

import sys


def main() -> None:
    from dispatch.ssh.entry import fast

    code = fast(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from dispatch.cli import main as cli

    cli()
