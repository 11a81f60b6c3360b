"""The sender: sends the outbox's due mails over SMTP, one at a time, and records each.

It runs in `dispatch serve` (each worker process) and in the embedded service when SMTP is
configured. A row is claimed in a short transaction of its own (state `sending`, a version
bump, a lease): two senders never send the same row, since only one versioned UPDATE wins.
The mail goes out outside any transaction, and its outcome is recorded in another. A sender
killed between the server's acceptance and the record leaves the row `sending`; when its
lease runs out it is sent again, with the same Message-ID and bytes (`smtp.build`), so the
customer's client threads the two as one message.

Temporary failures (4xx, timeouts, dropped connections) are tried again after a growing
pause; a permanent refusal (5xx) or the last allowed try marks the row failed, with the
server's reply, until a person retries it (`POST /notifications/{id}/retry`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_
from sqlmodel import Session, col, select

from dispatch.models.base import utcnow
from dispatch.models.notification import Notification, NotificationState
from dispatch.models.report import ServiceReport
from dispatch.models.ticket import Ticket
from dispatch.server.notify import smtp
from dispatch.server.notify.config import MailConfig
from dispatch.server.notify.queue import system_caller
from dispatch.server.notify.report_mail import PDF_TYPE, attachment_name
from dispatch.server.persistence import feed
from dispatch.server.persistence.db import WRITE
from dispatch.server.persistence.feed import FeedSignal, lock_writes
from dispatch.server.persistence.pgfeed import announce
from dispatch.server.persistence.versioned import versioned_update

log = logging.getLogger("dispatch.notify")

LEASE = timedelta(minutes=10)
"""How long a claimed row is the claimer's: longer than any SMTP exchange (timeouts are
`smtp_timeout_seconds` per step); after it the row is sent again."""
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
BATCH = 20
"""Mails one pass sends at most before it lets the loop breathe."""

QUEUED, SENDING, SENT, FAILED = (s.value for s in NotificationState)


def pause(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 1, 2, 4, ... minutes, at most an hour."""
    wait: timedelta = FIRST_PAUSE * (2 ** min(max(attempts - 1, 0), 10))
    return min(wait, LONGEST_PAUSE)


@dataclass(frozen=True, slots=True)
class _Claim:
    mail: smtp.Outgoing
    version: int
    attempts: int
    ticket_id: int | None


class Sender:
    """Sends due mails of one database; `run_once` is one pass (the loop calls it)."""

    def __init__(
        self,
        engine: Engine,
        config: MailConfig,
        *,
        signal: FeedSignal | None = None,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = LEASE,
    ) -> None:
        self.engine = engine
        self.writes = engine.execution_options(**{WRITE: True})
        """Begins write transactions, as the writer's."""
        self.config = config
        self.signal = signal
        self.clock = clock
        self.lease = lease

    def run(self) -> None:
        """One pass, for the service's loop."""
        self.run_once()

    def run_once(self, limit: int = BATCH) -> int:
        """Send what is due (at most `limit` mails); how many were tried."""
        tried = 0
        if not due_soon(self.engine, self.clock()):
            return 0
        while tried < limit:
            claim = self._claim()
            if claim is None:
                break
            tried += 1
            outcome = smtp.deliver(claim.mail, self.config)
            self._record(claim, outcome)
            if not outcome.sent and not outcome.permanent:
                # The server is busy or unreachable: the rest wait for the next pass rather
                # than each waiting out its timeout now (and holding up a shutdown).
                break
        return tried

    def _due(self) -> Any:
        now = self.clock()
        waiting = col(Notification.state).in_([QUEUED, SENDING])  # sending: its lease is over
        return and_(waiting, col(Notification.next_attempt_at) <= now)

    def _claim(self) -> _Claim | None:
        """The next due row, made ours (None when none is due)."""
        with Session(self.writes, expire_on_commit=False) as session:
            lock_writes(session)
            row = session.exec(
                select(Notification)
                .where(self._due())
                .order_by(col(Notification.next_attempt_at), col(Notification.id))
                .limit(1)
            ).first()
            if row is None or row.id is None or row.message_id is None:
                return None
            values = {
                "state": SENDING,
                "attempts": row.attempts + 1,
                "next_attempt_at": self.clock() + self.lease,
            }
            if not versioned_update(session, Notification, row.id, row.version, values):
                return None  # cannot happen under the write lock; the next pass sees it
            session.commit()
        mail = smtp.Outgoing(
            notification_id=row.id,
            to_address=row.to_address,
            to_name=row.to_name,
            subject=row.subject,
            body=row.body,
            message_id=row.message_id,
            in_reply_to=row.in_reply_to,
            created_at=row.created_at,
            attachment=_attachment(self.engine, row.report_id),
        )
        return _Claim(mail, row.version + 1, row.attempts + 1, row.ticket_id)

    def _record(self, claim: _Claim, outcome: smtp.Outcome) -> None:
        """Sent, failed, or queued again after a pause; its feed event."""
        now = self.clock()
        values: dict[str, Any] = {"smtp_reply": outcome.reply}
        if outcome.sent:
            values.update(state=SENT, sent_at=now, last_error=None)
        elif outcome.permanent or claim.attempts >= self.config.max_attempts:
            values.update(state=FAILED, last_error=outcome.reply)
        else:
            values.update(
                state=QUEUED, last_error=outcome.reply, next_attempt_at=now + pause(claim.attempts)
            )
        with Session(self.writes, expire_on_commit=False) as session:
            lock_writes(session)
            mail_id = claim.mail.notification_id
            if not versioned_update(session, Notification, mail_id, claim.version, values):
                # Our lease ran out and another sender took the row: its record counts.
                log.warning("mail %s was taken over before its outcome was recorded", mail_id)
                return
            self._event(session, claim, values["state"])
            if session.get_bind().dialect.name == "postgresql":
                announce(session.connection())
            session.commit()
        if self.signal is not None:
            self.signal.notify()
        if not outcome.sent:
            log.warning("mail %s not sent: %s", claim.mail.notification_id, outcome.reply)

    def _event(self, session: Session, claim: _Claim, state: str) -> None:
        ticket = session.get(Ticket, claim.ticket_id) if claim.ticket_id is not None else None
        fields: dict[str, list[Any]] = {"attempts": [claim.attempts - 1, claim.attempts]}
        if state != QUEUED:
            fields["state"] = [QUEUED, state]
        feed.record(
            session,
            system_caller(session),
            entity="notification",
            entity_id=claim.mail.notification_id,
            op="update",
            version=claim.version + 1,
            fields=fields,
            ticket_id=claim.ticket_id,
            technician_id=ticket.assignee_id if ticket else None,
        )


def _attachment(engine: Engine, report_id: int | None) -> smtp.Attachment | None:
    """A report mail's PDF, read from the report (stored once, never changed: a retry
    attaches the same bytes)."""
    if report_id is None:
        return None
    with Session(engine) as session:
        row = session.exec(
            select(ServiceReport.number, ServiceReport.pdf).where(ServiceReport.id == report_id)
        ).first()
    if row is None:  # cannot happen: a report is never deleted
        return None
    number, pdf = row
    return smtp.Attachment(attachment_name(number), PDF_TYPE, bytes(pdf))


def due_soon(engine: Engine, now: datetime) -> bool:
    """Whether any row is due (a read, so an idle sender takes no write lock)."""
    with Session(engine) as session:
        found = session.exec(
            select(Notification.id)
            .where(col(Notification.state).in_([QUEUED, SENDING]))
            .where(col(Notification.next_attempt_at) <= now)
            .limit(1)
        ).first()
    return found is not None
