"""Whether the service mails customers, and how: the SMTP settings as one value.

Mail is off while `smtp_host` is unset. Then nothing is queued at all: a row queued while
mail is off would go out whenever SMTP is configured later, days after the change it speaks
of. The API says `outgoing_enabled: false` and the console shows it.

The writer's sessions carry the service's `MailConfig` in `session.info` (`attach`), so the
rules that queue (`queue.py`) know it without reaching for the app; a session made elsewhere
(a CLI command such as `dispatch mail intake`) gets the settings of the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from dispatch.settings import Settings

INFO_KEY = "dispatch_mail"
_OFF = "off"


@dataclass(frozen=True, slots=True)
class MailConfig:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    timeout: float
    ca_file: str | None
    mail_from: str
    reply_to: str
    domain: str
    max_attempts: int


def mail_config(settings: Settings) -> MailConfig | None:
    """The SMTP settings, or None when mail is off (`smtp_host` unset)."""
    if not settings.smtp_host:
        return None
    sender = settings.mail_from or f"support@{settings.smtp_host}"
    domain = settings.mail_domain or sender.rpartition("@")[2] or settings.smtp_host
    return MailConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        user=settings.smtp_user,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout_seconds,
        ca_file=settings.smtp_ca_file,
        mail_from=sender,
        reply_to=settings.mail_reply_to or sender,
        domain=domain,
        max_attempts=settings.mail_max_attempts,
    )


def session_info(settings: Settings) -> dict[str, Any]:
    """What the writer puts into each of its sessions' `info` (see `attach`)."""
    config = mail_config(settings)
    return {INFO_KEY: config if config is not None else _OFF}


def attach(session: Session, settings: Settings) -> None:
    """Make `session` queue mail per `settings` (for sessions the writer does not make)."""
    session.info.update(session_info(settings))


def config_of(session: Session) -> MailConfig | None:
    """The mail settings `session` queues with; None when mail is off."""
    found = session.info.get(INFO_KEY)
    if found is None:
        found = session.info[INFO_KEY] = session_info(Settings())[INFO_KEY]
    return found if isinstance(found, MailConfig) else None
