"""`dispatch serve`: the REST service, in one process or several on one socket."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dispatch.cli.common import fail, load_settings, safe_url
from dispatch.i18n import _
from dispatch.settings import Settings

if TYPE_CHECKING:
    from dispatch.server.http.http_guard import TlsFiles

HTTP = "httptools"
"""uvicorn's C parser for HTTP/1.1: it spends less of the service's CPU per request than h11
(measured in bench/RESULTS.md). The event loop is uvloop, which uvicorn takes by itself when it
is installed (a dependency off Windows): one write wakes every console's long-poll, and uvloop's
transport answers them faster; the list and search figures were unchanged within the noise."""


def serve(
    host: Annotated[str, typer.Option(help=_("address to listen on"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=_("port to listen on"))] = 8765,
    workers: Annotated[int, typer.Option(help=_("worker processes"))] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log", help=_("log every request (off: it slows wake-ups)"))
    ] = False,
    tls_cert: Annotated[
        Path | None,
        typer.Option(
            "--tls-cert",
            help=_("serve https:// with this PEM certificate (chain)"),
            envvar="DISPATCH_TLS_CERT",
        ),
    ] = None,
    tls_key: Annotated[
        Path | None,
        typer.Option(
            "--tls-key", help=_("the certificate's PEM private key"), envvar="DISPATCH_TLS_KEY"
        ),
    ] = None,
) -> None:
    """Run the REST service; database from DATABASE_URL (default: SQLite in the data dir)."""
    import uvicorn

    settings = load_settings()
    tls = _tls_files(tls_cert, tls_key)
    typer.echo(
        _("dispatch service on {url} (database {database})").format(
            url=f"{'https' if tls else 'http'}://{_shown(host)}:{port}/api/v1",
            database=safe_url(settings.database_url),
        )
    )
    if tls is None and not _loopback(host):
        typer.echo(
            _(
                "dispatch: warning: plain http on {host}: tokens cross the network in clear; "
                "use --tls-cert/--tls-key, or a reverse proxy with TLS in front of 127.0.0.1"
            ).format(host=host),
            err=True,
        )
    _say_mailbox(settings)
    if workers > 1:
        _serve_workers(host, port, workers, access_log, tls)
    else:
        from dispatch.server.http.app import create_app
        from dispatch.server.http.http_guard import uvicorn_config

        # The httptools protocol with header deadline and connections-per-address cap.
        uvicorn.Server(
            uvicorn_config(
                create_app(settings), settings, host, port, access_log=access_log, tls=tls
            )
        ).run()


def _tls_files(cert: Path | None, key: Path | None) -> TlsFiles | None:
    """Both files or neither, loaded once here so a wrong one is a sentence before uvicorn
    starts (its own error is a traceback per worker)."""
    import ssl

    from dispatch.private_files import readable_by_others
    from dispatch.server.http.http_guard import TlsFiles

    if cert is None and key is None:
        return None
    if cert is None or key is None:
        fail(_("--tls-cert and --tls-key go together: the certificate and its private key"), 2)
        raise AssertionError("unreachable")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        fail(
            _("cannot serve https with {cert} and {key}: {reason}").format(
                cert=cert, key=key, reason=reason
            ),
            2,
        )
    if readable_by_others(key):
        typer.echo(
            _("dispatch: warning: {key} (the TLS private key) is readable by others").format(
                key=key
            ),
            err=True,
        )
    return TlsFiles(cert, key)


def _loopback(host: str) -> bool:
    from dispatch.client.tls import is_loopback

    return is_loopback(host)


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


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
            _(
                "mail intake from {mailbox} every {seconds} s "
                "(at once where the server offers IDLE)"
            ).format(mailbox=mailbox.describe(), seconds=f"{mailbox.poll_seconds:g}")
        )


def _serve_workers(
    host: str, port: int, workers: int, access_log: bool = False, tls: TlsFiles | None = None
) -> None:
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

    from dispatch.server.http.http_guard import PROTOCOL, served_with

    config = Config(
        "dispatch.server.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        http=PROTOCOL,  # HTTP guarded: limits from the environment, as the app's are
        **served_with(load_settings(), tls),
    )
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()
