"""Benchmark FastTable headless with 100,000 synthetic queue rows; prints figures, asserts none.

Run: uv run python bench/table_bench.py [ROWS] [--gc-freeze]

Each interaction is timed from the call (action / set_filter) until `pilot.pause()` returns,
which includes the repaint and Textual's idle detection (it sleeps at least 1/50 s per call), so
the CPU time spent in the same span is printed too: that is the work the widget costs.
The table is sorted by SLA like the queue (rows then lie in sort order, scattered over the heap),
and the filter types the console benchmark's terms letter by letter with a clear after each;
first letters and clears re-filter every row, following letters only the rows still shown.
`set_filter` alone is timed too (`own`), without the repaint.
`--gc-freeze` moves the loaded rows out of the cyclic GC's sight (`gc.freeze()`), which is what
an app can do after a bulk load to avoid full-collection pauses over 100k rows.
"""

from __future__ import annotations

import asyncio
import gc
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from dispatch.widgets.fast_table import Column, FastTable, Row, fold

COLUMNS = [
    Column("priority", "Pri", width=3),
    Column("sla", "SLA", width=7, align="right"),
    Column("number", "No.", width=6),
    Column("customer", "Customer", width=None, min_width=10),
    Column("title", "Title", width=None, min_width=12),
    Column("status", "Status", width=11),
    Column("assignee", "Assignee", width=14),
    Column("age", "Age", width=4, align="right"),
]
CUSTOMERS = [
    "Bäckerei Schulz",
    "Stadtwerke Hagen",
    "Kanzlei Roth",
    "Autohaus Meier",
    "Praxis Dr. Öz",
]
TOPICS = [
    "printer offline",
    "VPN drops",
    "mail quota",
    "backup failed",
    "new laptop",
    "switch down",
]
STATUSES = ["new", "triaged", "scheduled", "in progress", "waiting cust", "resolved"]
PEOPLE = ["", "A. Becker", "J. Novak", "M. Yilmaz", "S. Keller"]
FILTER_TERMS = ["vpn", "bäck", "1550", "drucker", "engel"]  # = bench.console_figures.FILTER_TERMS


def synthetic_rows(count: int, seed: int = 7) -> list[Row]:
    """Rows shaped like the ticket queue (8 columns, per-cell styles, typed sort keys)."""
    rnd = random.Random(seed)
    rows = []
    for i in range(count):
        priority = f"P{rnd.randint(1, 4)}"
        minutes = rnd.randint(-600, 3000)
        sla = f"{'-' if minutes < 0 else ''}{abs(minutes) // 60}h{abs(minutes) % 60:02d}m"
        cells = (
            priority,
            sla,
            str(100000 + i),
            rnd.choice(CUSTOMERS),
            f"{rnd.choice(TOPICS)} at site {rnd.randint(1, 40)}",
            rnd.choice(STATUSES),
            rnd.choice(PEOPLE),
            f"{rnd.randint(0, 90)}d",
        )
        rows.append(
            Row(
                key=i,
                cells=cells,
                search=fold(" ".join(cells)),
                style="bold" if minutes < 0 else "",
                cell_styles=("bold red" if priority == "P1" else "", "red" if minutes < 0 else "")
                + ("",) * 6,
                sort_keys=(priority, minutes, 100000 + i, None, None, None, None, None),
            )
        )
    return rows


class BenchApp(App[None]):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows
        self.mount_seconds = 0.0

    def compose(self) -> ComposeResult:
        yield FastTable()

    def on_mount(self) -> None:
        start = time.perf_counter()
        table = self.query_one(FastTable)
        table.set_columns(COLUMNS)
        table.sort_by("sla")  # as the queue: most urgent first
        table.set_rows(self.rows)
        table.focus()
        self.mount_seconds = time.perf_counter() - start


async def timed(
    pilot: Pilot[None], step: Callable[[], object], times: int
) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds for `step` followed by `pilot.pause()`, `times` times."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(times):
        w, c = time.perf_counter(), time.process_time()
        step()
        await pilot.pause()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def report(name: str, wall: list[float], cpu: list[float]) -> None:
    print(
        f"{name:<22} wall p50 {pct(wall, 50):6.1f} ms  p95 {pct(wall, 95):6.1f} ms"
        f"   cpu p50 {pct(cpu, 50):6.1f} ms  p95 {pct(cpu, 95):6.1f} ms   (n={len(wall)})"
    )


async def main(count: int, freeze: bool) -> None:
    print(f"RSS at start {rss_mb():.0f} MB")
    start = time.perf_counter()
    rows = synthetic_rows(count)
    print(
        f"rows: {count:,} (built in {time.perf_counter() - start:.2f} s, not counted; "
        f"RSS so far {rss_mb():.0f} MB)"
    )
    app = BenchApp(rows)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first_frame = time.perf_counter() - start
        table = app.query_one(FastTable)
        if freeze:
            gc.freeze()
        print(
            f"mount: set_columns + set_rows {app.mount_seconds * 1000:.0f} ms; "
            f"app start to first frame {first_frame:.2f} s"
        )

        report("cursor move (j)", *await timed(pilot, table.action_cursor_down, 200))
        report("cursor move (k)", *await timed(pilot, table.action_cursor_up, 100))
        report("page down", *await timed(pilot, table.action_page_down, 100))
        report("page up", *await timed(pilot, table.action_page_up, 50))

        kinds = ("first letter", "next letters", "clear")
        wall: dict[str, list[float]] = {kind: [] for kind in kinds}
        cpu: dict[str, list[float]] = {kind: [] for kind in kinds}
        own: dict[str, list[float]] = {kind: [] for kind in kinds}

        def set_filter(text: str, kind: str) -> None:
            began = time.process_time()
            table.set_filter(text)
            own[kind].append((time.process_time() - began) * 1000)

        began = time.perf_counter()
        table.prepare_filter()  # what opening the filter box does
        print(
            f"prepare_filter (the filter box opens) {(time.perf_counter() - began) * 1000:.1f} ms"
        )
        for term in FILTER_TERMS * 4:
            texts = [term[:i] for i in range(1, len(term) + 1)] + [""]
            for i, text in enumerate(texts):
                kind = kinds[0] if i == 0 else kinds[2] if not text else kinds[1]
                w, c = await timed(pilot, partial(set_filter, text, kind), 1)
                wall[kind] += w
                cpu[kind] += c
        for kind in kinds:
            report(f"filter: {kind}", wall[kind], cpu[kind])
            print(
                f"{'':22} set_filter own cpu p50 {pct(own[kind], 50):6.1f} ms  p95 "
                f"{pct(own[kind], 95):6.1f} ms"
            )
        everything = [v for kind in kinds for v in cpu[kind]]
        report("filter keystroke", [v for kind in kinds for v in wall[kind]], everything)

        def sort_step(state: list[bool] = [False]) -> None:  # noqa: B006 - toggles per call
            state[0] = not state[0]
            table.sort_by("sla", reverse=state[0])

        report("sort by SLA (toggle)", *await timed(pilot, sort_step, 10))
        rnd = random.Random(1)

        def upsert_step() -> None:
            row = rows[rnd.randrange(count)]
            table.upsert_row(Row(row.key, row.cells, row.search, "red", None, row.sort_keys), True)

        report("live upsert (sorted)", *await timed(pilot, upsert_step, 50))
        table.sort_by(None)

        def new_row_step() -> None:
            key = count + rnd.randrange(10**6)
            table.upsert_row(Row(key, rows[0].cells, rows[0].search, sort_keys=rows[0].sort_keys))

        report("insert new row", *await timed(pilot, new_row_step, 50))

    print(f"peak RSS: {rss_mb():.0f} MB (rows included)")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else 100_000, "--gc-freeze" in sys.argv))
