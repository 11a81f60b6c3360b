"""One mail over SMTP: the message as it goes out, and what the server answered.

The message is built from the stored row alone (its Date is the row's creation), so a
retry sends the same bytes with the same `Message-ID`: a customer whose server accepted the
first try, whose answer we lost, sees one message in their threading, not two.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any

from dispatch.display import safe
from dispatch.server.notify.config import MailConfig

MAX_REPLY = 1000
ENCODED_LINE = 76
"""RFC 2047: a line with encoded words is at most 76 characters."""


class MailPolicy(EmailPolicy):
    """`email.policy.SMTP`, except that the Subject is folded by `email.header`: text
    other than ASCII into encoded words that are each whole and at most 75 characters,
    plain ASCII at its spaces.

    The default folder (CPython 3.11) writes an empty word, `=?utf-8?q??=`, and may drop
    the space between two words, when it folds a long subject with umlauts and an en dash;
    it also starts a subject of about 70 characters on a line of its own, which parsers
    read back with a leading space. A longer `max_line_length` would avoid the empty word
    only by writing encoded words longer than RFC 2047 allows (75 characters)."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() == "subject":
            return _subject_lines(name, str(value), self.linesep)
        return str(super().fold(name, value))

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() == "subject":
            return _subject_lines(name, str(value), self.linesep).encode("ascii")
        return bytes(super().fold_binary(name, value))


def _subject_lines(name: str, value: str, linesep: str) -> str:
    # Text that merely looks like an encoded word ("=?") is encoded too, or a reader
    # would decode it.
    plain = value.isascii() and "=?" not in value
    words = Header(
        value, "us-ascii" if plain else "utf-8", maxlinelen=ENCODED_LINE, header_name=name
    )
    return f"{name}: {words.encode(linesep=linesep)}{linesep}"


SMTP_POLICY = MailPolicy(linesep="\r\n")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """What the sender read of a claimed row."""

    notification_id: int
    to_address: str
    to_name: str | None
    subject: str
    body: str
    message_id: str
    in_reply_to: str | None
    created_at: datetime
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes along (a service report's PDF)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: bool
    permanent: bool
    """A refusal trying again cannot change (5xx)."""
    reply: str


def build(mail: Outgoing, config: MailConfig) -> EmailMessage:
    """The plain-text mail (multipart with its attachment, if any): Reply-To the support
    mailbox, `Auto-Submitted: auto-generated` (RFC 3834: other robots do not answer it),
    threaded to the customer's mail."""
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = config.mail_from
    local, _, domain = mail.to_address.rpartition("@")
    msg["To"] = Address(display_name=mail.to_name or "", username=local, domain=domain)
    msg["Reply-To"] = config.reply_to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.created_at)
    msg["Message-ID"] = mail.message_id
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
        msg["References"] = mail.in_reply_to
    msg["Auto-Submitted"] = "auto-generated"
    # Exchange's own word for it: no out-of-office answers to us.
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(mail.body, cte="quoted-printable")
    if mail.attachment is not None:
        maintype, _, subtype = mail.attachment.content_type.partition("/")
        msg.add_attachment(
            mail.attachment.data,
            maintype=maintype,
            subtype=subtype,
            filename=mail.attachment.filename,
        )
    return msg


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return _clean(f"{code} {words}")


def _clean(reply: str) -> str:
    """A server's words as stored and shown: one line, no control characters, bounded."""
    return " ".join(safe.one_line(reply).split())[:MAX_REPLY]


def _context(config: MailConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=config.ca_file)


def _connect(config: MailConfig) -> smtplib.SMTP:
    if config.security == "ssl":
        return smtplib.SMTP_SSL(
            config.host,
            config.port,
            local_hostname=config.domain,
            timeout=config.timeout,
            context=_context(config),
        )
    smtp = smtplib.SMTP(
        config.host, config.port, local_hostname=config.domain, timeout=config.timeout
    )
    if config.security == "starttls":
        try:
            smtp.starttls(context=_context(config))
        except BaseException:
            smtp.close()
            raise
    return smtp


def _send(smtp: smtplib.SMTP, msg: EmailMessage, config: MailConfig, to: str) -> Outcome:
    smtp.ehlo_or_helo_if_needed()
    if config.user:
        smtp.login(config.user, config.password or "")
    code, text = smtp.mail(config.envelope_from)
    if code != 250:
        return Outcome(False, code >= 500, _reply(code, text))
    code, text = smtp.rcpt(to)
    if code not in (250, 251):
        return Outcome(False, code >= 500, _reply(code, text))
    code, text = smtp.data(msg.as_bytes())
    return Outcome(code == 250, code >= 500, _reply(code, text))


def deliver(mail: Outgoing, config: MailConfig) -> Outcome:
    """Send `mail`; what the server said. 5xx is permanent; 4xx, timeouts and dropped or
    refused connections are worth another try."""
    msg = build(mail, config)
    try:
        smtp = _connect(config)
        try:
            outcome = _send(smtp, msg, config, mail.to_address)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    except smtplib.SMTPAuthenticationError as exc:
        # our settings, not the mail: it goes once an admin fixes them (within its tries)
        return Outcome(False, False, _reply(exc.smtp_code, exc.smtp_error))
    except smtplib.SMTPResponseException as exc:  # refused greeting, STARTTLS, DATA
        return Outcome(False, exc.smtp_code >= 500, _reply(exc.smtp_code, exc.smtp_error))
    except (smtplib.SMTPException, OSError) as exc:  # dropped, timed out, TLS, refused
        return Outcome(False, False, _clean(f"{type(exc).__name__}: {exc}"))
    return outcome
