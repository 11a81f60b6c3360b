"""What the console says about mail, in one place: the ticket view's "Mails" section, the
lines of the retry choice and of the status dialog's recipients, and pane 6's detail.

Addresses, names, subjects, errors and file names are strangers' text (a mail's headers, an
SMTP server's reply): every one passes `dispatch.display.safe` and goes into Rich `Text`,
never markup. Times are Berlin's (`dispatch.display.clock`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from dispatch.display import clock
from dispatch.display.safe import clean, one_line
from dispatch.widgets.mail_rows import reason_word

if TYPE_CHECKING:
    from dispatch.client.shapes import (
        AttachmentShape,
        MailPreviewShape,
        MailShape,
        TicketMailsShape,
        UnmatchedMailShape,
    )

TEXT = {
    "head": "\nMails\n",
    "off": "  mail is off: the service sends no mail (no SMTP server is configured)\n",
    "offline": "  shown when the service is reachable again\n",
    "as_last_read": "  as last read: the service is not reachable now\n",
    "unavailable": "  the service did not list them: {why}\n",
    "loading": "  reading…\n",
    "none": "  none yet\n",
    "in": "←",
    "out": "→",
    "attachment": "      attachment: {name}, {size}{kept}\n",
    "not_kept": " (not kept: over the size limit)",
    "tries": " ({n} tries)",
    "retry_hint": " · M sends it again",
    "retry_title": "Send which failed mail again?",
    "retry_queued": "{number}: mail to {address} queued to be sent again",
    "retry_none": "{number}: no failed mail to send again.",
    # the status dialog: who a change to the highlighted status mails
    "preview_loading": "Mail: asking the service who is mailed…",
    "preview_offline": "Mail: recipients unknown offline",
    "preview_failed": "Mail: recipients unknown ({why})",
    "preview_off": "Mail: off, nobody is mailed",
    "preview_nobody": "Mail: nobody is mailed",
    "preview_some": "Mails: {names}",
}
STATE_WORDS = {"received": "received", "queued": "queued", "sent": "sent", "failed": "FAILED"}
STATE_STYLES = {"queued": "yellow", "sent": "green", "failed": "bold red", "received": ""}
KIND_WORDS = {
    "ticket": "new ticket",
    "reply": "reply",
    "receipt": "receipt",
    "new_ticket": "new ticket notice",
    "status_changed": "status notice",
}


def size_text(size: int | None) -> str:
    """`812 B`, `120 KB`, `15.2 MB`."""
    if size is None:
        return clock.NONE
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def mail_line(mail: MailShape) -> str:
    """`← Mo 07.12. 09:14  anna@kunde.example  Drucker druckt nicht (new ticket)`."""
    arrow = TEXT["in"] if mail.get("direction") == "in" else TEXT["out"]
    kind = KIND_WORDS.get(str(mail.get("kind")), one_line(mail.get("kind") or ""))
    parts = [
        arrow,
        clock.moment(mail.get("at")),
        f" {one_line(mail.get('address') or clock.NONE)}",
        f" {one_line(mail.get('subject') or '')}",
    ]
    return " ".join(parts) + (f" ({kind})" if kind else "")


def failed(mails: TicketMailsShape | None) -> list[MailShape]:
    """The sent mails that failed (what `M` offers to send again)."""
    items = mails["items"] if mails else []
    return [m for m in items if m.get("direction") == "out" and m.get("state") == "failed"]


def mails_text(
    mails: TicketMailsShape | None, problem: str | None = None, *, may_retry: bool = False
) -> Text:
    """The ticket view's section: each mail on a line with its state, attachments under it.

    `problem`: "offline", "loading" or the service's words when it could not list them.
    """
    text = Text()  # not wrapped: the view's style cuts a long line (`ticket.tcss`)
    text.append(TEXT["head"], style="bold")
    if problem == "offline" and mails is not None:
        text.append(TEXT["as_last_read"], style="dim")
    elif problem in ("offline", "loading"):
        return text.append(TEXT[problem], style="dim")
    elif problem is not None:
        return text.append(TEXT["unavailable"].format(why=one_line(problem)), style="dim")
    if mails is None:
        return text
    if not mails.get("outgoing_enabled", True):
        text.append(TEXT["off"], style="yellow")
    items = mails.get("items") or []
    if not items:
        text.append(TEXT["none"], style="dim")
    for mail in items:
        _append_mail(text, mail, may_retry)
    return text


def _append_mail(text: Text, mail: MailShape, may_retry: bool) -> None:
    """Two lines a mail (three when it failed): direction, time, state and kind first, so
    a narrow terminal cuts only the address and subject, never the state."""
    state = str(mail.get("state") or "")
    arrow = TEXT["in"] if mail.get("direction") == "in" else TEXT["out"]
    text.append(f"  {arrow} {clock.moment(mail.get('at'))}  ")
    text.append(STATE_WORDS.get(state, one_line(state)), style=STATE_STYLES.get(state, ""))
    if state == "failed" and int(mail.get("attempts") or 0) > 1:
        text.append(TEXT["tries"].format(n=int(mail.get("attempts") or 0)), style="red")
    kind = KIND_WORDS.get(str(mail.get("kind")), one_line(mail.get("kind") or ""))
    if kind:
        text.append(f" · {kind}")
    if state == "failed" and may_retry:
        text.append(TEXT["retry_hint"], style="dim")
    address = one_line(mail.get("address") or clock.NONE)
    text.append(f"\n      {address}: {one_line(mail.get('subject') or '')}\n")
    if state == "failed" and mail.get("error"):
        text.append(f"      {one_line(mail.get('error'))}\n", style="red")
    for attachment in mail.get("attachments") or []:
        text.append(_attachment_line(attachment), style="dim")


def _attachment_line(attachment: AttachmentShape) -> str:
    return TEXT["attachment"].format(
        name=one_line(attachment.get("filename") or clock.NONE),
        size=size_text(attachment.get("size")),
        kept="" if attachment.get("kept", True) else TEXT["not_kept"],
    )


def preview_line(preview: MailPreviewShape | None, problem: str | None = None) -> str:
    """The status dialog's line: who a change to the highlighted status would mail."""
    if problem == "offline":
        return TEXT["preview_offline"]
    if problem == "loading":
        return TEXT["preview_loading"]
    if problem is not None or preview is None:
        return TEXT["preview_failed"].format(why=one_line(problem or "no answer"))
    if not preview.get("outgoing_enabled", True):
        return TEXT["preview_off"]
    recipients = preview.get("recipients") or []
    if not recipients:
        return TEXT["preview_nobody"]
    names = ", ".join(
        one_line(f"{r['name']} <{r['address']}>" if r.get("name") else r["address"])
        for r in recipients
    )
    return TEXT["preview_some"].format(names=names)


def unmatched_detail(mail: UnmatchedMailShape | None) -> Text:
    """Pane 6's lines under the table: who wrote, why it is held, and the text's start."""
    if mail is None:
        return Text("")
    sender = one_line(mail.get("from_address") or clock.NONE)
    if mail.get("from_name"):
        sender = f"{one_line(mail.get('from_name'))} <{sender}>"
    head = Text(f"{sender} · {reason_word(mail.get('reason'))}", style="bold")
    if mail.get("discard_reason"):
        head.append(f" · discarded: {one_line(mail.get('discard_reason'))}")
    head.append("\n" + one_line(mail.get("subject") or "") + "\n", style="bold")
    head.append(clean(mail.get("snippet") or ""))
    return head
