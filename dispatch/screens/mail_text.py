"""What the console says about mail, in one place: the ticket view's "Mails" section, the
lines of the retry choice and of the status dialog's recipients, a received mail read whole,
and pane 6's detail.

Addresses, names, subjects, errors and file names are strangers' text (a mail's headers, an
SMTP server's reply): every one passes `dispatch.display.safe` and goes into Rich `Text`,
never markup. Times are Berlin's (`dispatch.display.clock`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from dispatch.display import clock
from dispatch.display.safe import clean, one_line
from dispatch.i18n import N_, _
from dispatch.widgets.mail_rows import reason_word

if TYPE_CHECKING:
    from dispatch.client.shapes import (
        AttachmentShape,
        MailPreviewShape,
        MailShape,
        MailTextShape,
        TicketMailsShape,
        UnmatchedMailShape,
    )

TEXT = {
    "head": N_("\nMails\n"),
    "off": N_("  mail is off: the service sends no mail (no SMTP server is configured)\n"),
    "offline": N_("  shown when the service is reachable again\n"),
    "as_last_read": N_("  as last read: the service is not reachable now\n"),
    "unavailable": N_("  the service did not list them: {why}\n"),
    "loading": N_("  reading…\n"),
    "none": N_("  none yet\n"),
    "in": "←",
    "out": "→",
    "attachment": N_("      attachment: {name}, {size}{kept}\n"),
    "not_kept": N_(" (not kept: over the size limit)"),
    "tries": N_(" ({n} tries)"),
    "retry_hint": N_(" · {key} sends it again"),
    "read_hint": N_("  {key} reads a mail whole"),
    "retry_title": N_("Send which failed mail again?"),
    "retry_queued": N_("{number}: mail to {address} queued to be sent again"),
    "retry_none": N_("{number}: no failed mail to send again."),
    # `m`: a mail read whole, received or sent
    "read_title": N_("Read which mail?"),
    "read_none": N_("{number}: no mail yet."),
    "read_loading": N_("{number}: the mails are still being read; try again in a moment."),
    "read_offline": N_("{number}: offline, reading a mail needs the service."),
    "read_failed": N_("{number}: the service did not give the mail: {why}"),
    "whole_title": N_("{number}: received mail"),
    "whole_title_out": N_("{number}: sent mail"),
    "whole_from": N_("From"),
    "whole_to": N_("To"),
    "whole_at": N_("Received"),
    "whole_sent": N_("Sent"),
    "whole_queued": N_("Queued"),
    "whole_subject": N_("Subject"),
    "whole_empty": N_("(the mail has no text)"),
    "whole_hint": N_("{down}/{up}/↑/↓ scroll · {close} close"),
    # the status dialog: who a change to the highlighted status mails
    "preview_loading": N_("Mail: asking the service who is mailed…"),
    "preview_offline": N_("Mail: recipients unknown offline"),
    "preview_failed": N_("Mail: recipients unknown ({why})"),
    "preview_off": N_("Mail: off, nobody is mailed"),
    "preview_nobody": N_("Mail: nobody is mailed"),
    "preview_some": N_("Mails: {names}"),
}
STATE_WORDS = {
    "received": N_("received"),
    "queued": N_("queued"),
    "sent": N_("sent"),
    "failed": N_("FAILED"),
}
STATE_STYLES = {"queued": "yellow", "sent": "green", "failed": "bold red", "received": ""}
KIND_WORDS = {
    "ticket": N_("new ticket"),
    "reply": N_("reply"),
    "receipt": N_("receipt"),
    "new_ticket": N_("new ticket notice"),
    "status_changed": N_("status notice"),
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


def _kind_word(kind: object) -> str:
    """What kind of mail it is, in words (an unknown kind as the service spells it)."""
    if str(kind) in KIND_WORDS:
        return _(KIND_WORDS[str(kind)])
    return one_line(kind or "")


def mail_line(mail: MailShape) -> str:
    """`← Mo 07.12. 09:14  anna@kunde.example  Drucker druckt nicht (new ticket)`."""
    arrow = TEXT["in"] if mail.get("direction") == "in" else TEXT["out"]
    kind = _kind_word(mail.get("kind"))
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
    mails: TicketMailsShape | None,
    problem: str | None = None,
    *,
    keys: tuple[str, str],
    may_retry: bool = False,
) -> Text:
    """The ticket view's section: each mail on a line with its state, attachments under it.

    `problem`: "offline", "loading" or the service's words when it could not list them;
    `keys`: the keys that send a failed mail again and read a mail whole.
    """
    text = Text()  # not wrapped: the view's style cuts a long line (`ticket.tcss`)
    text.append(_(TEXT["head"]), style="bold")
    if problem == "offline" and mails is not None:
        text.append(_(TEXT["as_last_read"]), style="dim")
    elif problem in ("offline", "loading"):
        return text.append(_(TEXT[problem]), style="dim")
    elif problem is not None:
        return text.append(_(TEXT["unavailable"]).format(why=one_line(problem)), style="dim")
    if mails is None:
        return text
    if not mails.get("outgoing_enabled", True):
        text.append(_(TEXT["off"]), style="yellow")
    items = mails.get("items") or []
    if not items:
        text.append(_(TEXT["none"]), style="dim")
    else:  # said once: every mail listed can be read whole
        text.append(_(TEXT["read_hint"]).format(key=keys[1]) + "\n", style="dim")
    for mail in items:
        _append_mail(text, mail, keys, may_retry)
    return text


def _append_mail(text: Text, mail: MailShape, keys: tuple[str, str], may_retry: bool) -> None:
    """Two lines a mail (three when it failed): direction, time, state and kind first, so
    a narrow terminal cuts only the address and subject, never the state."""
    state = str(mail.get("state") or "")
    arrow = TEXT["in"] if mail.get("direction") == "in" else TEXT["out"]
    text.append(f"  {arrow} {clock.moment(mail.get('at'))}  ")
    state_word = _(STATE_WORDS[state]) if state in STATE_WORDS else one_line(state)
    text.append(state_word, style=STATE_STYLES.get(state, ""))
    if state == "failed" and int(mail.get("attempts") or 0) > 1:
        text.append(_(TEXT["tries"]).format(n=int(mail.get("attempts") or 0)), style="red")
    kind = _kind_word(mail.get("kind"))
    if kind:
        text.append(f" · {kind}")
    if state == "failed" and may_retry:
        text.append(_(TEXT["retry_hint"]).format(key=keys[0]), style="dim")
    address = one_line(mail.get("address") or clock.NONE)
    text.append(f"\n      {address}: {one_line(mail.get('subject') or '')}\n")
    if state == "failed" and mail.get("error"):
        text.append(f"      {one_line(mail.get('error'))}\n", style="red")
    for attachment in mail.get("attachments") or []:
        text.append(_attachment_line(attachment), style="dim")


def _attachment_line(attachment: AttachmentShape) -> str:
    return _(TEXT["attachment"]).format(
        name=one_line(attachment.get("filename") or clock.NONE),
        size=size_text(attachment.get("size")),
        kept="" if attachment.get("kept", True) else _(TEXT["not_kept"]),
    )


def named_address(name: str | None, address: str | None) -> str:
    """`Anna Becker <anna@kunde.example>`, or the address alone when no one is named; both
    cleaned onto one line (a mail's headers are a stranger's)."""
    shown = one_line(address or clock.NONE)
    named = one_line(name or "")
    return f"{named} <{shown}>" if named else shown


def whole_title(number: object, mail: MailShape) -> str:
    sent = mail.get("direction") == "out"
    return _(TEXT["whole_title_out" if sent else "whole_title"]).format(number=number)


def whole_head(mail: MailShape) -> Table:
    """Who wrote it, or whom it went to; when it came or went (and what kind it is), its
    subject and attachments."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold", no_wrap=True)
    head.add_column()
    kind = _kind_word(mail.get("kind"))
    at = clock.moment(mail.get("at")) + (f" · {kind}" if kind else "")
    party, when = "whole_from", "whole_at"
    if mail.get("direction") == "out":  # its time is the sending, or the queueing until then
        party, when = "whole_to", "whole_sent" if mail.get("state") == "sent" else "whole_queued"
    head.add_row(_(TEXT[party]), Text(named_address(mail.get("name"), mail.get("address"))))
    head.add_row(_(TEXT[when]), Text(at))
    head.add_row(_(TEXT["whole_subject"]), Text(one_line(mail.get("subject") or "")))
    for attachment in mail.get("attachments") or []:
        head.add_row("", Text(_attachment_line(attachment).strip(), style="dim"))
    return head


def whole_text(mail: MailTextShape) -> Text:
    """The mail's text as the service keeps it, each line cleaned (a stranger wrote it, or
    it holds ticket text that one did)."""
    lines = [clean(line) for line in str(mail.get("text") or "").splitlines()]
    if not any(line.strip() for line in lines):
        return Text(_(TEXT["whole_empty"]), style="dim")
    return Text("\n".join(lines))


def preview_line(preview: MailPreviewShape | None, problem: str | None = None) -> str:
    """The status dialog's line: who a change to the highlighted status would mail."""
    if problem == "offline":
        return _(TEXT["preview_offline"])
    if problem == "loading":
        return _(TEXT["preview_loading"])
    if problem is not None or preview is None:
        return _(TEXT["preview_failed"]).format(why=one_line(problem or _("no answer")))
    if not preview.get("outgoing_enabled", True):
        return _(TEXT["preview_off"])
    recipients = preview.get("recipients") or []
    if not recipients:
        return _(TEXT["preview_nobody"])
    names = ", ".join(named_address(r.get("name"), r["address"]) for r in recipients)
    return _(TEXT["preview_some"]).format(names=names)


def unmatched_detail(mail: UnmatchedMailShape | None) -> Text:
    """Pane 6's lines under the table: who wrote, why it is held, and the text's start."""
    if mail is None:
        return Text("")
    sender = named_address(mail.get("from_name"), mail.get("from_address"))
    head = Text(f"{sender} · {reason_word(mail.get('reason'))}", style="bold")
    if mail.get("discard_reason"):
        head.append(" · " + _("discarded: {why}").format(why=one_line(mail.get("discard_reason"))))
    head.append("\n" + one_line(mail.get("subject") or "") + "\n", style="bold")
    head.append(clean(mail.get("snippet") or ""))
    return head
