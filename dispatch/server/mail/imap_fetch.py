"""One pass over the support mailbox: every message not yet taken, exactly once.

For each message, in UID order: fetch it whole with its INTERNALDATE (BODY.PEEK, so nothing
changes on the server yet), hand it to the intake, which stores it and commits, and only
then mark it taken on the server (moved to the done folder, or flagged `\\Seen` and
`$DispatchTaken`). A crash before the commit stored nothing: the next pass takes the
message. A crash between the commit and the mark: the next pass fetches it again, the
intake finds its Message-ID stored already and does nothing, and the mark follows.

Which messages: those without the keyword (or, with a done folder, every one still in the
folder). Not "unseen": a person who opened a message in a mail client before the intake came
round has set `\\Seen`, and the message must still become a ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from imapclient import IMAPClient
from sqlalchemy.exc import DBAPIError

from dispatch.server.mail import imap_crashpoint
from dispatch.server.mail.imap_config import KEYWORD, ImapConfig, ImapConfigError
from dispatch.server.mail.intake import IntakeUnavailable

log = logging.getLogger("dispatch.mail")

Intake = Callable[[bytes, datetime], object]
"""Store one raw message received at the given time and commit; a message stored before
(same Message-ID) is a no-op. What it returns is only reported."""


@dataclass
class PassResult:
    """What one pass did: messages taken (stored, or found stored already) and marked, and
    messages the intake failed on (left unmarked: the next pass tries them again)."""

    taken: int = 0
    failed: int = 0
    outcomes: list[object] | None = None
    """What the intake returned for each message taken (kept when asked for)."""


def pending(imap: IMAPClient, config: ImapConfig) -> list[int]:
    """UIDs of the messages in the selected folder that are not marked taken, oldest first."""
    criteria: list[str | bytes] = ["NOT", "DELETED"]
    if config.done_folder is None:
        criteria = ["NOT", "KEYWORD", KEYWORD, *criteria]
    return sorted(int(uid) for uid in imap.search(criteria))


def open_folder(imap: IMAPClient, config: ImapConfig) -> None:
    """Select the folder read-write and make sure a taken message can be marked."""
    if config.done_folder is not None and not imap.folder_exists(config.done_folder):
        imap.create_folder(config.done_folder)
    selected = imap.select_folder(config.folder)
    if config.done_folder is None:
        permanent = {bytes(f).lower() for f in selected.get(b"PERMANENTFLAGS", ())}
        if b"\\*" not in permanent and KEYWORD.lower().encode() not in permanent:
            raise ImapConfigError(
                f"the server does not keep the keyword {KEYWORD} in {config.folder!r}; "
                f"set imap_done_folder so taken mail is moved instead"
            )


def mark_taken(imap: IMAPClient, uid: int, config: ImapConfig) -> None:
    """Move the message to the done folder, or flag it \\Seen and $DispatchTaken."""
    if config.done_folder is None:
        imap.add_flags([uid], [b"\\Seen", KEYWORD.encode()], silent=True)
    elif imap.has_capability("MOVE"):
        imap.move([uid], config.done_folder)
    else:
        imap.copy([uid], config.done_folder)
        imap.add_flags([uid], [b"\\Deleted"], silent=True)
        if imap.has_capability("UIDPLUS"):
            imap.uid_expunge([uid])
        else:
            imap.expunge()


def _fetch(imap: IMAPClient, uid: int) -> tuple[bytes, datetime] | None:
    """The raw message and its arrival time (UTC); None when it was expunged meanwhile."""
    got = imap.fetch([uid], ["BODY.PEEK[]", "INTERNALDATE"]).get(uid)
    if got is None or b"BODY[]" not in got:
        return None
    raw = bytes(got[b"BODY[]"])
    when = got.get(b"INTERNALDATE")
    if not isinstance(when, datetime):
        when = datetime.now(UTC)
    elif when.tzinfo is None:  # a server without a zone in INTERNALDATE: take it as UTC
        when = when.replace(tzinfo=UTC)
    return raw, when.astimezone(UTC)


def _database_out(exc: Exception) -> bool:
    """The database is out (the next message would fail alike), not this one message.
    `take_in` says IntakeUnavailable for both; its cause tells them apart."""
    if isinstance(exc, DBAPIError):
        return True
    if isinstance(exc, IntakeUnavailable):
        return exc.__cause__ is None or isinstance(exc.__cause__, DBAPIError)
    return False


def fetch_pass(
    imap: IMAPClient, config: ImapConfig, intake: Intake, *, keep_outcomes: bool = False
) -> PassResult:
    """Take every pending message of the folder once (see the module's text).

    The database failing (down, refused) ends the pass: the next message would fail alike.
    Any other error of the intake on one message is logged and that message is left for the
    next pass, so one message the intake cannot digest never holds up the others.
    """
    open_folder(imap, config)
    result = PassResult(outcomes=[] if keep_outcomes else None)
    for uid in pending(imap, config):
        fetched = _fetch(imap, uid)
        if fetched is None:
            continue
        imap_crashpoint.reached("fetched")
        try:
            outcome = intake(*fetched)
        except Exception as exc:
            if _database_out(exc):
                raise
            result.failed += 1
            log.error("mail intake: message UID %s in %s failed: %s", uid, config.folder, exc)
            continue
        imap_crashpoint.reached("committed")
        mark_taken(imap, uid, config)
        imap_crashpoint.reached("marked")
        result.taken += 1
        if result.outcomes is not None:
            result.outcomes.append(outcome)
    return result
