"""The mailbox poller of `dispatch serve`: a pass now, then one whenever mail comes.

A thread of its own (imapclient blocks), so no request ever waits on the mailbox. It keeps
one connection: a pass, then IDLE where the server offers it, which wakes it at once when a
message arrives, and a pass every `imap_poll_seconds` anyway (a server without IDLE gets only
those). Any failure (server gone, password refused, database down) is one log line, then the
poller waits, twice as long each time up to a cap, and connects anew.
"""

from __future__ import annotations

import logging
import threading
import time

from imapclient import IMAPClient

from dispatch.display.safe import one_line
from dispatch.server.mail.imap_client import ImapError, connect, disconnect
from dispatch.server.mail.imap_config import ImapConfig
from dispatch.server.mail.imap_fetch import Intake, fetch_pass
from dispatch.server.mail.imap_lease import Lease, SoleLease

log = logging.getLogger("dispatch.mail")

IDLE_RENEW_SECONDS = 25 * 60.0
"""RFC 2177: a server may drop an IDLE after 30 minutes, so it is renewed before."""
STOP_CHECK_SECONDS = 0.5
"""How long one wait inside IDLE lasts, so `stop()` is heard within it."""


class MailboxPoller:
    """Runs passes of the intake over one mailbox until stopped."""

    def __init__(
        self,
        config: ImapConfig,
        intake: Intake,
        *,
        lease: Lease | None = None,
        backoff: tuple[float, float] = (5.0, 300.0),
    ) -> None:
        self.config = config
        self.intake = intake
        self.lease = lease or SoleLease()
        self.backoff = backoff
        self.passes = 0
        self.failures = 0
        self.idling = threading.Event()
        """Set while the poller waits in IDLE (the tests wait for it before delivering)."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="dispatch-imap", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        delay = self.backoff[0]
        try:
            while not self._stop.is_set():
                passes = self.passes
                try:
                    if not self.lease.hold():
                        self._stop.wait(max(self.config.poll_seconds, 1.0))
                        continue
                    self._serve()
                    delay = self.backoff[0]
                except Exception as exc:
                    self.failures += 1
                    if self.passes > passes:  # it had worked since the last failure
                        delay = self.backoff[0]
                    log.warning(
                        "mail intake failed, next try in %.3g s: %s", delay, self._reason(exc)
                    )
                    self._stop.wait(delay)
                    delay = min(delay * 2, self.backoff[1])
        finally:
            self.lease.release()

    def _reason(self, exc: BaseException) -> str:
        """One line: the mailbox (ImapError's text names it) and what went wrong."""
        lines = str(exc).strip().splitlines()
        text = lines[0] if lines else ""
        if not isinstance(exc, ImapError):
            text = f"{self.config.describe()}: {type(exc).__name__}: {text}"
        return one_line(text)[:300]  # the server's words reach the terminal of `serve`

    def _serve(self) -> None:
        """One connection: passes and waits until stopped, or until something fails."""
        imap = connect(self.config)
        try:
            while not self._stop.is_set() and self.lease.hold():
                fetch_pass(imap, self.config, self.intake)
                self.passes += 1
                self._wait_for_mail(imap)
        finally:
            self.idling.clear()
            disconnect(imap)

    def _wait_for_mail(self, imap: IMAPClient) -> None:
        """Until new mail (IDLE), the poll interval, or stop: whichever comes first."""
        wait = self.config.poll_seconds
        if not imap.has_capability("IDLE"):
            self._stop.wait(wait)
            return
        imap.idle()
        self.idling.set()
        try:
            self._idle(imap, time.monotonic() + min(wait, IDLE_RENEW_SECONDS))
        finally:  # a connection that broke is dropped without a word to the server
            self.idling.clear()
        imap.idle_done()

    def _idle(self, imap: IMAPClient, deadline: float) -> None:
        """Wait in IDLE; raise ImapError when the server says BYE or the connection ends.

        imapclient's idle_check swallows the end of the connection and returns nothing,
        at once, every time after: that is how a dropped connection shows."""
        at_once = 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            began = time.monotonic()
            responses = imap.idle_check(timeout=STOP_CHECK_SECONDS)
            for response in responses:
                if isinstance(response, tuple) and response[:1] == (b"BYE",):
                    said = b" ".join(p for p in response[1:] if isinstance(p, bytes))
                    raise ImapError(
                        f"{self.config.describe()}: the server ended the connection: "
                        f"{said.decode(errors='replace')}"
                    )
            if any(_is_new_mail(r) for r in responses):
                return
            quick = not responses and time.monotonic() - began < STOP_CHECK_SECONDS / 10
            at_once = at_once + 1 if quick else 0
            if at_once >= 3:
                raise ImapError(f"{self.config.describe()}: the server closed the connection")


def _is_new_mail(response: object) -> bool:
    """`* 7 EXISTS` (a message arrived); flag changes and expunges by others are not."""
    return isinstance(response, tuple) and len(response) >= 2 and response[1] == b"EXISTS"
