"""`dispatch ssh authorized-keys USER TYPE KEY`: sshd's AuthorizedKeysCommand.

Prints one `authorized_keys` line for a key that belongs to an active person, nothing for
any other key or account. The line forces the session command with the key's fingerprint
and takes away everything else (`restrict`: no port, agent or X11 forwarding, no
~/.ssh/rc) but the terminal (`pty`). One indexed lookup by fingerprint, no network.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from dispatch.domain.ssh_keys import decode_blob, fingerprint
from dispatch.ssh.config import CONFIG_ENV, GateConfig
from dispatch.ssh.lean_db import LeanDb

OWNER = """SELECT k.public_key FROM ssh_key k JOIN "user" u ON u.id = k.user_id
           WHERE k.fingerprint = ? AND u.active"""


def program() -> str:
    """The absolute path of the `dispatch` command this runs as."""
    # sys.argv[0] is the console script sshd ran; under a test runner's worker it is `-c`,
    # so the script beside this interpreter (the same installation) is the fallback.
    given = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if given is not None and given.name.startswith("dispatch") and given.exists():
        return str(given.resolve())
    beside = Path(sys.executable).parent / "dispatch"
    return str(beside) if beside.exists() else "dispatch"


def forced_command(fp: str, config: Path | None = None) -> str:
    """The command the key line forces; the config file is named when one was given, so
    the session reads the settings this lookup read."""
    words = [program(), "ssh"]
    if config is not None:
        words += ["--config", str(config)]
    words += ["session", "--key", fp]
    command = shlex.join(words)
    if '"' in command or "\\" in command:
        raise ValueError("the path of dispatch or of its config holds a quote or backslash")
    return command


def answer(cfg: GateConfig, user: str, key_type: str, key: str) -> str:
    """The `authorized_keys` line for this login, or "" when it is not one of ours."""
    if user != cfg.ssh_user:
        return ""
    try:
        fp = fingerprint(decode_blob(key_type, key))
    except ValueError:
        return ""
    with LeanDb(cfg.database_url) as db:
        row = db.one(OWNER, fp)
    if row is None or row[0] != f"{key_type} {key}":
        return ""
    config = cfg.path if os.environ.get(CONFIG_ENV) else None
    return f'restrict,pty,command="{forced_command(fp, config)}" {key_type} {key}\n'
