"""The two commands sshd runs, callable without Typer or pydantic (see `dispatch.main`)."""

from __future__ import annotations

import os
import sys

from dispatch.domain.ssh_keys import FINGERPRINT


def authorized_keys_main(args: list[str]) -> int:
    """`dispatch ssh authorized-keys USER TYPE KEY`: sshd reads the line from stdout. A broken
    config or database prints nothing (sshd refuses the key) and one line to stderr (the log)."""
    from dispatch.ssh import authorized, config

    if len(args) != 3:
        print("usage: dispatch ssh authorized-keys USER KEYTYPE KEY", file=sys.stderr)
        return 2
    try:
        line = authorized.answer(config.load(), *args)
    except Exception as exc:  # sshd logs stderr; the key is simply refused
        print(f"dispatch ssh authorized-keys: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(line)
    return 0


def session_main(fingerprint: str) -> int:
    """`dispatch ssh session --key FP`, with SSH_ORIGINAL_COMMAND as the person's request."""
    from dispatch.ssh import config, session
    from dispatch.startup_trace import mark

    mark("session imported")
    if not FINGERPRINT.fullmatch(fingerprint):
        print("dispatch: --key takes a fingerprint SHA256:…", file=sys.stderr)
        return 2
    from dispatch.i18n import set_language
    from dispatch.i18n_choice import choose

    try:
        cfg = config.load()
        set_language(choose())  # the gateway's config file, then the locale sshd passed on
    except ValueError as exc:
        print(f"dispatch: {exc}", file=sys.stderr)
        return 1
    return session.run(cfg, fingerprint, os.environ.get("SSH_ORIGINAL_COMMAND"))


def fast(argv: list[str]) -> int | None:
    """Run `ssh [--config FILE] authorized-keys|session …` at once when argv is exactly that
    (sshd's calls); None for anything else, which goes to the full CLI."""
    if argv[:1] != ["ssh"]:
        return None
    rest = argv[1:]
    if rest[:1] == ["--config"] and len(rest) >= 2:
        os.environ["DISPATCH_CONFIG"] = os.path.abspath(rest[1])
        rest = rest[2:]
    if rest[:1] == ["authorized-keys"] and len(rest) == 4:
        return authorized_keys_main(rest[1:])
    if rest[:2] == ["session", "--key"] and len(rest) == 3:
        return session_main(rest[2])
    return None
