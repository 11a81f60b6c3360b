"""`uv run python -m bench [--quick] [--json]`: the figures that say the desk is fast.

Generates its own data (the demo generator, seed 7) in a temporary directory, starts
`dispatch serve` on 127.0.0.1 and a random port, drives the real console in a pseudo-terminal,
and prints one table: median and p95 of every figure over repeated runs, with its target.
`--json` prints the same as JSON on stdout (progress always goes to stderr). `--quick` is a
small fast run (5,000 tickets, few repetitions) to check that everything works.

Targets without "p95" are judged on the median. Nothing leaks: XDG_DATA_HOME and
XDG_CONFIG_HOME point into the temporary directory, the PostgreSQL database is a fresh one that
is dropped at the end, and every process started is stopped in a `finally`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import Figure, Server
from bench.yardstick import rest, yardstick_ms


@dataclass(frozen=True)
class Plan:
    tickets: int
    sync_runs: int
    cold_runs: int
    moves: int
    pages: int
    terms: int
    propagations: int
    lists: int
    rounds: int
    patches: int
    searches: int
    fast_mounts: int
    stock_mounts: int
    suggest_runs: int
    load_budget: float  # seconds per load phase (list, PATCH, search) and backend
    longpoll_rounds: int  # rounds of 1,000 long-polls woken by one write, per backend
    fanout_rounds: int  # PATCHes, each followed by 100 consoles, per backend and mode


FULL = Plan(100_000, 2, 4, 40, 20, 5, 15, 4_000, 20, 1_000, 1_000, 3, 1, 30, 40, 3, 20)
QUICK = Plan(5_000, 1, 2, 10, 5, 2, 5, 400, 8, 100, 40, 1, 1, 10, 15, 1, 5)
LONGPOLL_TICKETS = 2_000
"""The long-poll figures' own small demo database: they are about waiting, not reading."""


def _baseline() -> float:
    """The run's first yardstick, which `yardstick.rest` waits for before a later part."""
    from bench import yardstick

    yardstick.BASELINE_MS = yardstick_ms()
    return yardstick.BASELINE_MS


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small fast run (5,000 tickets)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--tickets", type=int, help="override the number of demo tickets")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--only",
        type=_parts,
        default=None,
        metavar="PARTS",
        help=f"run only these parts, comma-separated: {', '.join(PARTS)} "
        "(e.g. --only service: the list, PATCH and q= load on SQLite and PostgreSQL)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="`dispatch serve --workers N` for the service and long-poll figures (default 1)",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "de"),
        default=None,
        help="the consoles' language (DISPATCH_LANGUAGE of every console the bench starts)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.tickets:
        plan = Plan(args.tickets, *list(plan.__dict__.values())[1:])

    root = Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    os.environ["XDG_DATA_HOME"] = str(root / "xdg-data")
    os.environ["XDG_CONFIG_HOME"] = str(root / "xdg-config")
    for name in [k for k in os.environ if k.startswith("DISPATCH_") or k == "DATABASE_URL"]:
        del os.environ[name]
    # Child processes keep their bytecode in the temp dir (none is written into the checkout),
    # so a start after the first is a start with compiled bytecode, as on an installed desk.
    no_bytecode = os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.lang:
        os.environ["BENCH_LANGUAGE"] = args.lang  # child_env hands it to the consoles
    os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    began = time.perf_counter()
    header = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "mode": "quick" if args.quick else "full",
        "tickets": plan.tickets,
        "command": "uv run python -m bench"
        + (" --quick" if args.quick else "")
        + (f" --tickets {args.tickets}" if args.tickets else "")
        + (f" --only {','.join(sorted(args.only))}" if args.only else "")
        + (f" --workers {args.workers}" if args.workers > 1 else "")
        + (f" --lang {args.lang}" if args.lang else ""),
        "git": _git_state(),
        "load_average_before": os.getloadavg()[0],
        "yardstick_ms_before": _baseline(),
        "bytecode": "cached under PYTHONPYCACHEPREFIX in the temp dir"
        + (" (PYTHONDONTWRITEBYTECODE=1 was set; dropped for the children)" if no_bytecode else ""),
    }
    log(f"dispatch bench: {header['python']}, {header['cores']} cores, {plan.tickets:,} tickets")
    try:
        figures = run(
            plan,
            root,
            postgres=not args.no_postgres,
            only=args.only or set(PARTS),
            workers=args.workers,
        )
    finally:
        if args.keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    header["seconds"] = round(time.perf_counter() - began, 1)
    header["load_average_after"] = os.getloadavg()[0]
    header["yardstick_ms_after"] = yardstick_ms()
    if args.json:
        json.dump({**header, "figures": [f.as_json() for f in figures]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(render(header, figures))


PARTS = ("sync", "console", "service", "references", "suggestions", "longpoll", "fanout")
"""The parts `--only` may pick; the console and references parts need the synced cache."""


def _parts(value: str) -> set[str]:
    parts = {p.strip() for p in value.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(sorted(unknown)) or '(none)'}; "
            f"choose from {', '.join(PARTS)}"
        )
    if "references" in parts:
        parts.add("console")  # fzf is set against the console's filter keystrokes
    if "console" in parts:
        parts.add("sync")  # the console starts from the cache the initial sync leaves behind
    return parts


def run(
    plan: Plan, root: Path, *, postgres: bool, only: set[str], workers: int = 1
) -> list[Figure]:
    from bench import references

    figures: list[Figure] = []
    if only & {"sync", "console", "service", "references"}:
        figures += _sqlite(plan, root, only, workers)
    if "suggestions" in only:
        log("- suggestions")
        figures.append(references.suggestions(plan.suggest_runs))
    if postgres and "service" in only:
        figures += _postgres(plan, root, workers)
    if "longpoll" in only:
        figures += _longpoll(plan, root, postgres=postgres, workers=workers)
    if "fanout" in only:
        from bench import fanout_figures

        figures += fanout_figures.both(root, plan.fanout_rounds, LONGPOLL_TICKETS, postgres)
    return figures


def _longpoll(plan: Plan, root: Path, *, postgres: bool, workers: int = 1) -> list[Figure]:
    """1,000 idle long-polls and one write that wakes them, on SQLite and PostgreSQL."""
    from bench import longpoll_figures as lp
    from bench import service_figures as sf
    from dispatch.console import prepare_demo

    log(f"- long-polls, SQLite ({lp.WAITERS:,} waiters, {plan.longpoll_rounds} round(s))")
    settings, tokens = prepare_demo(_mkdir(root / "longpoll"), tickets=LONGPOLL_TICKETS, seed=7)
    log_file = root / "serve-longpoll.log"
    with Server(settings.database_url, log_file, workers, env=lp.env()) as server:
        figures = lp.long_polls(server, tokens, "sqlite", plan.longpoll_rounds)
    if not postgres:
        return figures
    name = f"dispatch_bench_lp_{os.getpid()}"
    log(f"- long-polls, PostgreSQL (fresh database {name})")
    try:
        with sf.postgres_database(name) as url:
            tokens = sf.seed(url, LONGPOLL_TICKETS)
            rested = rest()
            log(f"  {rested}")
            with Server(url, root / "serve-longpoll-pg.log", workers, env=lp.env()) as server:
                found = lp.long_polls(server, tokens, "postgres", plan.longpoll_rounds)
            for figure in found:
                figure.notes.append(rested)
            figures += found
    except Exception as exc:  # PostgreSQL missing is a note, not a crash of the whole run
        log(f"  PostgreSQL skipped: {exc!r}")
        skipped = Figure("longpoll_idle_postgres", "long-polls, postgres", "", "", "")
        skipped.skipped = f"PostgreSQL not usable: {exc!r}"
        figures.append(skipped)
    return figures


def _sqlite(plan: Plan, root: Path, only: set[str], workers: int) -> list[Figure]:
    """Everything on the seeded SQLite file: sync, console, service load, references."""
    from bench import console_figures as cf
    from bench import references
    from bench import service_figures as sf
    from dispatch.console import prepare_demo

    figures: list[Figure] = []
    log(f"- seeding {plan.tickets:,} demo tickets into SQLite")
    t = time.perf_counter()
    settings, tokens = prepare_demo(_mkdir(root / "sqlite"), tickets=plan.tickets, seed=7)
    log(f"  seeded in {time.perf_counter() - t:.1f} s")
    db_file = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(db_file) as conn:
        open_count = conn.execute(
            "SELECT count(*) FROM ticket WHERE status NOT IN ('RESOLVED', 'CLOSED')"
        ).fetchone()[0]
    world = cf.World(
        root=root,
        tickets=plan.tickets,
        database_url=settings.database_url,
        tokens=tokens,
        user="anna.becker",
        open_tickets=open_count,
    )
    filter_terms = cf.FILTER_TERMS[: plan.terms]
    keys: list[Figure] = []
    with Server(settings.database_url, root / "serve-sqlite.log", workers) as server:
        world.server = server
        if "sync" in only:
            log(f"- dispatch serve (SQLite) on {server.url}; initial sync")
            sync = sf.full_sync(server, world.token, plan.tickets, plan.sync_runs, root)
            figures.append(sync)
            world.synced_cache = Path(sync.extra["cache_file"])
        if "console" in only:
            log("- console cold start")
            figures += cf.cold_start(world, plan.cold_runs)
            log("- console keystrokes and memory")
            keys = cf.interaction(world, plan.moves, plan.pages, filter_terms)
            figures += keys
            log("- change propagation between two clients")
            figures.append(cf.propagation(world, plan.propagations))
        if "service" in only:
            log(f"- service load, SQLite ({sf.CLIENTS} clients) on {server.url}")
            figures += _load(plan, server, world.token, "sqlite")
    if "references" in only:
        log("- references: fzf, DataTable")
        filter_fig = next(f for f in keys if f.key == "filter_keystroke")
        figures.append(references.fzf(world.synced_cache, root, filter_terms, filter_fig))
        figures += references.tables(world.synced_cache, plan.fast_mounts, plan.stock_mounts)
    return figures


def _load(plan: Plan, server: Server, token: str, database: str) -> list[Figure]:
    """The service-load phases (list, PATCH, q=) of `plan` against `server`."""
    from bench import service_figures as sf

    return sf.load(
        server,
        token,
        database,
        plan.tickets,
        lists=plan.lists,
        rounds=plan.rounds,
        patches=plan.patches,
        searches=plan.searches,
        budget=plan.load_budget,
    )


def _postgres(plan: Plan, root: Path, workers: int = 1) -> list[Figure]:
    from bench import service_figures as sf

    name = f"dispatch_bench_{os.getpid()}"
    log(f"- service load, PostgreSQL (fresh database {name})")
    try:
        with sf.postgres_database(name) as url:
            t = time.perf_counter()
            tokens = sf.seed(url, plan.tickets)
            log(f"  seeded in {time.perf_counter() - t:.1f} s")
            with Server(url, root / "serve-postgres.log", workers) as server:
                return _load(plan, server, tokens["anna.becker"], "postgres")
    except Exception as exc:  # PostgreSQL missing is a note, not a crash of the whole run
        log(f"  PostgreSQL skipped: {exc!r}")
        skipped = Figure("list_rps_postgres", "service load, postgres", "", "", "")
        skipped.skipped = f"PostgreSQL not usable: {exc!r}"
        return [skipped]


def _git_state() -> str:
    """The commit measured, and whether dispatch/ had uncommitted changes at the time."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "?"
    dirty = [line for line in git("status", "--porcelain", "--", "dispatch").splitlines() if line]
    return head + (f" + uncommitted changes in {len(dirty)} dispatch/ files" if dirty else "")


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _fmt(value: float, unit: str) -> str:
    if value != value:  # nan
        return "-"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "% core":
        return f"{value:.1f} % core"
    return f"{value:,.0f} {unit}"


def render(header: dict[str, object], figures: list[Figure]) -> str:
    before = header.get("yardstick_ms_before", "-")
    after = header.get("yardstick_ms_after", "-")
    lines = [
        f"dispatch bench ({header['mode']}) {header['when']}",
        f"Python {header['python']} · {header['cores']} cores ({header['cpu']}) · "
        f"{header['tickets']:,} demo tickets, seed 7 · run took {header['seconds']} s",
        f"git {header['git']} · {header['command']}",
        f"1-min load average {header['load_average_before']:.1f} before, "
        f"{header['load_average_after']:.1f} after (other work on the machine inflates figures)",
        f"machine speed: the fixed pure-Python yardstick took {before} ms before, {after} ms "
        "after (bench/yardstick.py; figures of two runs compare only when these are alike)",
        f"bytecode: {header['bytecode']}",
        "",
    ]
    widths = (36, 4, 11, 11, 14, 4)
    titles = ("figure", "n", "median", "p95", "target", "met")
    lines.append("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip())
    lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
    for fig in figures:
        if fig.skipped:
            lines.append(f"{fig.name[: widths[0]]:<{widths[0]}}  skipped: {fig.skipped}")
            continue
        met = {True: "yes", False: "NO", None: ""}[fig.met]
        cells = (
            fig.name[: widths[0]],
            str(len(fig.samples)),
            _fmt(fig.median, fig.unit),
            _fmt(fig.p95, fig.unit),
            fig.target,
            met,
        )
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    lines += ["", "What each figure measured:"]
    for fig in figures:
        if fig.skipped:
            continue
        lines.append(f"* {fig.name} [{fig.data}]: {fig.measured}")
        for note in fig.notes:
            lines.append(f"    - {note}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
