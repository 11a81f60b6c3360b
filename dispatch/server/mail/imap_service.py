"""The IMAP intake put together: settings + database -> an intake, a pass, the poller.

`dispatch mail fetch` runs `run_pass`; the service (`dispatch serve`, and the embedded service
of the console when its settings name a mailbox) starts `start_poller` in its lifespan.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine

from dispatch.server.mail.imap_client import connect, disconnect
from dispatch.server.mail.imap_config import ImapConfig, imap_config
from dispatch.server.mail.imap_fetch import Intake, PassResult, fetch_pass
from dispatch.server.mail.imap_lease import lease_for
from dispatch.server.mail.imap_loop import MailboxPoller
from dispatch.server.mail.intake import IntakeResult, take_in
from dispatch.server.persistence.db import WRITE, is_postgres
from dispatch.server.persistence.feed import FeedSignal
from dispatch.server.persistence.pgfeed import announce
from dispatch.settings import Settings

log = logging.getLogger("dispatch.mail")


def intake_into(engine: Engine, settings: Settings, signal: FeedSignal | None = None) -> Intake:
    """The intake the passes call: `take_in` on the database's write path; when a message
    changed something, the long-polls of this process (`signal`) and, on PostgreSQL, of
    every other process are woken, as a write through the API wakes them."""
    writes = engine.execution_options(**{WRITE: True})
    postgres = is_postgres(engine)

    def take(raw: bytes, received_at: datetime) -> IntakeResult:
        result = take_in(writes, raw, received_at=received_at, settings=settings)
        if not result.duplicate:
            if signal is not None:
                signal.notify()
            if postgres:  # NOTIFY after the intake's commit: the listeners read the feed
                with engine.begin() as conn:
                    announce(conn)
        return result

    return take


def run_pass(config: ImapConfig, intake: Intake) -> PassResult:
    """One pass on a connection of its own (`dispatch mail fetch`)."""
    imap = connect(config)
    try:
        return fetch_pass(imap, config, intake, keep_outcomes=True)
    finally:
        disconnect(imap)


def start_poller(
    settings: Settings, engine: Engine, signal: FeedSignal | None = None
) -> MailboxPoller | None:
    """Start polling the mailbox the settings name; None when none is named or polling is
    off (`imap_poll_seconds` 0). Settings that cannot work raise ImapConfigError."""
    config = imap_config(settings)
    if config is None or config.poll_seconds <= 0:
        return None
    poller = MailboxPoller(config, intake_into(engine, settings, signal), lease=lease_for(engine))
    poller.start()
    log.info("mail intake polls %s every %.0f s", config.describe(), config.poll_seconds)
    return poller
