"""A real IMAP server for the mail tests: Dovecot on loopback, in a temp dir of its own.

One server per xdist worker (it starts in about a second); every test gets a mailbox of its
own, a new user in the passwd file (Dovecot reads the file again when it changes), so tests
never see each other's mail. The server speaks plain IMAP with STARTTLS on one port and IMAPS
on another, both with a certificate from a CA that `trustme` made for the test run.

Running as root (CI): Dovecot refuses to run mail processes as uid 0 and wants unprivileged
users for its login and internal processes, so those are the `dovenull` and `dovecot` users
that the Debian package creates, and the mail directories belong to `dovecot`. Run as any
other user, everything runs as that user.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import trustme
from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
PORT_BASE = 14300
"""This task's port range is 14300-14399: ten ports per xdist worker, two per server."""
PORTS_PER_WORKER = 10
MAILBOXES = 500
"""Users in the passwd file: one per test that asks for a mailbox, per worker."""


def worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = "".join(c for c in worker if c.isdigit())
    return int(digits or 0) % (100 // PORTS_PER_WORKER)


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _port_pair() -> tuple[int, int]:
    """Two free ports of this worker's ten (a server left over by a killed run keeps its)."""
    first = PORT_BASE + worker_number() * PORTS_PER_WORKER
    for port in range(first, first + PORTS_PER_WORKER, 2):
        if _free(port) and _free(port + 1):
            return port, port + 1
    raise RuntimeError(f"no free pair of ports in {first}..{first + PORTS_PER_WORKER - 1}")


def _users() -> tuple[str, str, str]:
    """(login user, internal user, mail user) for the processes Dovecot starts."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, me
    for name in ("dovenull", "dovecot"):
        pwd.getpwnam(name)  # KeyError: the Debian package was not installed properly
    return "dovenull", "dovecot", "dovecot"


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 0
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
# loopback only: plain passwords over the unencrypted port are what the `none` tests use
disable_plaintext_auth = no
auth_mechanisms = plain login
# the tests of wrong passwords need no brake against guessing
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Mailbox:
    """One user's mailbox on the test server."""

    server: Dovecot
    user: str
    password: str

    def client(self, folder: str | None = "INBOX") -> IMAPClient:
        """A logged-in plain connection (loopback), with `folder` selected."""
        imap = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=30)
        imap.login(self.user, self.password)
        if folder is not None:
            imap.select_folder(folder)
        return imap

    @contextlib.contextmanager
    def session(self, folder: str | None = "INBOX") -> Iterator[IMAPClient]:
        imap = self.client(folder)
        try:
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def append(
        self,
        raw: bytes,
        *,
        folder: str = "INBOX",
        flags: Sequence[str] = (),
        when: datetime | None = None,
    ) -> None:
        """Deliver one message as a mail client or an MDA would, by IMAP APPEND."""
        with self.session(None) as imap:
            if not imap.folder_exists(folder):
                imap.create_folder(folder)
            imap.append(folder, raw, flags=tuple(flags), msg_time=when)

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """Every message's flags by UID (keywords and system flags alike)."""
        with self.session(folder) as imap:
            got = imap.get_flags(imap.search(["ALL"]))
        return {uid: {f.decode() for f in found} for uid, found in got.items()}

    def count(self, folder: str = "INBOX") -> int:
        with self.session(None) as imap:
            if not imap.folder_exists(folder):
                return 0
            return int(imap.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])

    def env(self, security: str = "none", **more: str) -> dict[str, str]:
        """The `DISPATCH_IMAP_*` environment that points dispatch at this mailbox."""
        port = self.server.ssl_port if security == "ssl" else self.server.port
        env = {
            "DISPATCH_IMAP_HOST": "127.0.0.1",
            "DISPATCH_IMAP_PORT": str(port),
            "DISPATCH_IMAP_SECURITY": security,
            "DISPATCH_IMAP_USER": self.user,
            "DISPATCH_IMAP_PASSWORD": self.password,
            "DISPATCH_IMAP_CA_FILE": str(self.server.ca_file),
        }
        env.update({f"DISPATCH_IMAP_{k.upper()}": v for k, v in more.items()})
        return env


class Dovecot:
    """A Dovecot process on loopback with everything under `root`."""

    def __init__(self, root: Path, extra_config: str = "") -> None:
        self.root = root
        self.extra_config = extra_config
        """More settings, e.g. a capability list without IDLE and MOVE."""
        self.port, self.ssl_port = _port_pair()
        self.ca_file = root / "ca.pem"
        self._process: subprocess.Popen[bytes] | None = None
        self._numbers = itertools.count(1)
        self._mail_user = _users()[2]

    def start(self) -> None:
        """Make the certificate, the users and the configuration, and launch."""
        ca = trustme.CA()
        cert = ca.issue_cert("localhost", "127.0.0.1")
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert.private_key_pem.write_to_path(str(self.root / "key.pem"))
        cert.cert_chain_pems[0].write_to_path(str(self.root / "cert.pem"))
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir()
        # Every mailbox the run may use, written before the start: Dovecot notices a changed
        # passwd file only by its modification time, which a second user added within the
        # same second does not change.
        self._secret = os.urandom(4).hex()
        (self.root / "passwd").write_text(
            "".join(f"{u}:{{PLAIN}}{self._password(u)}::::::\n" for u in self._user_names())
        )
        shutil.chown(self.root / "home", self._mail_user, self._mail_user)
        login_user, internal_user, mail_user = _users()
        conf = self.root / "dovecot.conf"
        conf.write_text(
            CONFIG.format(
                root=self.root,
                login_user=login_user,
                internal_user=internal_user,
                mail_user=mail_user,
                mail_group=mail_user,
                port=self.port,
                ssl_port=self.ssl_port,
            )
            + self.extra_config
        )
        self.launch()

    def launch(self) -> None:
        """Run the prepared server (again, after `stop`: same ports, same mailboxes)."""
        with (self.root / "stderr.log").open("ab") as stderr:
            self._process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self._wait_listening()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.ssl_port), timeout=1).close()
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within 15 s:\n{self.log()}")

    def log(self) -> str:
        parts = [p.read_text(errors="replace") for p in self.root.glob("*.log") if p.exists()]
        return "\n".join(parts)

    def stop(self) -> None:
        """Drop every client connection, then end the server. Terminated alone, its master
        leaves the IMAP processes of open connections running, orphaned."""
        if self._process is None:
            return
        subprocess.run(
            [DOVEADM, "-c", str(self.root / "dovecot.conf"), "kick", "desk*"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)
        self._process = None

    def _user_names(self) -> list[str]:
        return [f"desk{n}" for n in range(1, MAILBOXES + 1)]

    def _password(self, user: str) -> str:
        return f"pw-{user}-{self._secret}"

    def mailbox(self) -> Mailbox:
        """A new, empty mailbox (a new user: nothing another test delivered is in it)."""
        user = f"desk{next(self._numbers)}"
        if user not in self._user_names():
            raise RuntimeError(f"more than {MAILBOXES} mailboxes in one run: raise MAILBOXES")
        return Mailbox(self, user, self._password(user))

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.ca_file))
