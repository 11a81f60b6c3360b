"""`uv run python -m bench.ssh_timeline [--runs N] [--tickets N] [--raw DIR]`: where the
time of one SSH login goes, from `ssh` to the first row of "my work" and the first sync.

The rig of `bench.ssh_figures` (a real sshd on loopback, `dispatch serve` on a demo database,
one technician's key), with three clocks laid side by side, all Unix time:

- the ssh client's `-vvv` lines, stamped as they arrive on a pipe;
- sshd's `LogLevel DEBUG3` lines (`-e`), stamped the same way;
- the session's own marks (`dispatch.startup_trace`), switched on by `SetEnv
  DISPATCH_TRACE_START=FILE` in sshd_config, as only the host's config can;

and the first row seen on the client's terminal. Each step is printed as seconds since `ssh`
was started, the first login (no cache) and the median of the later ones.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from bench.harness import cpu_seconds, stop
from bench.ssh_figures import ROW, Terminal, _session_pid, log, rig
from bench.yardstick import yardstick_ms

Line = tuple[float, str]

# (step, source, pattern): the first line of that source matching it, in order of a login
STEPS: list[tuple[str, str, str]] = [
    ("ssh: TCP connected", "client", r"Connection established"),
    ("sshd: connection accepted", "sshd", r"Connection from 127\.0\.0\.1"),
    ("ssh: key exchange done", "client", r"SSH2_MSG_NEWKEYS received"),
    ("sshd: authorized-keys 1 runs", "sshd", r"subprocess: AuthorizedKeysCommand command"),
    ("ssh: server accepts the key (query)", "client", r"Server accepts key"),
    ("sshd: authorized-keys 2 runs", "sshd", r"subprocess: AuthorizedKeysCommand command#2"),
    ("sshd: publickey accepted", "sshd", r"Accepted publickey"),
    ("ssh: authenticated", "client", r"Authenticated to"),
    ("sshd: session channel opened", "sshd", r"session_new|session_open"),
    ("sshd: pty allocated", "sshd", r"session_pty_req|Allocated pty"),
    ("sshd: forced command exec", "sshd", r"Starting session: forced-command|session_exec"),
    ("session: process created", "trace", r"process created"),
    ("session: Python at main()", "trace", r"^main$"),
    ("session: gateway modules imported", "trace", r"session imported"),
    ("session: settings read", "trace", r"settings read"),
    ("session: token minted", "trace", r"token minted"),
    ("session: console imported", "trace", r"console imported"),
    ("session: app built", "trace", r"app built"),
    ("session: first frame written", "trace", r"first frame"),
    ("ssh: first row on the terminal", "row", r""),
    ("session: first sync answered", "trace", r"first sync answered"),
]


def _stamp(stream: IO[bytes], into: list[Line]) -> threading.Thread:
    """Read `stream` line by line in a thread, each with the time it arrived."""

    def read() -> None:
        for raw in iter(stream.readline, b""):
            into.append((time.time(), raw.decode(errors="replace").rstrip()))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _trace(path: Path, since: float) -> list[Line]:
    if not path.exists():
        return []
    out = []
    for row in path.read_text().splitlines():
        stamp, _pid, name = row.split(" ", 2)
        if float(stamp) >= since - 1.0:  # "process created" is in 10 ms ticks
            out.append((float(stamp), name))
    return out


def _steps(sources: dict[str, list[Line]], start: float) -> dict[str, float]:
    found: dict[str, float] = {}
    for step, source, pattern in STEPS:
        base, _, nth = pattern.partition("#")
        hits = [t for t, text in sources[source] if re.search(base, text)]
        index = int(nth or 1) - 1
        if len(hits) > index:
            found[step] = hits[index] - start
    return found


def login(
    r_ssh: list[str],
    env: dict[str, str],
    sshd_lines: list[Line],
    trace: Path,
    sshd_pid: int,
    raw: Path | None = None,
) -> tuple[dict[str, float], float]:
    """One login; the seconds from `ssh` to each step, and the session's CPU at the row.
    With `raw`, the client's stamped lines are kept there."""
    read_end, write_end = os.pipe()
    term = Terminal([r_ssh[0], "-vvv", *r_ssh[1:]], env, stderr=write_end)
    os.close(write_end)
    client: list[Line] = []
    reader = _stamp(os.fdopen(read_end, "rb"), client)
    try:
        took = term.wait_for(ROW, 60)
        if took is None:
            raise RuntimeError(f"no row on screen: {term.text()[-600:]!r}")
        pid = _session_pid(sshd_pid)
        cpu = cpu_seconds(pid) if pid is not None else float("nan")
        term.drain(quiet=1.0, timeout=15)
    finally:
        stop(term.proc)
        reader.join(5)
    start = term.started_at
    sources = {
        "client": client,
        "sshd": [line for line in sshd_lines if line[0] >= start],
        "trace": _trace(trace, start),
        "row": [(start + took, "")],
    }
    if raw is not None:
        (raw / f"ssh-{start:.0f}.log").write_text("\n".join(f"{t:.6f} {x}" for t, x in client))
    return _steps(sources, start), cpu


def _logins(
    count: int, tickets: int, trace: Path, raw: Path | None
) -> list[tuple[dict[str, float], float]]:
    extra = f"LogLevel DEBUG3\nSetEnv DISPATCH_TRACE_START={trace}\n"
    sshd_lines: list[Line] = []
    runs: list[tuple[dict[str, float], float]] = []
    with rig(tickets, extra, subprocess.PIPE) as r:
        assert r.sshd.stdout is not None
        _stamp(r.sshd.stdout, sshd_lines)
        log(f"{count} SSH logins as {r.login}, traced")
        for n in range(count):
            if raw:
                raw.mkdir(parents=True, exist_ok=True)
            runs.append(login(r.ssh, r.env, sshd_lines, trace, r.sshd.pid, raw))
            if raw:
                (raw / f"sshd-{n}.log").write_text(
                    "\n".join(f"{t:.6f} {text}" for t, text in sshd_lines)
                )
                sshd_lines.clear()
                if trace.exists():
                    os.replace(trace, raw / f"marks-{n}")
            else:
                trace.unlink(missing_ok=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ssh_timeline", description=__doc__)
    parser.add_argument("--runs", type=int, default=6, help="logins, the first cold (6)")
    parser.add_argument("--tickets", type=int, default=5_000, help="demo tickets (5,000)")
    parser.add_argument("--raw", type=Path, help="keep each login's three logs in DIR")
    args = parser.parse_args()
    before = yardstick_ms()
    load = os.getloadavg()[0]
    trace_dir = Path(tempfile.mkdtemp(prefix="dispatch-ssh-trace-"))
    trace_dir.chmod(0o755)  # the session writes here as the service account
    try:
        runs = _logins(args.runs, args.tickets, trace_dir / "marks", args.raw)
    finally:
        shutil.rmtree(trace_dir, ignore_errors=True)
    after = yardstick_ms()
    cold, warm = runs[0], runs[1:] or runs
    print(
        f"load {load:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"yardstick {before:.1f} / {after:.1f} ms"
    )
    print(f"{'step (seconds since ssh started)':<40} {'cold':>6} {'warm':>6} {'min':>6} {'max':>6}")
    for step, _source, _pattern in STEPS:
        values = [run[0][step] for run in warm if step in run[0]]
        first = cold[0].get(step)
        if not values and first is None:
            continue
        med = statistics.median(values) if values else float("nan")
        low, high = (min(values), max(values)) if values else (float("nan"),) * 2
        print(
            f"{step:<40} {first if first is not None else float('nan'):6.3f} "
            f"{med:6.3f} {low:6.3f} {high:6.3f}"
        )
    cpus = [run[1] for run in warm]
    print(
        f"{'session CPU to the first row':<40} {cold[1]:6.3f} {statistics.median(cpus):6.3f} "
        f"{min(cpus):6.3f} {max(cpus):6.3f}"
    )


if __name__ == "__main__":
    if sys.platform != "linux":
        sys.exit("needs Linux (/proc) and root (sshd)")
    main()
