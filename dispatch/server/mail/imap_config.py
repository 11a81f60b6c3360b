"""Where the support mailbox is and how to reach it, checked once from the settings."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from dispatch.settings import Settings

KEYWORD = "$DispatchTaken"
"""The IMAP keyword a taken message gets when it stays in the folder (no done folder). The
intake selects by it, never by \\Seen alone: a person who read a message in a mail client
before the intake came round must not make it miss that message."""


class ImapConfigError(ValueError):
    """The IMAP settings cannot work as given; the message says which setting to change."""


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ImapConfig:
    """The checked IMAP settings (the password only ever in memory, never printed)."""

    host: str
    port: int
    security: str
    user: str
    password: str
    folder: str
    done_folder: str | None
    ca_file: str | None
    poll_seconds: float

    def __repr__(self) -> str:
        return f"ImapConfig({self.describe()})"

    def describe(self) -> str:
        """Where the intake reads, fit for a log line: no password."""
        scheme = {"ssl": "imaps", "starttls": "imap+starttls", "none": "imap"}[self.security]
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def imap_config(settings: Settings) -> ImapConfig | None:
    """The mailbox the settings name, None when no IMAP host is set (mail intake off).

    Raises ImapConfigError for settings that cannot work: no user or password, unencrypted
    IMAP to anything but this machine, a done folder equal to the folder read.
    """
    host = (settings.imap_host or "").strip()
    if not host:
        return None
    if not settings.imap_user or settings.imap_password is None:
        raise ImapConfigError(
            "imap_host is set but imap_user or imap_password is not "
            "(DISPATCH_IMAP_USER, DISPATCH_IMAP_PASSWORD)"
        )
    if settings.imap_security == "none" and not is_loopback(host):
        raise ImapConfigError(
            f"imap_security 'none' sends the password in clear; it is allowed only for a "
            f"loopback host, not {host!r} (use 'ssl' or 'starttls')"
        )
    folder = settings.imap_folder.strip() or "INBOX"
    done = (settings.imap_done_folder or "").strip() or None
    if done is not None and done == folder:
        raise ImapConfigError(f"imap_done_folder must differ from imap_folder ({folder!r})")
    return ImapConfig(
        host=host,
        port=settings.imap_port,
        security=settings.imap_security,
        user=settings.imap_user,
        password=settings.imap_password.get_secret_value(),
        folder=folder,
        done_folder=done,
        ca_file=settings.imap_ca_file or None,
        poll_seconds=settings.imap_poll_seconds,
    )
