"""Shared machinery of `python -m bench`: figures, statistics, the service and the console.

Everything here runs against 127.0.0.1 only, every wait is bounded, and every process started
is killed in a `finally` (by its own process group, never by name).
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

VENV_BIN = Path(sys.executable).parent
DISPATCH = str(VENV_BIN / "dispatch")  # the installed console script, as a user starts it


# --- figures -----------------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1), linear between closest ranks; one value is its own quantile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Figure:
    """One measured figure: what, on which data, median and p95 of `samples`, and its target."""

    key: str
    name: str
    measured: str  # what exactly was timed, start and end
    data: str  # on which data size
    unit: str
    samples: list[float] = field(default_factory=list)
    target: str = ""  # e.g. "p95 < 50 ms"
    limit: float | None = None  # the target's bound, compared against `stat`
    stat: str = "p95"  # "median", "p95" or "min" (for "at least" targets, see `at_least`)
    at_least: bool = False
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        return quantile(self.samples, 0.95)

    def value(self) -> float:
        return self.median if self.stat == "median" else self.p95

    @property
    def met(self) -> bool | None:
        if self.limit is None or not self.samples:
            return None
        value = self.value()
        return value >= self.limit if self.at_least else value < self.limit

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(n=len(self.samples), median=self.median, p95=self.p95, met=self.met)
        return out


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The benchmark's environment (temp XDG dirs) without the caller's dispatch settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DISPATCH_") and k not in ("DATABASE_URL", "TEXTUAL")
    }
    language = os.environ.get("BENCH_LANGUAGE")  # `python -m bench --lang de`
    if language:
        env["DISPATCH_LANGUAGE"] = language
    env.update(extra)
    return env


def stop(proc: subprocess.Popen[Any] | None, grace: float = 3.0) -> None:
    """Terminate `proc`'s own process group, then kill it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and its live descendants so far (/proc/<pid>/stat):
    with `--workers N` the requests are served by the worker processes, not the supervisor."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in _family(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _family(pid: int) -> list[int]:
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        out += _family(int(child))
    return out


def cpu_ns(pid: int) -> int:
    """Nanoseconds every thread of `pid` (and its children) has run so far: /proc/.../stat
    counts in 10 ms ticks, too coarse for a few milliseconds."""
    total = 0
    for each in _family(pid):
        for task in Path(f"/proc/{each}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):  # a thread ended meanwhile
                continue
    return total


def peak_rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of `pid` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """`dispatch serve` on 127.0.0.1 and a random port, for one database URL."""

    def __init__(
        self,
        database_url: str,
        log: Path,
        workers: int = 1,
        env: dict[str, str] | None = None,
        command: Sequence[str] | None = None,
    ) -> None:
        self.database_url = database_url
        self.command = list(command or [os.environ.get("BENCH_DISPATCH") or DISPATCH])
        """What runs `serve ...`: this checkout's `dispatch` unless BENCH_DISPATCH names
        another (an A/B of two checkouts' services under the same load generator)."""
        self.workers = workers
        self.env = env or {}
        """More environment for the service (settings a figure needs)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    *self.command,
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *(["--workers", str(self.workers)] if self.workers > 1 else []),
                ],
                # The load phases send far more than a person would: measure, don't throttle.
                env=child_env(
                    DATABASE_URL=self.database_url,
                    DISPATCH_RATE_LIMIT_PER_MINUTE="0",
                    # ... and all their clients share one address (loopback).
                    DISPATCH_MAX_CONNECTIONS_PER_ADDRESS="100000",
                    **self.env,
                ),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dispatch serve exited; see {self.log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            time.sleep(0.1)
        stop(self.proc)
        raise RuntimeError(f"dispatch serve did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        stop(self.proc)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


# --- the console in a pseudo-terminal ------------------------------------------------------------

SYNC_QUERY = b"\x1b[?2026$p"  # Textual asks whether the terminal has synchronized output
SYNC_ANSWER = b"\x1b[?2026;2$y"  # ... and we say yes, so every frame ends with SYNC_END
SYNC_END = b"\x1b[?2026l"
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>NOM78])")
# a queue row once escape codes are gone: priority, SLA clock text, ticket number
QUEUE_ROW = re.compile(rb"!?P[1-4] +[^ ]+ +(\d{5,7}) ")
QUEUE_LOADED = re.compile("Queue · all open · ".encode())
"""The queue's title once the whole cache is read (before: "reading the rest of the cache")."""

COLS, ROWS = 120, 40


class Console:
    """`dispatch ...` in a pty of 120x40 that answers Textual's synchronized-output query.

    `read` collects output and remembers when each frame ended (the SYNC_END of a frame).
    """

    def __init__(self, args: list[str], env: dict[str, str], prefix: Sequence[str] = ()) -> None:
        import fcntl
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [*prefix, DISPATCH, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.raw = bytearray()  # everything, escape codes included
        self.frame_ends: list[float] = []
        self._tail = b""

    def read(self, timeout: float) -> bool:
        """Read what is there within `timeout` s; False when nothing came."""
        poller = select.poll()  # not select: its limit is descriptor 1024
        poller.register(self.master, select.POLLIN)
        if not poller.poll(max(0.0, timeout) * 1000):
            return False
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:  # the child closed the terminal
            return False
        now = time.perf_counter()
        if not chunk:
            return False
        window = self._tail + chunk
        if SYNC_QUERY in window and SYNC_QUERY not in self._tail:
            os.write(self.master, SYNC_ANSWER)
        if window.find(SYNC_END, max(0, len(self._tail) - len(SYNC_END) + 1)) >= 0:
            self.frame_ends.append(now)
        self._tail = window[-16:]
        self.raw += chunk
        return True

    def text(self, start: int = 0) -> bytes:
        return ANSI.sub(b"", bytes(self.raw[start:]))

    def wait_for(self, pattern: re.Pattern[bytes], timeout: float, start: int = 0) -> float | None:
        """Seconds since spawn when `pattern` first shows in the output (escape codes stripped)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.read(min(0.05, deadline - time.perf_counter())) and pattern.search(
                self.text(start)
            ):
                return time.perf_counter() - self.started
            if self.proc.poll() is not None:
                while self.read(0):
                    pass
                return None
        return None

    def send(self, keys: bytes) -> float:
        sent = time.perf_counter()
        os.write(self.master, keys)
        return sent

    def settle(self, quiet: float, timeout: float) -> float | None:
        """Wait for a frame, then until no output for `quiet` s; when the last frame ended.

        None when no frame ended within `timeout` s (or the console exited).
        """
        before = len(self.frame_ends)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self.proc.poll() is None:
            if not self.read(quiet) and len(self.frame_ends) > before:
                break
        return self.frame_ends[-1] if len(self.frame_ends) > before else None

    def drain(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Read until the console has been quiet for `quiet` s."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self.read(quiet):
            pass

    def close(self) -> None:
        stop(self.proc)
        with contextlib.suppress(OSError):
            os.close(self.master)


@contextlib.contextmanager
def console(args: list[str], env: dict[str, str], prefix: Sequence[str] = ()) -> Iterator[Console]:
    """The console with `args` (after `prefix`, e.g. a profiler's command line) in a pty."""
    con = Console(args, env, prefix)
    try:
        yield con
    finally:
        con.close()
