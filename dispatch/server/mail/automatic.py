"""Mail no person wrote: auto-replies, bounces and list mail.

They never become tickets and never get a confirmation, so two systems answering each other
cannot loop (RFC 3834). They are recorded as ignored, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

_BULK = frozenset({"bulk", "junk", "list"})
_AUTORESPONDER_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")


def automatic_reason(
    header: Callable[[str], str], from_address: str, content_type: str
) -> str | None:
    """Why the mail is automatic (a short code), or None for mail a person wrote."""
    auto = header("auto-submitted").split(";")[0].strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if header("precedence").strip().lower() in _BULK:
        return "precedence_" + header("precedence").strip().lower()
    if any(header(name) for name in _AUTORESPONDER_HEADERS):
        return "autoreply_header"
    if "<>" in (header("return-path").replace(" ", ""), header("from").replace(" ", "")):
        return "null_sender"
    if from_address.split("@")[0].lower() == "mailer-daemon":
        return "mailer_daemon"
    if content_type == "multipart/report":
        return "delivery_report"
    return None
