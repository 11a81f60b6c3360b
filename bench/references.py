"""Reference figures: fzf over the same lines, Textual's DataTable with the same rows, and the
in-process suggestion ranking."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Figure, child_env, stop


def _log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


def fzf(cache_file: Path, workdir: Path, terms: list[str], ours: Figure | None) -> Figure:
    """`fzf --filter=QUERY` over every ticket's search line, for every prefix the console got."""
    from bench.mount_probe import queue_rows

    rows = queue_rows(cache_file)
    fig = Figure(
        "fzf",
        "reference: fzf --filter",
        "`fzf --filter=QUERY` (fuzzy, its default) reading the lines from a file, one process "
        "per query, for every prefix typed in the filter keystroke figure; wall time",
        f"{len(rows):,} lines (every cached ticket's search text, as the queue filters it)",
        "ms",
    )
    exe = shutil.which("fzf")
    if exe is None:
        fig.skipped = "fzf is not installed (apt-get install fzf); no reference"
        print("note: fzf is not installed; the fzf reference is skipped", file=sys.stderr)
        return fig
    lines = workdir / "fzf-lines.txt"
    lines.write_text("".join(row.search.replace("\n", " ") + "\n" for row in rows))
    queries = [term[:i] for term in terms for i in range(1, len(term) + 1)]
    for query in queries:
        with lines.open("rb") as stdin:
            began = time.perf_counter()
            subprocess.run(
                [exe, f"--filter={query}"],
                stdin=stdin,
                stdout=subprocess.DEVNULL,
                check=False,
                timeout=30,
            )
            fig.samples.append((time.perf_counter() - began) * 1000)
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    fig.notes.append(f"fzf {version.stdout.split()[0] if version.stdout else '?'}")
    if ours is not None and ours.samples:
        ratio = ours.median / fig.median
        fig.extra["ours_over_fzf_median"] = round(ratio, 2)
        fig.notes.append(
            f"our/fzf ratio (filter keystroke median / fzf median): {ratio:.2f} "
            f"(ours includes the repaint; fzf includes its process start and reading the file)"
        )
    _log(f"fzf: median {fig.median:.1f} ms")
    return fig


def tables(cache_file: Path, fast_runs: int, stock_runs: int) -> list[Figure]:
    """FastTable vs Textual's DataTable mounting every cached ticket, each in a fresh process."""
    results: dict[str, list[dict[str, float]]] = {"fast": [], "stock": []}
    notes: list[str] = []
    for kind, runs in (("fast", fast_runs), ("stock", stock_runs)):
        for _ in range(runs):
            proc = subprocess.Popen(
                [sys.executable, "-m", "bench.mount_probe", kind, str(cache_file)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=child_env(),
                start_new_session=True,
            )
            try:
                out, err = proc.communicate(timeout=180)
            except subprocess.TimeoutExpired:
                notes.append(f"{kind}: a run exceeded 180 s and was killed")
                break
            finally:
                stop(proc)
            if proc.returncode != 0:
                notes.append(f"{kind}: probe failed: {err.decode()[-300:]}")
                break
            results[kind].append(json.loads(out.decode().strip().splitlines()[-1]))
    figures = []
    rows = next((r[0]["rows"] for r in results.values() if r), 0)
    for kind, name in (("fast", "dispatch FastTable"), ("stock", "reference: stock DataTable")):
        fig = Figure(
            f"mount_{kind}",
            f"{name} mount, 1st frame",
            "a fresh process, rows prebuilt (not counted); from entering App.run_test (headless, "
            "120x40) until the first pilot.pause() returns: start, mount, layout, first render",
            f"{rows:,} rows (every cached ticket)",
            "s",
            stat="median",
        )
        fig.samples = [r["first_frame_s"] for r in results[kind]]
        if results[kind]:
            fig.extra["mount_call_s"] = [round(r["mount_call_s"], 3) for r in results[kind]]
            fig.extra["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results[kind])
            fig.extra["rss_mb_rows_built"] = max(r["rss_mb_rows_built"] for r in results[kind])
            fig.extra["rss_mb_table_added"] = max(r["rss_mb_table_added"] for r in results[kind])
            fig.notes.append(
                f"RSS {fig.extra['rss_mb_rows_built']:.0f} MB with the rows built, "
                f"+{fig.extra['rss_mb_table_added']:.0f} MB once the app painted the table"
            )
        fig.notes += [n for n in notes if n.startswith(kind)]
        figures.append(fig)
    fast, stock = figures
    if fast.samples and stock.samples:
        ratio = fast.median / stock.median
        stock.extra["ours_over_stock_median"] = round(ratio, 3)
        stock.notes.append(f"our/stock ratio (FastTable median / DataTable median): {ratio:.3f}")
    _log(f"mount: FastTable {fast.median:.2f} s, DataTable {stock.median:.2f} s")
    return figures


def suggestions(runs: int) -> Figure:
    """dispatch.domain.suggest.rank over bench/suggest_bench.py's world (200 techs, 20k appts)."""
    fig = Figure(
        "suggest",
        "suggestions for one ticket",
        "dispatch.domain.suggest.rank(ticket, technicians, busy, now) in-process after one warm "
        "call; the calendar of bench/suggest_bench.py (dense 14-day horizon)",
        "200 technicians, 20,000 appointments",
        "ms",
        target="< 50 ms",
        limit=50,
        stat="median",
    )
    try:
        from bench.suggest_bench import NOW, world
        from dispatch.domain.suggest import rank
    except ImportError as exc:
        fig.skipped = f"suggestion ranking not available: {exc}"
        return fig
    ticket, techs, busy = world()
    rank(ticket, techs, busy, NOW)
    for _ in range(runs):
        began = time.perf_counter()
        rank(ticket, techs, busy, NOW)
        fig.samples.append((time.perf_counter() - began) * 1000)
    _log(f"suggestions: median {fig.median:.1f} ms")
    return fig
