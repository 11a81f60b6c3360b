"""`dispatch ssh setup`: the sshd_config block for this machine, paths filled in."""

from __future__ import annotations

import shlex
from pathlib import Path

from dispatch.ssh.authorized import program
from dispatch.ssh.config import GateConfig

BLOCK = """\
# dispatch: technicians log in as `{user}` with their own key (`dispatch ssh keys add`).
# Outside any Match block (sshd's defaults; keep them so): PermitUserEnvironment no, and
# no AcceptEnv naming DISPATCH_* or *.
# {program} and every directory above it must be owned by root and writable by no one
# else (sshd checks this for an AuthorizedKeysCommand).
Match User {user}
    AuthorizedKeysFile none
    AuthorizedKeysCommand {command} authorized-keys %u %t %k
    AuthorizedKeysCommandUser {user}
    AuthenticationMethods publickey
    PubkeyAuthentication yes
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    PermitTTY yes
    DisableForwarding yes
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    AllowAgentForwarding no
    X11Forwarding no
    PermitTunnel no
    PermitUserRC no
    ClientAliveInterval 30
    ClientAliveCountMax 4
"""


def sshd_block(cfg: GateConfig, config: Path | None) -> str:
    """The block; `config` is named in the command when the gateway reads a config of its
    own (`dispatch ssh --config FILE setup`)."""
    words = [program(), "ssh"] + (["--config", str(config)] if config is not None else [])
    return BLOCK.format(user=cfg.ssh_user, program=program(), command=shlex.join(words))
