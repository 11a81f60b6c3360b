"""What write endpoints read and answer: ETags, If-Match, `WriteResult`, JSON responses.

The path a write takes is `write_path`; the versioned UPDATE is `persistence.versioned`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dispatch.server.http.problems import ProblemError


def etag(version: int) -> str:
    """The strong ETag of a resource at `version`."""
    return f'"{version}"'


def parse_if_match(value: str | None, *, required: bool) -> int | None:
    """The version an If-Match names; 428 when required and missing, 412 when unreadable."""
    if value is None or not value.strip():
        if required:
            raise ProblemError(
                428,
                "send If-Match with the ETag you last read, so no one else's change is overwritten",
                title="Precondition Required",
            )
        return None
    raw = value.strip()
    if raw == "*":
        # "*" matches any version, which is exactly the silent overwrite If-Match prevents.
        raise ProblemError(
            428,
            "If-Match: * would overwrite whatever is there; send the ETag you last read",
            title="Precondition Required",
        )
    if raw.startswith("W/"):
        # RFC 9110 13.1.1: If-Match compares strongly, and a weak tag never matches.
        raise ProblemError(
            412, f"If-Match {value!r} is a weak ETag; send the strong one this service gave out"
        )
    match = _STRONG_TAG.fullmatch(raw)
    if match is None:  # int() would also read " 1", "+1" and "1_0" (as 10)
        raise ProblemError(412, f"If-Match {value!r} is not an ETag this service gave out")
    return int(match[1])


_STRONG_TAG = re.compile(r'"([0-9]{1,10})"')


def stale(current: BaseModel, version: int) -> ProblemError:
    """412 carrying the current representation, so the client can show the conflict."""
    return ProblemError(
        412,
        f"this was changed by someone else meanwhile (you had version {version}, "
        f"it is now {getattr(current, 'version', '?')}); reload and decide again",
        title="Precondition Failed",
        extra={"current": jsonable_encoder(current)},
        headers={"ETag": etag(int(getattr(current, "version", 0)))},
    )


def require_version(
    if_match: str | None, current_version: int, current: Callable[[], BaseModel]
) -> int:
    """The version If-Match names: 428 without one, 412 (with `current()`) when stale or
    not a strong ETag this service gave out (every 412 carries the current representation,
    as the OpenAPI document promises)."""
    try:
        version = parse_if_match(if_match, required=True)
    except ProblemError as exc:
        if exc.status == 412:
            now = current()
            exc.extra["current"] = jsonable_encoder(now)
            exc.headers["ETag"] = etag(int(getattr(now, "version", 0)))
        raise
    assert version is not None
    if version != current_version:
        raise stale(current(), version)
    return version


@dataclass
class WriteResult:
    """What a write produced: a status, a JSON body and optional ETag / Location."""

    status: int
    body: Any
    etag: str | None = None
    location: str | None = None
    remembered: Any = None
    """What an Idempotency-Key replay answers instead of `body` (for bodies with secrets)."""


def content_etag(model: BaseModel) -> str:
    """A strong ETag from the representation itself, for resources without a version."""
    raw = json.dumps(jsonable_encoder(model), sort_keys=True, separators=(",", ":"))
    return f'"c{hashlib.sha256(raw.encode()).hexdigest()[:16]}"'


class PreparedJSON(JSONResponse):
    """A JSON response whose body was serialised already (bytes pass through as they are)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)

    @classmethod
    def page(cls, body: bytes) -> PreparedJSON:
        """A 200 with `body` and no other header: the same answer as `PreparedJSON(body)`,
        without working the headers out again for each of the long-polls one write wakes."""
        answer = cls.__new__(cls)
        answer.status_code = 200
        answer.background = None
        answer.body = body
        answer.raw_headers = [(b"content-length", str(len(body)).encode()), _JSON_TYPE]
        return answer


_JSON_TYPE = (b"content-type", b"application/json")


def json_response(model: BaseModel, *, tag: str | None = None) -> JSONResponse:
    """Serialise with pydantic's own JSON encoder: the same JSON as jsonable_encoder, at a
    fraction of the CPU (it was a quarter of the service's time in a 100k initial sync)."""
    headers = {"ETag": tag} if tag else None
    return PreparedJSON(model.model_dump_json().encode(), headers=headers)
