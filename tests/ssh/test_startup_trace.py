"""The start-up marks `bench.ssh_timeline` reads: written only when sshd_config asks for them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PROBE = (
    "from dispatch.startup_trace import mark\nmark('main'); mark('token minted'); mark('main')\n"
)


def run(env: dict[str, str], cwd: Path | None = None) -> None:
    clean = {k: v for k, v in os.environ.items() if k != "DISPATCH_TRACE_START"}
    subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, cwd=cwd, check=True, timeout=60
    )


def test_each_mark_once_after_the_process_start_and_the_file_owner_only(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    before = time.time()
    run({"DISPATCH_TRACE_START": str(marks)})
    rows = [line.split(" ", 2) for line in marks.read_text().splitlines()]
    assert [name for _, _, name in rows] == ["process created", "main", "token minted"]
    stamps = [float(stamp) for stamp, _, _ in rows]
    assert stamps == sorted(stamps)
    assert before - 1 <= stamps[0] <= stamps[1] <= time.time()  # start ticks are 10 ms
    assert len({pid for _, pid, _ in rows}) == 1
    assert marks.stat().st_mode & 0o777 == 0o600


def test_nothing_is_written_unless_asked(tmp_path: Path) -> None:
    run({}, cwd=tmp_path)
    run({"DISPATCH_TRACE_START": ""}, cwd=tmp_path)  # empty is unset, not a file named ""
    assert list(tmp_path.iterdir()) == []
