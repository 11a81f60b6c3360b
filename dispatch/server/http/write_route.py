"""`@on_the_writer`: a write endpoint whose body runs on the process's writer, in a batch."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar, get_args, get_origin

from fastapi import Request
from fastapi.params import Depends
from sqlmodel import Session

from dispatch.server.http.deps import get_write_session
from dispatch.server.persistence.writer import Writer

T = TypeVar("T")
_REQUEST = "_writer_request"


def _is_write_session(annotation: Any) -> bool:
    if get_origin(annotation) is not Annotated:
        return False
    return any(
        isinstance(m, Depends) and m.dependency is get_write_session
        for m in get_args(annotation)[1:]
    )


def on_the_writer(endpoint: Callable[..., T]) -> Callable[..., Coroutine[Any, Any, T]]:
    """Turn a sync write endpoint (one `WriteSessionDep` parameter) into an `async def` that
    queues its body for `app.state.writer` and answers once the batch has committed.

    The body gets the batch's savepoint session in place of its `WriteSessionDep`, so
    `run_write` and the body stay as they are. FastAPI sees the endpoint's own signature
    (annotations evaluated in its module) minus that parameter, plus a `Request` if the
    endpoint declares none.
    """
    signature = inspect.signature(endpoint, eval_str=True)
    sessions = [p.name for p in signature.parameters.values() if _is_write_session(p.annotation)]
    if len(sessions) != 1:
        raise TypeError(f"{endpoint.__name__} needs exactly one WriteSessionDep parameter")
    session_name = sessions[0]
    params = [p for p in signature.parameters.values() if p.name != session_name]
    request_name = next((p.name for p in params if p.annotation is Request), None)
    if request_name is None:
        request_name = _REQUEST
        params.append(
            inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        )

    @functools.wraps(endpoint)
    async def queued(**kwargs: Any) -> T:
        request: Request = kwargs[request_name]
        if request_name == _REQUEST:
            del kwargs[_REQUEST]
        writer: Writer = request.app.state.writer

        def work(session: Session) -> T:
            return endpoint(**kwargs, **{session_name: session})

        return await writer.run(work)

    queued.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return queued
