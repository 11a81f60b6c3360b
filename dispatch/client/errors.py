"""The client's own errors, mapped from httpx and from problem documents."""

from __future__ import annotations

from typing import Any

from dispatch.display.safe import one_line


class ApiError(Exception):
    """The service answered with an error (a problem document)."""

    def __init__(self, status: int, title: str, detail: str, body: dict[str, Any] | None = None):
        super().__init__(f"{title}: {detail}" if detail else title)
        self.status = status
        self.title = title
        self.detail = detail
        self.body = body or {}

    @property
    def sentence(self) -> str:
        """What a person reads: the client's own sentence, in the chosen language, for the
        problem types it knows; the service's detail (or title) for the others."""
        from dispatch.client.problem_words import sentence

        problem = {**self.body, "status": self.status, "title": self.title}
        problem["detail"] = self.detail
        return sentence(problem)

    @property
    def current(self) -> dict[str, Any] | None:
        """On a 412: the resource as it is now on the service."""
        value = self.body.get("current")
        return value if isinstance(value, dict) else None


class Unauthorized(ApiError):
    """401: no token, or an unknown or revoked one."""


class Forbidden(ApiError):
    """403: the role may not do this."""


class NotFound(ApiError):
    """404: no such object, or not one this user may see."""


class Conflict(ApiError):
    """409: the request clashes with the current state (slot taken, illegal status)."""


class Stale(ApiError):
    """412: someone else changed it meanwhile; `current` holds their version."""


class Gone(ApiError):
    """410: the change feed no longer reaches back that far; resync."""


class Invalid(ApiError):
    """422 (and other 4xx): the request itself is wrong."""


class ServerError(ApiError):
    """5xx: the service failed; worth retrying."""


class TooManyRequests(ServerError):
    """429: this token sent too much too fast; retried like a 5xx, after Retry-After."""

    @property
    def retry_after(self) -> float:
        try:
            return float(self.body.get("retry_after", 1))
        except (TypeError, ValueError):
            return 1.0


class ContractError(ServerError):
    """The server answered, but not as the dispatch contract says (not JSON, the wrong
    shape, an HTML page): a wrong URL, a proxy's page, another version. A server failure
    like a 5xx: the console retries, the CLI and the console's start say it in one line."""


class Unreachable(Exception):
    """The service could not be reached at all (network, DNS, refused, timeout)."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    412: Stale,
    429: TooManyRequests,
}


# A problem's title and detail are the server's text: shown in one line, at most this long.
TITLE_CHARS = 80
DETAIL_CHARS = 300


def shorten(text: object, limit: int) -> str:
    """`text` on one line, without control characters, cut to `limit` characters."""
    line = one_line(text).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def error_for(status: int, body: dict[str, Any]) -> ApiError:
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else Invalid)
    title = shorten(body.get("title") or f"HTTP {status}", TITLE_CHARS)
    detail = shorten(body.get("detail") or "", DETAIL_CHARS)
    return cls(status, title, detail, body)
