"""A mail's attachments: listed always, kept only within the size caps."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from email.message import Message

from dispatch.server.mail.text import line

_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
OCTETS = "application/octet-stream"
DEFAULT_PER_ATTACHMENT = 10 * 1024 * 1024
DEFAULT_PER_MESSAGE = 25 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Caps:
    """The largest attachment kept, and the most attachment bytes kept of one mail."""

    per_attachment: int = DEFAULT_PER_ATTACHMENT
    per_message: int = DEFAULT_PER_MESSAGE


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes | None
    """None: over a cap, listed but not kept."""


def safe_type(value: str | None) -> str:
    """A content type fit to send back in a header: type/subtype of safe characters, else
    application/octet-stream."""
    value = (value or "").strip().lower()
    return value if _TYPE.fullmatch(value) else OCTETS


def safe_filename(value: str | None, content_type: str, number: int) -> str:
    """A file name without directories, quotes or controls; a made-up one when none fits."""
    name = line(value or "", 400)
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r'["*:<>?|]', "_", name).strip(" .")
    if not name:
        ext = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{number}{ext}"
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + dot + ext) if dot and len(ext) < 20 else name[:255]
    return name


def collect_attachment(
    leaf: Message, filename: str | None, caps: Caps, earlier: list[Attachment]
) -> Attachment:
    """`leaf` as an attachment; its bytes kept if they fit both caps."""
    content_type = safe_type(leaf.get_content_type())
    try:
        data = leaf.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        payload = leaf.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    kept_so_far = sum(a.size for a in earlier if a.data is not None)
    fits = len(data) <= caps.per_attachment and kept_so_far + len(data) <= caps.per_message
    name = safe_filename(filename, content_type, len(earlier) + 1)
    return Attachment(name, content_type, len(data), data if fits else None)
