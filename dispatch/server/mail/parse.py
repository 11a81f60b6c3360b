"""A raw message read into what the intake needs, whatever shape it arrives in.

The standard library's parser (`policy.default`) reads it; every step that can meet broken
input (a header the parser chokes on, an unknown charset, a multipart without its boundary)
is guarded, so `parse` never raises: what cannot be read at all comes back `broken`.
"""

from __future__ import annotations

import email
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message

from dispatch.models.mail import MAX_SUBJECT
from dispatch.server.mail.attachments import Attachment, Caps, collect_attachment
from dispatch.server.mail.automatic import automatic_reason
from dispatch.server.mail.text import decode, html_to_text, line, storable, tidy

MAX_DEPTH = 8
"""Nesting followed into multiparts and forwarded messages; deeper parts are skipped."""
_ID = re.compile(r"<[^<>\s]{1,250}>")
FORWARDED = "---------- Forwarded message ----------"


@dataclass(slots=True)
class ParsedMail:
    message_id: str | None = None
    from_address: str = ""
    from_name: str | None = None
    subject: str = ""
    date: datetime | None = None
    in_reply_to: str = ""
    references: str = ""
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str | None = None
    """Why it is an auto-reply, bounce or list mail (never a ticket, never confirmed)."""
    broken: str | None = None
    """Why it could not be read: kept raw as unmatched mail."""

    def referenced_ids(self) -> list[str]:
        """Message-IDs named in In-Reply-To and References."""
        return _ID.findall(f"{self.in_reply_to} {self.references}")


@dataclass(slots=True)
class _Found:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)


def parse(raw: bytes, caps: Caps) -> ParsedMail:
    """`raw` read; never raises (see the module)."""
    out = ParsedMail()
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:  # the parser promises leniency; keep the mail if it breaks it
        out.broken = f"the message could not be parsed: {type(exc).__name__}"
        return out
    try:
        _read_headers(msg, out)
        out.automatic = automatic_reason(
            lambda name: header(msg, name), out.from_address, msg.get_content_type()
        )
        found = _Found()
        _collect(msg, caps, found, out.attachments, 0)
        out.text = _text_of(found)
    except Exception as exc:  # a parser bug on hostile input: keep the raw message instead
        out.broken = f"the message could not be read: {type(exc).__name__}"
        return out
    if not msg.keys():
        out.broken = "the message has no headers"
    elif not out.from_address:
        out.broken = "the message names no sender address"
    return out


def header(msg: Message, name: str) -> str:
    """A header's decoded value on one line ("" when absent), however malformed."""
    try:
        value = msg.get(name)
        text = "" if value is None else str(value)
    except Exception:  # the structured parser choked: decode the raw value ourselves
        text = _raw_header(msg, name)
    if "\ufffd" in text:  # raw 8-bit bytes the parser gave up on: guess their charset
        text = _raw_header(msg, name) or text
    return line(text, 4 * MAX_SUBJECT)


def _raw_header(msg: Message, name: str) -> str:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            text = storable(str(value))
            try:
                return str(make_header(decode_header(text)))
            except Exception:
                return text
    return ""


def _read_headers(msg: Message, out: ParsedMail) -> None:
    out.message_id = _message_id(header(msg, "message-id"))
    out.from_address, out.from_name = _sender(msg)
    out.subject = line(header(msg, "subject"), MAX_SUBJECT)
    out.date = _date(header(msg, "date"))
    out.in_reply_to = header(msg, "in-reply-to")
    out.references = header(msg, "references")


def _message_id(value: str) -> str | None:
    match = _ID.search(value)
    if match:
        return match.group(0)
    value = value.strip()
    # An id without its brackets is still the sender's id for this message.
    return value if value and len(value) <= 250 and " " not in value else None


def _sender(msg: Message) -> tuple[str, str | None]:
    """The From address and display name; ("", None) when there is no usable address."""
    name, addr = "", ""
    try:
        value = msg.get("from")
        addresses = getattr(value, "addresses", ())
        if addresses:
            addr, name = addresses[0].addr_spec, addresses[0].display_name
    except Exception:
        pass
    if not addr:
        name, addr = email.utils.parseaddr(_raw_header(msg, "from"))
    addr = line(addr, 320).strip("<>")
    if addr.count("@") != 1 or " " in addr or addr.startswith("@") or addr.endswith("@"):
        return "", None
    return addr, line(name, 200) or None


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _leaves(part: Message, depth: int) -> list[Message]:
    """The parts that hold content, in order; a forwarded message is one leaf."""
    if depth > MAX_DEPTH:
        return []
    if part.is_multipart() and part.get_content_type() != "message/rfc822":
        payload = part.get_payload()
        subs = payload if isinstance(payload, list) else []
        return [
            leaf for sub in subs if isinstance(sub, Message) for leaf in _leaves(sub, depth + 1)
        ]
    return [part]


def _collect(
    msg: Message, caps: Caps, found: _Found, attachments: list[Attachment], depth: int
) -> None:
    for leaf in _leaves(msg, depth):
        ctype = leaf.get_content_type()
        if ctype == "message/rfc822":
            _forwarded(leaf, caps, found, attachments, depth + 1)
            continue
        disposition, filename = _disposition(leaf)
        inline = disposition != "attachment" and not filename
        if inline and ctype == "text/plain":
            found.plain.append(_part_text(leaf))
        elif inline and ctype == "text/html":
            found.html.append(html_to_text(_part_text(leaf)))
        elif inline and leaf.get_content_maintype() == "multipart":
            # Its boundary is missing: its body is read as the text it is, undecoded.
            payload = leaf.get_payload()
            found.plain.append(storable(payload) if isinstance(payload, str) else "")
        else:
            attachments.append(collect_attachment(leaf, filename, caps, attachments))


def _disposition(leaf: Message) -> tuple[str | None, str | None]:
    try:
        return leaf.get_content_disposition(), leaf.get_filename()
    except Exception:
        return "attachment", None


def _forwarded(
    leaf: Message, caps: Caps, found: _Found, attachments: list[Attachment], depth: int
) -> None:
    payload = leaf.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message) or depth > MAX_DEPTH:
        return
    sub = _Found()
    _collect(inner, caps, sub, attachments, depth)
    lines = [FORWARDED]
    for name in ("From", "Date", "Subject", "To"):
        value = header(inner, name)
        if value:
            lines.append(f"{name}: {line(value, 300)}")
    found.forwarded.append("\n".join(lines) + "\n\n" + _text_of(sub))


def _part_text(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        raw = part.get_payload()
        return storable(raw) if isinstance(raw, str) else ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode(data, charset)


def _text_of(found: _Found) -> str:
    """The plain parts (a client that split its text around an inline image sends several),
    else the HTML parts made readable; forwarded messages after them."""
    body = "\n\n".join(t for t in found.plain if t.strip()) or "\n\n".join(found.html)
    return tidy("\n\n".join(p for p in (body, *found.forwarded) if p.strip()))
