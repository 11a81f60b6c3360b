"""One logged-in connection to the support mailbox (IMAPS, STARTTLS, or plain on loopback).

The client is `imapclient`: it speaks IDLE (the standard library's imaplib has none before
Python 3.14), MOVE, UID commands and keywords, and parses FETCH answers into Python values.
"""

from __future__ import annotations

import ssl

from imapclient import IMAPClient

from dispatch.server.mail.imap_config import ImapConfig

TIMEOUT_SECONDS = 60.0
"""Longest wait for the server on one command (a 20 MB message over a slow line fits)."""


class ImapError(Exception):
    """The mailbox could not be reached or refused us; the message says why, no password."""


def tls_context(config: ImapConfig) -> ssl.SSLContext:
    """Verify the server's certificate and name: the system's CAs or `imap_ca_file`."""
    return ssl.create_default_context(cafile=config.ca_file)


def connect(config: ImapConfig, timeout: float = TIMEOUT_SECONDS) -> IMAPClient:
    """Open, secure and log in; raises ImapError with the reason on any failure."""
    try:
        if config.security == "ssl":
            imap = IMAPClient(
                config.host,
                port=config.port,
                ssl=True,
                ssl_context=tls_context(config),
                timeout=timeout,
            )
        else:
            imap = IMAPClient(config.host, port=config.port, ssl=False, timeout=timeout)
    except (OSError, IMAPClient.Error) as exc:
        raise ImapError(f"cannot reach {config.describe()}: {exc}") from exc
    try:
        if config.security == "starttls":
            # imapclient refuses when the server does not offer STARTTLS: never in clear
            imap.starttls(tls_context(config))
        imap.login(config.user, config.password)
    except (OSError, IMAPClient.Error) as exc:
        _close(imap)
        raise ImapError(f"{config.describe()}: {exc}") from exc
    # INTERNALDATE with its zone, not turned into the machine's local time
    imap.normalise_times = False
    return imap


def _close(imap: IMAPClient) -> None:
    try:
        imap.shutdown()
    except Exception:  # already gone: nothing to close
        return


def disconnect(imap: IMAPClient) -> None:
    """Log out politely; a connection that is gone already is just dropped."""
    try:
        imap.logout()
    except Exception:
        _close(imap)
