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

from dispatch.server.deps import caller_for
from dispatch.server.problems import ProblemError, problem_response


async def refused_without_token(request: Request) -> JSONResponse | None:
    """The 401 this request deserves, or None when it carries a live token."""
    try:
        await anyio.to_thread.run_sync(
            caller_for, request.app.state.engine, request.headers.get("authorization")
        )
    except ProblemError as exc:
        return problem_response(exc.status, exc.detail, title=exc.title, headers=exc.headers)
    return None
