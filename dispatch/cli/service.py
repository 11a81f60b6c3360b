"""`dispatch serve`: the REST service, in one process or several on one socket."""

from __future__ import annotations

from typing import Annotated

import typer

from dispatch.cli.common import fail, load_settings, safe_url
from dispatch.settings import Settings

HTTP = "httptools"
"""uvicorn's C parser for HTTP/1.1: it spends less of the service's CPU per request than h11
(measured in bench/RESULTS.md). The event loop is uvloop, which uvicorn takes by itself when it
is installed (a dependency off Windows): one write wakes every console's long-poll, and uvloop's
transport answers them faster; the list and search figures were unchanged within the noise."""


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="log every request (off: it slows wake-ups)")
    ] = False,
) -> None:
    """Run the REST service; database from DATABASE_URL (default: SQLite in the data dir)."""
    import uvicorn

    settings = load_settings()
    typer.echo(
        f"dispatch service on http://{host}:{port}/api/v1 "
        f"(database {safe_url(settings.database_url)})"
    )
    _say_mailbox(settings)
    if workers > 1:
        _serve_workers(host, port, workers, access_log)
    else:
        from dispatch.server.http.app import create_app
        from dispatch.server.http.http_guard import uvicorn_config

        # The httptools protocol with header deadline and connections-per-address cap.
        uvicorn.Server(
            uvicorn_config(create_app(settings), settings, host, port, access_log=access_log)
        ).run()


def _say_mailbox(settings: Settings) -> None:
    """Refuse IMAP settings that cannot work before any worker starts; name the mailbox."""
    from dispatch.server.mail.imap_config import ImapConfigError, imap_config

    try:
        mailbox = imap_config(settings)
    except ImapConfigError as exc:
        fail(str(exc), 2)
        return
    if mailbox is not None and mailbox.poll_seconds > 0:
        typer.echo(
            f"mail intake from {mailbox.describe()} every {mailbox.poll_seconds:g} s "
            "(at once where the server offers IDLE)"
        )


def _serve_workers(host: str, port: int, workers: int, access_log: bool = False) -> None:
    """Several worker processes on one socket; each builds its own app (and engine) from the
    environment.

    uvicorn binds that socket itself and hands it to the workers, and there asyncio does not
    switch Nagle's algorithm off for accepted connections (the shared socket's protocol number
    reads 0), so every response waited ~40 ms for a delayed ACK. Accepted connections inherit
    TCP_NODELAY from the listening socket.
    """
    import socket

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    from dispatch.server.http.http_guard import PROTOCOL

    config = Config(
        "dispatch.server.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        http=PROTOCOL,  # HTTP guarded: limits from the environment, as the app's are
    )
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()
