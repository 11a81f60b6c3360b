"""Messages for the intake's tests: the corpus files (`corpus/in_*.eml`) and a builder for
the shapes too large, or too variable, to keep as files."""

from __future__ import annotations

import itertools
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from dispatch.models.base import utcnow

CORPUS = Path(__file__).parent / "corpus"
CONTACT = "d.lorenz@elektro-schaefer.de"
_serial = itertools.count(1)


def corpus(name: str, **values: object) -> bytes:
    """`corpus/in_<name>.eml`, its `{KEY}` placeholders (ticket numbers) filled in."""
    raw = (CORPUS / f"in_{name}.eml").read_bytes()
    for key, value in values.items():
        raw = raw.replace(f"{{{key}}}".encode(), str(value).encode())
    return raw


def message(
    *,
    sender: str = f"Dirk Lorenz <{CONTACT}>",
    subject: str = "Drucker druckt nicht",
    body: str = "Der Drucker im Lager druckt nicht.",
    message_id: str | None = "auto",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    """One message; `message_id="auto"` gives it a fresh one, None none at all."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@provider.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    if message_id == "auto":
        message_id = f"<test-{next(_serial)}-{id(msg)}@elektro-schaefer.de>"
    if message_id is not None:
        msg["Message-ID"] = message_id
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()
