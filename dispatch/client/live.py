"""Following the change feed: long-poll, resume after errors, report what changed."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from dispatch.client.api import ApiClient
from dispatch.client.errors import Gone, ServerError, Unreachable

OnChanges = Callable[[list[dict[str, Any]], int], Awaitable[None]]
OnState = Callable[[bool], Awaitable[None]]


async def follow(
    client: ApiClient,
    since: int,
    on_changes: OnChanges,
    on_online: OnState,
    *,
    wait: float = 20.0,
    on_gone: Callable[[], Awaitable[int]] | None = None,
) -> None:
    """Long-poll GET /changes forever, calling `on_changes(changes, last_seq)` per batch.

    Network trouble flips `on_online(False)` and retries with capped, jittered backoff;
    a 410 calls `on_gone()`, which reloads everything and returns the new position.
    """
    delay = 0.5
    online: bool | None = None
    while True:
        try:
            page = await client.changes(since, wait=wait)
        except (Unreachable, ServerError):
            if online is not False:
                online = False
                await on_online(False)
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 15.0)
            continue
        except Gone:
            if on_gone is None:
                raise
            since = await on_gone()
            continue
        delay = 0.5
        if online is not True:
            online = True
            await on_online(True)
        if page["changes"]:
            await on_changes(page["changes"], page["last_seq"])
        since = page["last_seq"]
