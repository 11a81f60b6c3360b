"""A real SMTP server for the tests (aiosmtpd) on loopback: it records what it accepts and
can be made to answer 4xx or 5xx, to stall past the client's timeout, or to drop the
connection in the middle of DATA. Variants speak STARTTLS (a test CA from trustme) and
require AUTH, or implicit TLS.

aiosmtpd is a dev dependency (pure Python), so these tests never skip for a missing server.
"""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Mode = Literal["accept", "temporary", "permanent", "stall", "drop"]
USER, PASSWORD = "dispatch", "s3cret-smtp"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data, policy=default_policy)


@dataclass
class Recorder:
    """The server's handler: what it accepted, and how it answers the next DATA."""

    mode: Mode = "accept"
    received: list[Received] = field(default_factory=list)
    stall_seconds: float = 3.0
    on_accept: Callable[[Received], None] | None = None
    """Called after a mail is taken, before the 250 goes out (a test kills the client)."""
    datas: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.datas += 1
        if self.mode == "temporary":
            return "451 4.3.0 Mailbox busy, try again later"
        if self.mode == "permanent":
            return "550 5.1.1 <nobody@example.com>: Recipient address rejected"
        if self.mode == "stall":
            await asyncio.sleep(self.stall_seconds)
        if self.mode == "drop":
            transport = server.transport
            assert isinstance(transport, asyncio.WriteTransport)
            transport.abort()
            return "421 4.4.2 dropped"  # never reaches the client
        content = envelope.original_content or b""
        got = Received(str(envelope.mail_from), list(envelope.rcpt_tos), content)
        self.received.append(got)
        if self.on_accept is not None:
            self.on_accept(got)
        return f"250 2.0.0 Ok: queued as T{len(self.received)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    recorder: Recorder
    port: int
    ca_file: Path | None = None

    def settings(self, security: str = "none", **more: Any) -> dict[str, Any]:
        """The service's settings for this server (mail on, no sending loop)."""
        values: dict[str, Any] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_security": security,
            "smtp_timeout_seconds": 2,
            "smtp_poll_seconds": 0,
            "mail_from": "support@provider.example",
            "mail_reply_to": "helpdesk@provider.example",
        }
        if self.ca_file is not None:
            values["smtp_ca_file"] = str(self.ca_file)
        values.update(more)
        return values


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def _tls(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return context, ca_file


@contextmanager
def smtp_server(
    tmp: Path, variant: Literal["plain", "starttls", "ssl"] = "plain"
) -> Iterator[SmtpServer]:
    """A running server of `variant` on a free loopback port; stopped afterwards."""
    recorder = Recorder()
    port = free_port()
    kwargs: dict[str, Any] = {}
    ca_file = None
    if variant != "plain":
        context, ca_file = _tls(tmp)
        if variant == "ssl":
            kwargs["ssl_context"] = context
        else:
            kwargs.update(
                tls_context=context,
                require_starttls=True,
                authenticator=_authenticate,
                auth_required=True,
            )
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer(recorder, port, ca_file)
    finally:
        controller.stop()
