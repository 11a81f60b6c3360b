"""Waiting on a pseudo-terminal's descriptor, for the tests that run commands in one."""

from __future__ import annotations

import select


def readable(fd: int, seconds: float) -> bool:
    """Whether `fd` has something to read (or was closed) within `seconds`. poll, not
    select: select refuses descriptors above 1024, which a long test process can reach."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(max(0.0, seconds) * 1000))
