"""The console in German for a block of a test: `set_language("de")`, English again after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dispatch import i18n


@contextmanager
def in_german() -> Iterator[None]:
    """German from here to the end of the block, whatever the block did."""
    i18n.set_language("de")
    try:
        assert i18n._("Queue") != "Queue", "the German catalog is not loaded"
        yield
    finally:
        i18n.set_language("en")
