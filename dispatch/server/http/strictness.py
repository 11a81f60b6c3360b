"""Input the schema says is wrong is refused, even where Python would quietly coerce it.

Two holes schemathesis's negative-data check found: a query parameter given several times
(FastAPI silently keeps the last one) and `true` sent for a number (pydantic's lax mode
reads it as 1; see `dispatch.models.base.NoBoolNumbers`). Both are now 422.
"""

from __future__ import annotations

import json
import re
import types
from collections import Counter
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from dispatch.server.http.problems import ProblemError

REPEATED = "repeated_parameter"
NAMELESS = "nameless_parameter"
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
    """422 when a query parameter that takes one value is given more than once, or a whole
    number is not written in plain digits."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    if _int_params(route) and (loose := _not_plain(request, route)):
        raise RequestValidationError(loose)
    query = request.scope.get("query_string", b"")
    if b"=" in query and any(key == "" for key, _ in request.query_params.multi_items()):
        # `?=x` names no parameter: it is nobody's input, so it is refused, not ignored
        raise RequestValidationError(
            [{"loc": ("query", ""), "msg": "a query parameter needs a name", "type": NAMELESS}]
        )
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


# -- whole numbers in paths and queries ---------------------------------------------------
DIGITS = "int_digits"
"""Error type of a number that is not plain digits; authenticated first, like REPEATED."""
_PLAIN_INT = re.compile(r"-?[0-9]+")
_INTS = "_dispatch_int_params"


def _takes_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(_takes_int(arg) for arg in get_args(annotation))


def _int_params(route: APIRoute) -> tuple[tuple[str, str], ...]:
    """(where, name) of the path and query parameters of `route` that take whole numbers."""
    known: tuple[tuple[str, str], ...] | None = getattr(route, _INTS, None)
    if known is None:
        known = tuple(
            (where, param.alias)
            for where, params in (
                ("path", route.dependant.path_params),
                ("query", route.dependant.query_params),
            )
            for param in params
            if _takes_int(param.field_info.annotation)
        )
        setattr(route, _INTS, known)
    return known


def _not_plain(request: Request, route: APIRoute) -> list[dict[str, Any]]:
    """Errors for the whole-number parameters that are not written as plain digits:
    pydantic reads " 1", "+1", "1.0" as 1 and "1_0" as 10."""
    errors: list[dict[str, Any]] = []
    for where, name in _int_params(route):
        values = (
            [request.path_params[name]]
            if where == "path" and name in request.path_params
            else request.query_params.getlist(name)
            if where == "query"
            else []
        )
        for value in values:
            if isinstance(value, str) and not _PLAIN_INT.fullmatch(value):
                errors.append(
                    {
                        "loc": (where, name),
                        "msg": "give a whole number in plain digits",
                        "type": DIGITS,
                        "input": value,
                    }
                )
    return errors


# -- request bodies ------------------------------------------------------------------------
DUPLICATE = "duplicate_key"
"""Error type of a JSON object that names a key twice (json.loads would keep the last)."""


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _is_json(content_type: str) -> bool:
    """`application/json`, with no parameter but `charset=utf-8`."""
    media, *params = (p.strip().lower() for p in content_type.split(";"))
    if media != "application/json":
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() != "charset" or value.strip().strip('"') not in ("utf-8", "utf8"):
            return False
    return True


async def strict_body(request: Request) -> None:
    """415 for a body that is not `application/json` (charset utf-8); 422 for a JSON object
    that gives a key twice, which FastAPI would quietly read as its last value."""
    body = await request.body()  # read already (by BodyLimit and the endpoint): no I/O
    if not body:
        return
    if not _is_json(request.headers.get("content-type", "")):
        raise ProblemError(
            415,
            "send the body as JSON with Content-Type: application/json",
            title="Unsupported Media Type",
        )
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except _Duplicate as dup:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", dup.key),
                    "msg": "this key is given more than once",
                    "type": DUPLICATE,
                    "input": dup.key,
                }
            ]
        ) from None
    except (ValueError, RecursionError):
        return  # not JSON at all: the endpoint's own parsing says what is wrong
