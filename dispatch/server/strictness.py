"""Input the schema says is wrong is refused, even where Python would quietly coerce it.

Two holes schemathesis's negative-data check found: a query parameter given several times
(FastAPI silently keeps the last one) and `true` sent for a number (pydantic's lax mode
reads it as 1; see `dispatch.models.base.NoBoolNumbers`). Both are now 422.
"""

from __future__ import annotations

import types
from collections import Counter
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

REPEATED = "repeated_parameter"
"""Error type of a repeated single-value parameter; like unreadable JSON, the validation
handler authenticates first, so a caller without a token learns nothing but 401."""


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (Union, types.UnionType):
        return any(_is_sequence(arg) for arg in get_args(annotation))
    return False


_REPEATABLE = "_dispatch_repeatable"


def _repeatable(route: APIRoute) -> frozenset[str]:
    """The query parameters of `route` that take a list (worked out once per route)."""
    known: frozenset[str] | None = getattr(route, _REPEATABLE, None)
    if known is None:
        known = frozenset(
            param.alias
            for param in route.dependant.query_params
            if _is_sequence(param.field_info.annotation)
        )
        setattr(route, _REPEATABLE, known)
    return known


async def no_repeated_scalars(request: Request) -> None:
    """422 when a query parameter that takes one value is given more than once."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    query = request.scope.get("query_string", b"")
    if b"&" not in query:  # one parameter at most: nothing can repeat
        return
    repeatable = _repeatable(route)
    counts = Counter(key for key, _ in request.query_params.multi_items())
    repeated = sorted(k for k, n in counts.items() if n > 1 and k not in repeatable)
    if repeated:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", key),
                    "msg": "give this parameter once",
                    "type": REPEATED,
                    "input": request.query_params.getlist(key),
                }
                for key in repeated
            ]
        )
