"""`dispatch mail fetch`: one pass over the support mailbox over IMAP (settings `imap_*`).

Exit 0 when every pending message was taken, 1 when the mailbox or the database failed or a
message was left for the next pass, 2 when the IMAP settings are missing or cannot work.
Safe to run beside `dispatch serve` and from cron: each message is taken exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import typer

from dispatch.cli.common import fail, load_settings
from dispatch.i18n import _

if TYPE_CHECKING:
    from dispatch.server.mail.intake import IntakeResult


def fetch(describe: Callable[[IntakeResult], str]) -> None:
    """One pass; each message taken is printed as `describe` says (as `mail intake` does)."""
    from dispatch.display.safe import one_line
    from dispatch.server.mail.imap_client import ImapError
    from dispatch.server.mail.imap_config import ImapConfigError, imap_config
    from dispatch.server.mail.imap_service import intake_into, run_pass
    from dispatch.server.mail.intake import IntakeUnavailable
    from dispatch.server.persistence.db import make_engine

    settings = load_settings()
    try:
        config = imap_config(settings)
    except ImapConfigError as exc:
        fail(str(exc), 2)
        return
    if config is None:
        fail(
            _(
                "no mailbox configured: set imap_host, imap_user, imap_password "
                "(DISPATCH_IMAP_HOST, ...)"
            ),
            2,
        )
        return
    engine = make_engine(settings.database_url)
    try:
        result = run_pass(config, intake_into(engine, settings))
    except (ImapError, ImapConfigError, IntakeUnavailable) as exc:
        fail(one_line(str(exc)))  # the server's words, fit for a terminal
        return
    finally:
        engine.dispose()
    for outcome in result.outcomes or []:
        typer.echo(one_line(describe(cast("IntakeResult", outcome))))  # Message-IDs: a stranger's
    typer.echo(
        _("{taken} taken, {failed} left for the next pass").format(
            taken=result.taken, failed=result.failed
        )
    )
    if result.failed:
        raise typer.Exit(1)
