"""The embedded service's transport, which runs the app's lifespan beside the console."""

from __future__ import annotations

import asyncio
import logging

import httpx
from fastapi import FastAPI

log = logging.getLogger("dispatch.embedded")


class LivingTransport(httpx.ASGITransport):
    """ASGITransport that, once `housekeeping` is on, runs the app's lifespan from the first
    request on, in that request's event loop, until the loop ends (which cancels it, and the
    lifespan's own clean-up runs). Another loop later (the console's, after a preflight
    check in a loop of its own) starts it again there.

    Started by a request, so it begins after the console's first frame, never before.
    """

    def __init__(self, app: FastAPI, *, housekeeping: bool = False) -> None:
        super().__init__(app=app)
        self.fastapi = app
        self.housekeeping = housekeeping
        self._life: asyncio.Task[None] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.housekeeping:
            self._keep_alive()
        return await super().handle_async_request(request)

    def _keep_alive(self) -> None:
        loop = asyncio.get_running_loop()
        if self._life is not None and not self._life.done() and self._life.get_loop() is loop:
            return
        self._life = loop.create_task(self._live(), name="dispatch-embedded-lifespan")
        self._life.add_done_callback(_report)

    async def _live(self) -> None:
        async with self.fastapi.router.lifespan_context(self.fastapi):
            await asyncio.Event().wait()  # until the loop ends and cancels this task

    @property
    def living(self) -> bool:
        """Whether the lifespan is running (tests read it)."""
        return self._life is not None and not self._life.done()


def _report(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the embedded service's housekeeping stopped", exc_info=task.exception())
