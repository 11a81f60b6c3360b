"""A real OpenSSH server on loopback for the gateway's end-to-end test, and what drives it.

The server runs from a temporary directory with its own host key, config and port; the
service account is the account the tests run as (root here: `Match User root`), since
creating a system user would change system files. sshd insists on its privilege separation
directory /run/sshd; when the machine has none, sshd runs in a mount namespace of its own
(`unshare -m`) with a private /run, so nothing outside the test changes.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SSHD = Path("/usr/sbin/sshd")
DISPATCH = Path(sys.executable).parent / "dispatch"
TOKENISH = re.compile(rb"[A-Za-z0-9_-]{43}")
"""What `secrets.token_urlsafe(32)` looks like: every session token has this form."""


def need(binary: str) -> str:
    """The path of `binary`; skip without it, fail when CI=true (CI installs it)."""
    found = shutil.which(binary) or (str(SSHD) if binary == "sshd" and SSHD.exists() else None)
    if found is None:
        reason = f"{binary} is not installed (Debian: openssh-server, openssh-client, tmux)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keygen(path: Path, comment: str) -> str:
    """A new ed25519 key pair at `path`; returns the public key's line."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )
    return Path(f"{path}.pub").read_text().strip()


def dispatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DISPATCH), *args], capture_output=True, text=True, env=env, timeout=60
    )


class Sshd:
    def __init__(self, root: Path, gateway_config: Path) -> None:
        self.root = root
        self.port = free_port()
        self.log = root / "sshd.log"
        self.account = getpass.getuser()
        self.host_key = root / "host_ed25519"
        keygen(self.host_key, "host")
        setup = dispatch("ssh", "--config", str(gateway_config), "setup")
        assert setup.returncode == 0, setup.stderr
        self.config = root / "sshd_config"
        self.config.write_text(
            f"ListenAddress 127.0.0.1\nPidFile {root / 'sshd.pid'}\nUsePAM no\n"
            "LogLevel VERBOSE\nPermitRootLogin forced-commands-only\n" + setup.stdout
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(SSHD), "-D", "-e", "-f", str(self.config), "-p", str(self.port)]
        command += ["-h", str(self.host_key)]
        if not Path("/run/sshd").is_dir():
            script = 'mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && exec "$@"'
            command = ["unshare", "-m", "sh", "-c", script, "sh", *command]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"sshd did not start: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(16).startswith(b"SSH-"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, "sshd did not answer"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def ssh(self, key: Path, *extra: str) -> list[str]:
        """The ssh client's argv for logging in with `key` (no agent, no user config)."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(key),
            "-p",
            str(self.port),
            "-o",
            f"UserKnownHostsFile={self.root / 'known_hosts'}",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            *extra,
            f"{self.account}@127.0.0.1",
        ]

    def run(self, key: Path, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.ssh(key, *command[:-1]) + list(command[-1:]),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )


class Tmux:
    """A tmux server of the test's own (its own socket), 80x24 windows."""

    def __init__(self, name: str) -> None:
        self.socket = f"dispatch-ssh-{name}-{os.getpid()}"

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return done.stdout

    def open(self, window: str, argv: list[str]) -> None:
        # TERM as a plain xterm gives it (16 colours); the pane outlives ssh to show its end
        inner = "env TERM=xterm " + " ".join(argv) + '; echo "ssh-exit=$?"; sleep 600'
        self._tmux("new-session", "-d", "-s", window, "-x", "80", "-y", "24", inner)

    def screen(self, window: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", window)

    def wait_for(self, window: str, *texts: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while True:
            shown = self.screen(window)
            if all(t in shown for t in texts):
                return shown
            if time.monotonic() > deadline:
                pytest.fail(f"{window} never showed {texts}; it shows:\n{shown}")
            time.sleep(0.25)

    def kill(self, window: str) -> None:
        self._tmux("kill-session", "-t", window)

    def close(self) -> None:
        self._tmux("kill-server")


def live_session_hashes(database: Path) -> set[str]:
    """SHA-256 of every live session token (what the service stores)."""
    import sqlite3

    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT token_hash FROM apitoken WHERE via IS NOT NULL AND revoked_at IS NULL"
        ).fetchall()
    return {r[0] for r in rows}


def exposed(hashes: set[str]) -> list[str]:
    """Processes whose argv or environment holds one of the tokens these hashes stand for."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        for part in ("cmdline", "environ"):
            try:
                data = (proc / part).read_bytes()
            except OSError:
                continue
            for word in TOKENISH.findall(data):
                if hashlib.sha256(word).hexdigest() in hashes:
                    found.append(f"{proc.name} {part}")
    return found
