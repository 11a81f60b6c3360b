"""Long-polls answered after the middleware stack: a parked answer and the app that sends it.

A long-poll is checked on the way in like any request (the failed-authentication and rate
limits, authentication, its query parameters). Then it waits, and when one write wakes
1,000 of them, each answer used to travel back out through every layer it came in by:
about 25 coroutine frames resumed, four `send` wrappers, FastAPI's exit stacks. That was
about a third of the service's time per answer (bench/RESULTS.md). Instead the endpoint
returns a `Parked` answer: the middleware stack returns without a response, and
`DispatchAPI` runs the parked coroutine with the server's own `receive` and `send`, so the
page goes out in one step. Its exceptions are answered by the app's exception handlers, as
they would have been inside the stack: the same problem answers, the same headers.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

PARKED = "dispatch.parked"
"""The scope key under which a parked answer waits for `DispatchAPI` to run it."""

Finish = Callable[[Receive], Awaitable[Response]]
"""Works out the answer; `receive` is the server's (it tells when the client has left)."""


Handler = Callable[[Request, Any], Response | Awaitable[Response]]


class Parked(Response):
    """Sends nothing inside the middleware stack: leaves `finish` to `DispatchAPI`."""

    def __init__(self, finish: Finish) -> None:
        super().__init__()
        self.finish = finish

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[PARKED] = self.finish


class DispatchAPI(FastAPI):
    """FastAPI, and the answers parked in the request's scope sent after its stack."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)
        finish: Finish | None = scope.pop(PARKED, None)
        if finish is None:
            return
        try:
            response = await finish(receive)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            answer = handler(Request(scope, receive), exc)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)

    def _handler_for(self, exc: Exception) -> Handler | None:
        """The exception handler the stack would have used (the nearest class first)."""
        for cls in type(exc).__mro__:
            handler = self.exception_handlers.get(cls)
            if handler is not None:
                return handler
        return None
