"""A response's head and body in one write to the socket.

uvicorn writes the status line and headers when the app sends `http.response.start`, and the
body when it sends `http.response.body`: two writes, and on uvloop two `send` calls, two TCP
segments and two wake-ups of the client for every answer. When one write wakes every
console's long-poll, those second calls were about half of the service's CPU for the answers
and doubled the client's reads (bench/RESULTS.md). `HeadWithBody` stands between one
request's cycle and its connection and holds the head until the body's first write, which
then carries both.

The head never waits longer than the current pass of the event loop: a response whose body
is slow to come (a stream, a file read in a thread) or never comes (HEAD) has its head
written by a callback scheduled when it was held, and closing the connection writes it first.
Only the cycle's own writes pass here, in order; everything else uvicorn writes (a 100
Continue, a 400 for a malformed request) goes to the connection as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import RequestResponseCycle


class HeadWithBody(asyncio.Transport):
    """One request's view of its connection: the head held until the body joins it."""

    __slots__ = ("_cycle", "_head", "_loop", "_transport")

    def __init__(
        self,
        transport: asyncio.Transport,
        cycle: RequestResponseCycle,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__()
        self._transport = transport
        # Dropped once the head is held: the cycle holds this view as its transport, and a
        # cycle of the two outlived every request until a full collection of the collector.
        self._cycle: RequestResponseCycle | None = cycle
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.writelines((head, data))  # one writev: the body is not copied
        elif self._cycle is not None and self._cycle.response_started:
            # The cycle writes its head as soon as the response has started, before its body.
            self._cycle = None
            self._head = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        """Write a head still held (its body did not follow in the same pass)."""
        head, self._head = self._head, None
        if head is not None and not self._transport.is_closing():
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def get_write_buffer_size(self) -> int:
        held = len(self._head) if self._head is not None else 0
        return held + self._transport.get_write_buffer_size()


def one_write(
    cycle: RequestResponseCycle | None,
    transport: asyncio.Transport,
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Give a cycle just made on `transport` the `HeadWithBody` view of it (once)."""
    if cycle is not None and cycle.transport is transport:
        cycle.transport = HeadWithBody(transport, cycle, loop)
