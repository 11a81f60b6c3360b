"""Where the client may send its token, and which certificates it believes.

A bearer token sent over plain http:// can be read, and replayed, by anyone on the path: the
café's Wi-Fi, a customer's network, a switch in between. So the client refuses to send one
over http:// unless the host is this machine (127.0.0.0/8, ::1, `localhost`), where no network
lies between; `--insecure` (`DISPATCH_INSECURE=1`, `insecure = true`) is the user saying the
network in between is trusted. The decision is made from the URL alone, before any name is
resolved or any connection opened: a name that resolves to 127.0.0.1 today may not tomorrow.

https:// is verified against the operating system's trust store (`truststore`: the Windows
and macOS stores, OpenSSL's system bundle on Linux), where an MSP's internal CA is installed
for every other tool already; httpx alone would trust only certifi's public bundle.
`--ca-file` (`DISPATCH_CA_FILE`, `ca_file = "..."`) trusts exactly the CAs in that PEM file
instead, as curl's --cacert does: a desk that runs its own CA can pin it. Verification itself
is never switched off; `--insecure` is only about plain http://.
"""

from __future__ import annotations

import ipaddress
import ssl
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dispatch.display.safe import one_line
from dispatch.i18n import _

LOOPBACK_NAMES = frozenset({"localhost"})
"""Names that always mean this machine (resolved by the system, never by DNS)."""


class TransportRefused(Exception):
    """The client will not talk to this server as configured; the message is one line."""


def is_loopback(host: str) -> bool:
    """Whether `host` (a URL's host, without brackets) is this machine, by its spelling alone."""
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def where(url: str) -> str:
    """The server as the messages name it: scheme, host and port, no path or credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    shown = f"[{host}]" if ":" in host else host
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return one_line(f"{parts.scheme}://{shown}{port}")


def check_server(url: str, *, insecure: bool) -> None:
    """Refuse (TransportRefused) a server URL the token must not be sent to."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise TransportRefused(
            _("the server URL {url!r} is not a valid URL").format(url=one_line(url))
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportRefused(
            _(
                "the server URL {url!r} must start with https:// (or http:// for this "
                "machine), e.g. https://dispatch.example"
            ).format(url=one_line(url))
        )
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise TransportRefused(
            _(
                "refusing to send the token to {server} in clear text (http:// to another "
                "host): use https://, or --insecure (DISPATCH_INSECURE=1) on a network you trust"
            ).format(server=where(url))
        )


@cache
def ssl_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """The context https:// is verified with: the system's trust store, or `ca_file`'s CAs.

    One per CA file for the process: the console opens a client for every sync."""
    if ca_file is None:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context = ssl.create_default_context(cafile=str(Path(ca_file).expanduser()))
    except FileNotFoundError:
        raise TransportRefused(
            _("the CA file {path} does not exist").format(path=one_line(str(ca_file)))
        ) from None
    except (OSError, ssl.SSLError) as exc:
        raise TransportRefused(
            _("the CA file {path} holds no PEM certificate this client can read ({why})").format(
                path=one_line(str(ca_file)), why=one_line(str(exc))[:80]
            )
        ) from None
    return context


def verify_for(
    base_url: str, token: str | None, transport: Any, *, insecure: bool, ca_file: Path | None
) -> ssl.SSLContext | bool:
    """httpx's `verify` for a client of `base_url`, once the URL passed `check_server`.

    A client with a `transport` of its own (the embedded service, tests) crosses no network.
    Without a token nothing secret is sent, so plain http:// to another host is let be."""
    if transport is not None:
        return True
    check_server(base_url, insecure=insecure or not token)
    return ssl_context(ca_file)


def untrusted(exc: BaseException) -> str | None:
    """The one line for a connection that failed because the server's certificate was not
    trusted (None for any other failure): what to do is not "is the service running?"."""
    seen: BaseException | None = exc
    for _step in range(10):  # httpx's error, httpcore's, then ssl's
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            reason = one_line(seen.verify_message or seen.reason or "not trusted")
            return _(
                "the server's certificate was not accepted ({reason}); if your desk runs "
                "its own CA, name its certificate with --ca-file or DISPATCH_CA_FILE"
            ).format(reason=reason)
        seen = seen.__cause__ or seen.__context__
    return None
