"""RFC 9457 problem details: every error the service gives has this shape."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("dispatch.server")


class ProblemError(Exception):
    """Raise to answer with a problem document; `extra` adds members (e.g. `current`)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or ("Invalid request" if status == 422 else HTTPStatus(status).phrase)
        self.extra = extra or {}
        self.headers = headers or {}


def invalid(field: str, detail: str) -> ProblemError:
    """A 422 about one field (query, header or body), with the RFC 9457 `errors` member."""
    return ProblemError(
        422,
        detail,
        title="Invalid request",
        extra={"errors": [{"field": field, "message": detail}]},
    )


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response; `type` is a stable slug of the title."""
    title = title or HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": "about:blank" if status >= 500 else f"/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra or {})
    return JSONResponse(
        jsonable_encoder(body), status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


RETRY_AFTER_SECONDS = 2


def unavailable(detail: str) -> JSONResponse:
    """503 with Retry-After: the database is away for a moment, the service is not."""
    return problem_response(
        503, detail, title="Service Unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def database_answer(exc: DBAPIError | PoolTimeout) -> JSONResponse:
    """The answer to a failure of the database: by the app's handlers, and by a middleware
    that reads the database before them (authentication, `authfirst`)."""
    if isinstance(exc, PoolTimeout):
        log.warning("no database connection free: %s", exc)
        return unavailable("the service is busy; nothing was changed, try again in a moment")
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        # PostgreSQL restarting, a killed connection, SQLite locked past its timeout:
        # the pool reconnects by itself, so the client should simply try again.
        log.warning("database unavailable: %s", exc.orig)
        return unavailable(
            "the database could not be reached; try again in a moment "
            "(a write may or may not have been applied: retry it with the same "
            "Idempotency-Key)"
        )
    log.exception("database error", exc_info=exc)
    return problem_response(500, "the service failed; nothing was changed")


MAX_LISTED_ERRORS = 50
"""A 422 lists this many errors at most (and counts the rest): 50,000 unknown keys made
an answer of 3 MB."""
_AUTH_FIRST = (
    "json_invalid",
    "repeated_parameter",
    "nameless_parameter",
    "int_digits",
    "duplicate_key",
)
"""Errors found before the endpoint's dependencies ran: the caller is authenticated first."""
_NOT_AN_OBJECT = {"model_attributes_type", "dict_type", "model_type"}
_NOT_AN_OBJECT_MESSAGE = "send a JSON object as the body, with Content-Type: application/json"


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            # loc is ("body", <character offset>): say what a person can act on.
            reason = (err.get("ctx") or {}).get("error", "")
            position = [p for p in err.get("loc", ()) if p != "body"]
            where = f" at character {position[0]}" if position else ""
            errors.append(
                {"field": "body", "message": f"the body is not valid JSON{where}: {reason}"}
            )
            continue
        if tuple(err.get("loc", ())) == ("body",) and err.get("type") in _NOT_AN_OBJECT:
            errors.append({"field": "body", "message": _NOT_AN_OBJECT_MESSAGE})
            continue
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            message = "this field cannot be set here"
        if err.get("type") == "string_pattern_mismatch" and "x00" in str(err.get("ctx")):
            message = "text may not contain NUL characters"
        errors.append({"field": ".".join(loc) or "body", "message": message})
    return errors


# The 401 a request deserves before its body errors, or None when it carries a live token.
# Handed in by the app (it is `authfirst.refused_without_token`): authfirst needs this module's
# problem documents, so importing authfirst from here would close an import circle.
AuthFirstCheck = Callable[[Request], Awaitable[JSONResponse | None]]


def install(app: FastAPI, refused_without_token: AuthFirstCheck) -> None:
    """Map every exception the service can meet onto a problem document."""

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, title=exc.title, extra=exc.extra, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The body was decoded before authentication ran: authenticate first.
        if any(e.get("type") in _AUTH_FIRST for e in exc.errors()) and (
            (refused := await refused_without_token(request)) is not None
        ):
            return refused
        errors = _field_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        extra: dict[str, Any] = {"errors": errors[:MAX_LISTED_ERRORS]}
        if len(errors) > MAX_LISTED_ERRORS:
            extra["errors_not_listed"] = len(errors) - MAX_LISTED_ERRORS
        return problem_response(
            422, detail or "the request is not valid", title="Invalid request", extra=extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            if (refused := await refused_without_token(request)) is not None:
                return refused
            # FastAPI's answer to JSON it cannot even parse (e.g. nested too deeply).
            return problem_response(
                422,
                "the body could not be read as JSON",
                title="Invalid request",
                extra={"errors": [{"field": "body", "message": "not readable as JSON"}]},
            )
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such resource"
        if exc.status_code == 405:
            detail = "this method is not allowed here"
        return problem_response(exc.status_code, detail, headers=dict(exc.headers or {}))

    _install_failures(app)


def _install_failures(app: FastAPI) -> None:
    """What the database or the service itself failed at: 422 for a value the database
    refuses, 503 when it cannot be reached (try again), 500 for the rest."""

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # A value validation let through that the database refuses: still the client's input.
        log.warning("database refused a value: %s", exc.orig)
        return problem_response(
            422,
            "a value in this request cannot be stored (out of range or not plain text)",
            title="Invalid request",
        )

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        return database_answer(exc)

    @app.exception_handler(PoolTimeout)
    async def _busy(_: Request, exc: PoolTimeout) -> JSONResponse:
        return database_answer(exc)

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem_response(500, "the service failed; nothing was changed")


class Problem(BaseModel):
    """RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None
    errors_not_listed: int | None = None
    current: dict[str, Any] | None = None


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses (and those any request
    may meet: 401, 408, 413, 415, 422, 429, 503)."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({401, 408, 413, 415, 422, 429, 503, *statuses}):
        out[status] = {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {}},
        }
    return out
