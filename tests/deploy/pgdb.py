"""Databases, seeded worlds and `dispatch serve` subprocesses for the deployment tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from service.world import PG_URL, seed, worker_tag
from sqlalchemy import Engine, text

from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.migrate import upgrade

API = "/api/v1"
START_SECONDS = 90.0


def fresh_pg_url(name: str) -> str:
    """A new, empty PostgreSQL database for this test (and this xdist worker)."""
    db = f"dispatch_deploy_{name}_{worker_tag()}"[:63]
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{db}"


def drop_pg(url: str) -> None:
    """Drop a database `fresh_pg_url` made (its connections are ended first)."""
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def seeded(url: str) -> tuple[Engine, dict[str, str]]:
    """An engine on `url` with the schema migrated and the service tests' small world in it."""
    engine = make_engine(url)
    upgrade(engine)
    tokens, _ = seed(engine)
    return engine, tokens


def terminate_backends(engine: Engine) -> int:
    """Kill every other connection to the engine's database (what a restart does to them)."""
    with engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
        conn.commit()
    return int(killed or 0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command() -> list[str]:
    script = Path(sys.executable).with_name("dispatch")
    if script.exists():
        return [str(script)]
    found = shutil.which("dispatch")
    return [found] if found else [sys.executable, "-c", "from dispatch.cli import main; main()"]


@contextmanager
def serve(url: str, logs: Path, count: int = 1) -> Iterator[list[str]]:
    """`count` x `dispatch serve` on random ports of 127.0.0.1 against `url`; their base URLs.

    They start side by side; each gets at most START_SECONDS to answer /health, and
    every one is killed on the way out, whatever happened.
    """
    env = {**os.environ, "DATABASE_URL": url, "DISPATCH_RATE_LIMIT_PER_MINUTE": "0"}
    procs: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for i in range(count):
            port = free_port()
            log = logs / f"serve-{i}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [*_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            procs.append((proc, f"http://127.0.0.1:{port}", log))
        deadline = time.monotonic() + START_SECONDS
        for proc, base, log in procs:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"dispatch serve exited: {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dispatch serve did not start: {log.read_text()[-2000:]}")
                time.sleep(0.1)
        yield [base for _, base, _ in procs]
    finally:
        for proc, _, _ in procs:
            proc.terminate()
        for proc, _, _ in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
