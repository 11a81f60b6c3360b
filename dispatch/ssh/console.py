"""The console in an SSH session: the person's own cache, no screenshots, no GET /me first.

The cache (with the outbox of writes not yet sent) is one private directory per person in
the service account's data directory, so a dropped connection loses nothing: the next
session of the same person opens the same cache and sends what was queued.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dispatch.ssh.config import GateConfig

if TYPE_CHECKING:
    from dispatch.ssh.console_settings import SessionSettings
    from dispatch.ssh.tokens import Person


def run_console(
    settings: SessionSettings,
    cfg: GateConfig,
    token: str,
    person: Person,
    started: Callable[[Any], None],
) -> int:
    """Run the console for `person` with `token`; `started` gets the app before it runs."""
    from dispatch.app import DispatchApp
    from dispatch.client.cache import cache_path
    from dispatch.client.shapes import MeShape
    from dispatch.console import Connection
    from dispatch.private_files import private_dir
    from dispatch.startup_trace import mark

    mark("console imported")
    assert settings.server is not None
    root = cfg.cache_dir / f"user-{person.id}"  # a login may be "..": ids make no paths
    private_dir(root)
    me: MeShape = {
        "user": {
            "id": person.id,
            "name": person.name,
            "display_name": person.display_name,
            "role": person.role,
            "active": True,
        },
        "role": person.role,
        "technician_id": person.technician_id,
    }
    app = DispatchApp(
        settings=settings,
        client_factory=Connection(settings, token),
        me=me,
        server_label=f"{settings.server} (ssh)",
        cache_file=cache_path(root, settings.server, person.name),
        verify_me=True,
        screenshots=False,
    )
    started(app)
    mark("app built")
    app.run()
    return int(app.return_code or 0)
