"""Small helpers of the IMAP tests: a message to deliver, settings for a mailbox, an intake
that records what it was given (for tests of the IMAP side alone)."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mail.dovecot import Mailbox

from dispatch.server.mail.imap_config import ImapConfig, imap_config
from dispatch.server.mail.intake import IntakeUnavailable
from dispatch.settings import Settings


def message(
    subject: str = "Drucker im 2. OG druckt nicht",
    sender: str = "m.keller@example.com",
    body: str = "Seit heute früh kommt nichts mehr aus dem Drucker.",
    when: datetime | None = None,
    message_id: str | None = "",
) -> bytes:
    """A plain mail as a customer's client sends it (`message_id=None`: without one)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@provider.example"
    msg["Subject"] = subject
    if when is not None:
        msg["Date"] = format_datetime(when)
    if message_id is not None:
        msg["Message-ID"] = message_id or make_msgid(domain="example.com")
    msg.set_content(body)
    return bytes(msg)


def config_for(mailbox: Mailbox, security: str = "none", **more: str) -> ImapConfig:
    """The checked config `dispatch` builds from the DISPATCH_IMAP_* environment."""
    env = {k.removeprefix("DISPATCH_").lower(): v for k, v in mailbox.env(security).items()}
    env.update(more)
    config = imap_config(Settings.model_validate(env))
    assert config is not None
    return config


@dataclass
class Recorder:
    """An intake that keeps what it is given and counts by Message-ID; `fail_on` makes it
    raise for messages whose subject holds that text."""

    taken: list[tuple[bytes, datetime]] = field(default_factory=list)
    fail_on: str | None = None

    def __call__(self, raw: bytes, received_at: datetime) -> str:
        if self.fail_on is not None and self.fail_on.encode() in raw:
            # as take_in says it when not even the raw mail could be stored
            try:
                raise ValueError(f"cannot digest {self.fail_on}")
            except ValueError as exc:
                raise IntakeUnavailable(f"the mail could not be stored: {exc}") from exc
        self.taken.append((raw, received_at))
        return f"took {len(raw)} bytes"


class CuttingProxy:
    """A loopback TCP relay to the test server whose connections the test can cut without a
    word (no BYE, no TLS close): the way a NAT box or a crashed server drops an IDLE."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)

    def cut(self) -> None:
        """Drop every relayed connection at once (new ones are still let through)."""
        with self._lock:
            dropped, self._open = self._open, []
        for sock in dropped:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.listener.close()
        self.cut()
