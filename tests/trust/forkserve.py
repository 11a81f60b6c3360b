"""A launcher that imports the service once and forks a fresh uvicorn process per start.

Run as `python forkserve.py PORT` with DATABASE_URL set. Each line "start" on stdin forks
a child that serves the app built before any fork (with its own SQLite connections) on
127.0.0.1:PORT; the child's pid is printed. "reap PID" waits until that child is gone
(after the test killed it with SIGKILL) and prints "gone". Restarting this way takes
milliseconds instead of the seconds a cold `dispatch serve` needs to import everything,
which is what lets the crash test kill and restart 20 times in a bounded time.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from dispatch.server.http.app import create_app
from dispatch.settings import Settings


def main() -> None:
    port = int(sys.argv[1])
    # Built once, before any fork; it must not connect yet, so every child opens its own
    # database connections (the schema exists already: the test made it).
    app = create_app(Settings(), create=False)
    children: set[int] = set()
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "start":
            pid = os.fork()
            if pid == 0:
                try:
                    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
                finally:
                    os._exit(0)
            children.add(pid)
            print(pid, flush=True)
        elif command == "reap":
            os.waitpid(int(arg), 0)
            children.discard(int(arg))
            print("gone", flush=True)
    for pid in children:  # stdin closed: the test is over
        os.kill(pid, 9)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
