"""The mail writes of the outbox: make a ticket of an unmatched mail, discard one with a
reason, send a failed notification again.

Queued like every write (stored first, sent with its own Idempotency-Key, replayed once):
none carries If-Match, because each is a one-shot change of state the service refuses with a
409 once done (someone else took the mail first, the mail is no longer failed); that refusal
lands in pane 5 like any other.
"""

from __future__ import annotations

from typing import Any

from dispatch.client import paths
from dispatch.client.cache import Op, plain
from dispatch.client.outbox import Outbox

Json = dict[str, Any]

MAIL_TICKET = "mail_ticket"
MAIL_DISCARD = "mail_discard"
MAIL_RETRY = "notification_retry"
# The writes that change unmatched mail (the pane shows them as pending on their mail).
UNMATCHED_KINDS = frozenset((MAIL_TICKET, MAIL_DISCARD))


def _mail_base(mail: Json) -> Json:
    """What the outbox keeps of a mail to name the write (`Op.label`) and to show it."""
    keep = ("id", "from_address", "subject", "received_at", "state")
    return {k: plain(mail)[k] for k in keep if k in mail}


class MailIntents(Outbox):
    """The outbox's mail writes, and what their acknowledgements bring into the store."""

    def mail_ticket(self, mail: Json, data: Json) -> Op:
        """Make a ticket of unmatched `mail` (`data`: customer_id and the optional rest)."""
        return self.enqueue(
            MAIL_TICKET, "POST", paths.unmatched_ticket(mail["id"]), data, base=_mail_base(mail)
        )

    def discard_mail(self, mail: Json, reason: str) -> Op:
        return self.enqueue(
            MAIL_DISCARD,
            "POST",
            paths.unmatched_discard(mail["id"]),
            {"reason": reason},
            base=_mail_base(mail),
        )

    def retry_notification(self, ticket: Json, mail: Json) -> Op:
        """Send a failed notification of `ticket` again. Tied to the ticket: its view waits
        for the acknowledgement and reads the mails again then."""
        base = {"number": ticket["number"], "mail": plain(mail)}
        return self.enqueue(
            MAIL_RETRY,
            "POST",
            paths.notification_retry(mail["id"]),
            None,
            ticket_id=ticket["id"],
            base=base,
        )

    def unmatched_ops(self) -> list[Op]:
        """Queued, refused or conflicting writes on unmatched mail, oldest first."""
        return [op for op in self.cache.ops() if op.kind in UNMATCHED_KINDS]

    async def _acknowledged(self, op: Op, body: Any) -> None:
        await super()._acknowledged(op, body)
        if op.kind == MAIL_TICKET and isinstance(body, dict) and "version" in body:
            # the new ticket, in the queue at once (its feed event is then no news)
            self._remember("ticket", body)
            self._server_ticket(body)
            self.listener.tickets_changed([int(body["id"])], remote=False)
        if op.kind in UNMATCHED_KINDS or op.kind == MAIL_RETRY:
            self.listener.mails_changed([], live=False)
