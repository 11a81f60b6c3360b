"""Talking to a service from the command line: one API call with the console's client
(against --server, or the embedded service on the local database), its errors as one-line
messages, and its answer as JSON or text. Any command group that talks to a service uses
these (and is named in `scope.TAKES_SERVER`)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from dispatch.cli.common import client_settings, fail
from dispatch.cli.scope import given, transport_options, warn_typed_token
from dispatch.i18n import _

T = TypeVar("T")


def call_service(server: str | None, token: str | None, call: Callable[[Any], Awaitable[T]]) -> T:
    """Run one API call with the shared client, turning its errors into clear messages."""
    from dispatch.client.api import ApiClient
    from dispatch.client.errors import ApiError, Unreachable
    from dispatch.client.tls import TransportRefused

    warn_typed_token(token)
    server, token = given(server, token)
    settings = client_settings(server=server, token=token, **transport_options())

    async def go() -> T:
        if settings.server:
            client = ApiClient(
                settings.server,
                settings.token,
                insecure=settings.insecure,
                ca_file=settings.ca_file,
            )
        else:
            from dispatch.embedded import embedded_transport, local_token

            client = ApiClient(
                "http://embedded",
                settings.token or local_token(settings),
                transport=embedded_transport(settings),
            )
        async with client:
            return await call(client)

    try:
        return asyncio.run(go())
    except TransportRefused as exc:  # before any connection: nothing was sent
        fail(str(exc), 2)
    except Unreachable as exc:
        from dispatch.client.tls import untrusted

        fail(
            untrusted(exc)
            or _("{problem}. Is the service running? Check --server / DISPATCH_SERVER.").format(
                problem=exc
            )
        )
    except ApiError as exc:  # a known problem in our words, else the server's, cleaned
        fail(_("{problem} (HTTP {status})").format(problem=exc.sentence, status=exc.status))
    raise AssertionError("unreachable")


def print_result(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """`data` as JSON for scripts (--json), else as `render` words it for people."""
    if as_json:
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        render(data)
