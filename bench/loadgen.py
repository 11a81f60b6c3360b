"""A lean HTTP/1.1 keep-alive client for the load phases: h11 over asyncio streams.

The load generator shares the machine's two cores with the server it measures. httpx spent
1.5-2.3 ms of CPU per request here (URL and header models, its transport layers), as much as
the server spent answering; h11 alone (the protocol state machine httpx and uvicorn use) with
asyncio streams spends about 0.1-0.2 ms, so the server gets the CPU the figures are about.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

import h11


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class LeanClient:
    """One keep-alive connection; requests on it run one after another (like one person)."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers = [("Host", f"{self.host}:{self.port}"), *headers.items()]
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._conn = h11.Connection(h11.CLIENT)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            self._conn = h11.Connection(h11.CLIENT)
        return self._reader, self._writer

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        reader, writer = await self._connect()
        target = self.prefix + path + (f"?{urlencode(params)}" if params else "")
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = list(self.headers)
        if headers:
            head += headers.items()
        if json_body is not None:
            head += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        conn = self._conn
        out = conn.send(h11.Request(method=method, target=target, headers=head)) or b""
        if body:
            out += conn.send(h11.Data(data=body)) or b""
        out += conn.send(h11.EndOfMessage()) or b""
        writer.write(out)
        status, got, chunks = 0, {}, []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                if not data:
                    self.close()
                    raise ConnectionError("the server closed the connection")
                conn.receive_data(data)
            elif isinstance(event, h11.Response):
                status = event.status_code
                got = {k.decode(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            self.close()
        else:
            conn.start_next_cycle()
        return Answer(status, got, b"".join(chunks))

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Answer:
        return await self.request("GET", path, params=params)

    async def patch(self, path: str, json_body: Any, headers: dict[str, str]) -> Answer:
        return await self.request("PATCH", path, json_body=json_body, headers=headers)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


class _OneAnswer(asyncio.Protocol):
    """Sends one request on a fresh connection and waits for its whole answer: the status
    line and Content-Length are all it parses, in the event loop's own read callback (no
    stream reader, no task woken per read). Then it closes the connection."""

    def __init__(self, request: bytes, done: asyncio.Future[tuple[int, float]]) -> None:
        self.request = request
        self.done = done
        self.data = bytearray()
        self.need = -1
        self.status = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.data += data
        if self.need < 0:
            end = self.data.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.data[:end]).split(b"\r\n")
            self.status = int(head[0].split(b" ", 2)[1])
            length = next(
                (
                    int(v)
                    for n, _, v in (h.partition(b":") for h in head[1:])
                    if n.strip().lower() == b"content-length"
                ),
                0,
            )
            self.need = end + 4 + length
        if len(self.data) >= self.need and not self.done.done():
            # The answer is complete: its time is taken before anything else is done.
            self.done.set_result((self.status, time.perf_counter()))
            assert self.transport is not None
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(exc or ConnectionError("closed before the whole answer"))


async def one_answer(host: str, port: int, request: bytes) -> tuple[int, float]:
    """(status, time.perf_counter() when the whole answer had arrived) of one request sent
    on a connection of its own; the answer must carry Content-Length."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[tuple[int, float]] = loop.create_future()
    await loop.create_connection(lambda: _OneAnswer(request, done), host, port)
    return await done


def event_loop_runner() -> asyncio.Runner:
    """An asyncio runner on uvloop when it is installed (as the service runs): the load
    generator's own loop costs less of the two cores it shares with the service."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)
