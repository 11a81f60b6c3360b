"""`uv run python -m bench.i18n_figures`: what translation costs a start and a queue.

- loading the German catalog in a fresh process: the compiled `.mo` with the stdlib (what
  dispatch does) against parsing the `.po` files with Babel (what it does not);
- formatting 10,000 due times and durations and reading 10,000 status words, English and
  German: the queue formats a row per ticket.

Medians of several runs; each start figure is a new interpreter, so imports count.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 7
ROWS = 10_000

MO = "from dispatch import i18n; i18n.set_language('de'); i18n._('Queue')"
PO = (
    "from pathlib import Path; from babel.messages.pofile import read_po; "
    "from dispatch import i18n; "
    "[read_po(p.open('rb')) for p in (i18n.LOCALE_DIR / 'de' / 'LC_MESSAGES').glob('*.po')]"
)
BARE = "import gettext"


def start_ms(code: str) -> float:
    """Median wall time of a fresh interpreter running `code`, in ms, less a bare start."""
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def rows_ms(language: str) -> tuple[float, float, float]:
    from dispatch import i18n
    from dispatch.display import clock, labels

    i18n.set_language(language)
    stamps = [f"2026-12-{1 + i % 28:02d}T{i % 24:02d}:15:00+00:00" for i in range(ROWS)]
    statuses = ["new", "triaged", "in_progress", "waiting_customer"] * (ROWS // 4)

    def timed(work: object) -> float:
        samples = []
        for _ in range(RUNS):
            began = time.perf_counter()
            work()  # type: ignore[operator]
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    moments = timed(lambda: [clock.moment(s) for s in stamps])
    durations = timed(lambda: [clock.duration(i) for i in range(ROWS)])
    words = timed(lambda: [labels.status(s) for s in statuses])
    i18n.set_language("en")
    return moments, durations, words


def main() -> None:
    subprocess.run([sys.executable, "-c", MO], check=True)  # compile the .mo, warm bytecode
    bare = start_ms(BARE)
    mo, po = start_ms(MO), start_ms(PO)
    print(f"German catalog at start-up, over a bare interpreter ({bare:.0f} ms):")
    print(f"  compiled .mo, stdlib gettext   {mo - bare:6.1f} ms")
    print(f"  .po files parsed with Babel    {po - bare:6.1f} ms")
    for language in ("en", "de"):
        moments, durations, words = rows_ms(language)
        print(
            f"{language}: {ROWS:,} clock.moment {moments:.1f} ms, "
            f"{ROWS:,} clock.duration {durations:.1f} ms, {ROWS:,} labels.status {words:.1f} ms"
        )


if __name__ == "__main__":
    main()
