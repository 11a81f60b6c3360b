"""Wall-clock marks of one start, for `bench/ssh_timeline.py`: `DISPATCH_TRACE_START=FILE`.

Each mark appends `SECONDS PID NAME` (Unix time, microseconds) to FILE, once per name and
process; the first also records when the process itself started (from /proc, 10 ms ticks),
so a login's timeline can be laid beside sshd's and the ssh client's own timestamps. Unset,
a mark is one comparison. sshd passes no environment of the person's to a session
(`PermitUserEnvironment no`): only the host's sshd_config (`SetEnv`) can turn it on.
"""

from __future__ import annotations

import os
import time

_FILE = os.environ.get("DISPATCH_TRACE_START") or None
_done: set[str] = set()


def _process_start() -> float | None:
    """When this process started, Unix time, from its start tick since boot; None without
    /proc (the marks still count)."""
    try:
        fd = os.open("/proc/self/stat", os.O_RDONLY)  # os alone: imported before anything
        try:
            stat = os.read(fd, 4096).decode()
        finally:
            os.close(fd)
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None
    since_boot = ticks / os.sysconf("SC_CLK_TCK")
    return time.time() - (time.clock_gettime(time.CLOCK_BOOTTIME) - since_boot)


def _write(stamp: float, name: str) -> None:
    assert _FILE is not None
    fd = os.open(_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{stamp:.6f} {os.getpid()} {name}\n".encode())
    finally:
        os.close(fd)


def mark(name: str) -> None:
    """Note that this process reached `name` now (the first time only)."""
    if _FILE is None or name in _done:
        return
    now = time.time()
    if not _done:
        started = _process_start()
        if started is not None:
            _write(started, "process created")
    _done.add(name)
    _write(now, name)
