"""`dispatch serve` logs a line per request only when asked to (`--access-log`).

Real `dispatch serve` processes on a fresh SQLite file; what they print is read back after
one request has been answered.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow  # two real service processes

DISPATCH = str(Path(sys.executable).parent / "dispatch")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _served_once(tmp_path: Path, *flags: str) -> str:
    """What `dispatch serve` printed while it answered one GET /health."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'service.db'}"}
    subprocess.run([DISPATCH, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    out = tmp_path / "serve.log"
    with out.open("wb") as log:
        proc = subprocess.Popen(
            [DISPATCH, "serve", "--port", str(port), *flags],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, out.read_text()
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "dispatch serve did not start"
                    time.sleep(0.1)
            assert answer.status_code == 200
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    return out.read_text()


@pytest.mark.parametrize(("flags", "logged"), [((), False), (("--access-log",), True)])
def test_requests_are_logged_only_with_access_log(
    tmp_path: Path, flags: tuple[str, ...], logged: bool
) -> None:
    printed = _served_once(tmp_path, *flags)
    assert "dispatch service on http://127.0.0.1:" in printed  # it did start and say where
    assert ('"GET /api/v1/health HTTP/1.1" 200' in printed) is logged
