"""One table mounting every cached ticket as a queue row, headless; prints one JSON line.

Run by `python -m bench` in a fresh process per sample (so imports, memory and caches of one
sample never help the next): `python -m bench.mount_probe fast|stock CACHE_FILE`.

`fast` is dispatch's FastTable fed the queue's own rows (dispatch.widgets.rows), `stock`
is Textual's DataTable fed the same cells. Timed from entering `App.run_test` until the first
`pilot.pause()` returns: app start, mount, layout and the first full render of the screen.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from dispatch.client.cache import LocalCache
from dispatch.client.store import Store
from dispatch.widgets.fast_table import FastTable, Row
from dispatch.widgets.rows import QUEUE_COLUMNS, ticket_row


def queue_rows(cache_file: Path) -> list[Row]:
    cache = LocalCache(cache_file)
    store = Store()
    store.put_tickets(cache.load("ticket"))
    cache.close()
    now = datetime.now().astimezone()
    return [ticket_row(t, now) for t in store.tickets.values()]


class Probe(App[None]):
    def __init__(self, kind: str, rows: list[Row]) -> None:
        super().__init__()
        self.kind, self.rows, self.mount_seconds = kind, rows, 0.0

    def compose(self) -> ComposeResult:
        yield FastTable() if self.kind == "fast" else DataTable()

    def on_mount(self) -> None:
        began = time.perf_counter()
        if self.kind == "fast":
            fast = self.query_one(FastTable)
            fast.set_columns(QUEUE_COLUMNS)
            fast.set_rows(self.rows)
            fast.focus()
        else:
            stock: DataTable[str] = self.query_one(DataTable)
            stock.add_columns(*(c.label for c in QUEUE_COLUMNS))
            stock.add_rows(row.cells for row in self.rows)
            stock.focus()
        self.mount_seconds = time.perf_counter() - began


def rss_mb() -> float:
    """Current resident set size (VmRSS) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(kind: str, cache_file: Path) -> None:
    rows = queue_rows(cache_file)
    gc.collect()
    rss_before = rss_mb()
    app = Probe(kind, rows)
    began = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first_frame = time.perf_counter() - began
        rss_after = rss_mb()
    result = {
        "kind": kind,
        "rows": len(rows),
        "first_frame_s": first_frame,
        "mount_call_s": app.mount_seconds,
        "rss_mb_rows_built": rss_before,
        "rss_mb_table_added": rss_after - rss_before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
