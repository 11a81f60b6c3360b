"""Authentication before body errors.

FastAPI reads and decodes a JSON body before it runs an endpoint's dependencies, so a
request with an unreadable body would learn about its body (422) before being told it has
no live token (401). The validation handlers ask this module first, so every endpoint but
`GET /health` answers 401 to a caller without a live token, whatever it sent.
"""

from __future__ import annotations

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from dispatch.server.http.deps import authenticate, caller_for
from dispatch.server.http.problems import ProblemError, database_answer, problem_response


async def refused_without_token(request: Request) -> JSONResponse | None:
    """The 401 this request deserves, or None when it carries a live token."""
    try:
        await anyio.to_thread.run_sync(
            caller_for, request.app.state.engine, request.headers.get("authorization")
        )
    except ProblemError as exc:
        return problem_response(exc.status, exc.detail, title=exc.title, headers=exc.headers)
    except (DBAPIError, PoolTimeout) as exc:  # raised in a handler, it would be a 500
        return database_answer(exc)
    return None


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value)
    return None


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body (a length above 0, or chunks)."""
    if _header(scope, b"transfer-encoding") is not None:
        return True
    length = _header(scope, b"content-length")
    return length is not None and length.strip() not in (b"", b"0")


class AuthFirst:
    """ASGI middleware: a request with a body is authenticated before a byte of it is read.

    Reading first let anyone without a token make the service buffer a mebibyte per
    connection for as long as they cared to trickle it (40 stalled uploads held 33 MB).
    Refused, the body stays unread and the connection is closed after the 401. Requests
    without a body are authenticated by the endpoints' own dependency, as before.
    """

    def __init__(self, app: ASGIApp, engine: Engine, exempt: frozenset[str]) -> None:
        self.app = app
        self.engine = engine
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt or not has_body(scope):
            await self.app(scope, receive, send)
            return
        authorization = _header(scope, b"authorization")
        try:
            await authenticate(
                self.engine, None if authorization is None else authorization.decode("latin-1")
            )
        except ProblemError as exc:
            answer = problem_response(
                exc.status,
                exc.detail,
                title=exc.title,
                headers={**exc.headers, "Connection": "close"},
            )
        except (DBAPIError, PoolTimeout) as exc:
            # Outside the app's exception handlers: a database away while the caller was
            # looked up was a 500 here, where inside the app it is a 503 to retry.
            answer = database_answer(exc)
            answer.headers["Connection"] = "close"  # the body stays unread
        else:
            await self.app(scope, receive, send)
            return
        await answer(scope, receive, send)
