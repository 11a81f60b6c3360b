"""The one path of every write endpoint: `@write_endpoint`.

A write endpoint is a plain function of its parameters, one `WriteSessionDep` and one
`CallerDep`, that returns a `WriteResult`. `@write_endpoint` makes it an `async def` that
reads the request's Idempotency-Key and fingerprint, queues the body for the process's writer
(`persistence.writer.Writer`: it runs in the batch's session, one request at a time, commits
grouped) and answers once the batch has committed. In the batch it honours the key: the
answer is stored together with the change, so a retry after a lost response replays it
instead of applying the write twice. An endpoint with a `dry_run` parameter answers a dry run
and rolls it back.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.params import Depends
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from dispatch.server.http.deps import Caller, get_write_session
from dispatch.server.http.problems import ProblemError, invalid
from dispatch.server.http.writes import WriteResult
from dispatch.server.persistence.feed import lock_writes
from dispatch.server.persistence.idempotency import Answer, recall, remember
from dispatch.server.persistence.writer import Writer

MAX_KEY_LENGTH = 200
_REQUEST = "_writer_request"
DRY_RUN = "dry_run"


@dataclass(frozen=True, slots=True)
class _Write:
    """What the write path knows of a request before its body runs."""

    caller: Caller
    key: str | None
    """The Idempotency-Key; None without one, and for a dry run (nothing to remember)."""
    fingerprint: str
    keep_hours: float
    dry_run: bool


def write_endpoint(
    endpoint: Callable[..., WriteResult],
) -> Callable[..., Coroutine[Any, Any, Response]]:
    """Turn a sync write endpoint into the `async def` FastAPI serves (see the module).

    FastAPI sees the endpoint's own signature (annotations evaluated in its module) minus
    the session, plus a `Request` if the endpoint declares none; the body gets the batch's
    session in place of its `WriteSessionDep`.
    """
    signature = inspect.signature(endpoint, eval_str=True)
    session_name = _the_one(endpoint, signature, _is_write_session, "WriteSessionDep")
    caller_name = _the_one(endpoint, signature, _is_caller, "CallerDep")
    params = [p for p in signature.parameters.values() if p.name != session_name]
    request_name = next((p.name for p in params if p.annotation is Request), None)
    if request_name is None:
        request_name = _REQUEST
        params.append(
            inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        )
    dry_run_name = DRY_RUN if DRY_RUN in signature.parameters else None

    @functools.wraps(endpoint)
    async def queued(**kwargs: Any) -> Response:
        request: Request = kwargs[request_name]
        if request_name == _REQUEST:
            del kwargs[_REQUEST]
        dry_run = bool(dry_run_name and kwargs[dry_run_name])
        key = _idempotency_key(request)  # a bad one is refused, also for a dry run
        write = _Write(
            caller=kwargs[caller_name],
            key=None if dry_run else key,
            fingerprint=fingerprint(request),
            keep_hours=request.app.state.settings.idempotency_hours,
            dry_run=dry_run,
        )
        writer: Writer = request.app.state.writer

        def body(session: Session) -> WriteResult:
            return endpoint(**kwargs, **{session_name: session})

        return await writer.run(functools.partial(_run, write, body))

    queued.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=params, return_annotation=Response
    )
    return queued


def _the_one(
    endpoint: Callable[..., Any],
    signature: inspect.Signature,
    wanted: Callable[[Any], bool],
    what: str,
) -> str:
    names = [p.name for p in signature.parameters.values() if wanted(p.annotation)]
    if len(names) != 1:
        raise TypeError(f"{endpoint.__name__} needs exactly one {what} parameter")
    return names[0]


def _is_write_session(annotation: Any) -> bool:
    if get_origin(annotation) is not Annotated:
        return False
    return any(
        isinstance(m, Depends) and m.dependency is get_write_session
        for m in get_args(annotation)[1:]
    )


def _is_caller(annotation: Any) -> bool:
    return get_origin(annotation) is Annotated and get_args(annotation)[0] is Caller


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise invalid(
            "header.Idempotency-Key", f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} characters"
        )
    return key


def fingerprint(request: Request) -> str:
    body_sha = request.scope.get("state", {}).get("body_sha256", "")
    raw = f"{request.method} {request.url.path}?{request.url.query} {body_sha}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _run(write: _Write, body: Callable[[Session], WriteResult], session: Session) -> Response:
    """The write in the batch's `session`: its answer once stored with its key, committed.

    A key is looked up only when it turns out to be taken, not before every write (that was
    one more round trip per write, and writes run one after another on the writer). A repeat
    is refused by the change it repeats (If-Match is stale by then), or its body runs again
    and is then undone when its key is found taken: either way it gets the first answer, and
    nothing of it stays.
    """
    lock_writes(session)
    try:
        result = body(session)
    except ProblemError:
        if write.key and (replay := _replay(session, write, write.key)) is not None:
            return replay
        raise
    answer = Answer(result.status, _json(result.body), result.etag, result.location)
    if write.dry_run:
        session.rollback()
        # Nothing was written, so there is no new version to tag.
        return _response(Answer(answer.status, answer.body, None, None))
    try:
        if write.key and not _remember(session, write, write.key, answer, result):
            session.rollback()  # the key is taken: this repeats an earlier write
            replay = _replay(session, write, write.key)
            if replay is not None:
                return replay
            raise _clash()  # taken, then forgotten, in the same instant
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _clash() from None
    return _response(answer)


def _remember(
    session: Session, write: _Write, key: str, answer: Answer, result: WriteResult
) -> bool:
    """Store the answer a replay gives (`remembered`, for bodies with secrets, or the body)."""
    if result.remembered is not None:
        answer = Answer(answer.status, _json(result.remembered), answer.etag, answer.location)
    return remember(session, write.caller.id, key, write.fingerprint, answer, write.keep_hours)


def _replay(session: Session, write: _Write, key: str) -> Response | None:
    """The stored answer for the caller's `key`; None when new (or forgotten)."""
    record = recall(session, write.caller.id, key, write.keep_hours)
    if record is None:
        return None
    if record.fingerprint != write.fingerprint:
        raise ProblemError(
            422,
            "this Idempotency-Key was used before with another request; use a fresh key",
            title="Idempotency key reused",
        )
    response = _response(Answer(record.status_code, record.body, record.etag, record.location))
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _clash() -> ProblemError:
    return ProblemError(409, "this clashed with another change made at the same moment; try again")


def _response(answer: Answer) -> Response:
    headers: dict[str, str] = {}
    if answer.etag:
        headers["ETag"] = answer.etag
    if answer.location:
        headers["Location"] = answer.location
    if answer.status == 204:
        return Response(status_code=204, headers=headers)
    return Response(
        answer.body, status_code=answer.status, headers=headers, media_type="application/json"
    )


def _json(body: Any) -> str:
    """A write's answer as JSON: pydantic's own encoder for models (the same JSON as
    jsonable_encoder + json.dumps, non-ASCII left as UTF-8), inside the writers' lock."""
    if isinstance(body, BaseModel):
        return body.model_dump_json()
    return json.dumps(jsonable_encoder(body), separators=(",", ":"))
