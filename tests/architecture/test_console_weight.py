"""The console and the SSH session load no service code: no SQLModel, SQLAlchemy or FastAPI.

Every technician's SSH session is one console process on the service's host; the models and
their frameworks would cost each one about twenty MB and a second of start (one constant
imported from `dispatch.models` once brought them all in). Checked in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys

SERVICE_SIDE = {"sqlmodel", "sqlalchemy", "fastapi", "uvicorn", "alembic", "typer"}


def test_the_console_and_the_ssh_session_load_no_service_code() -> None:
    probe = (
        "import sys\n"
        "import dispatch.app, dispatch.console, dispatch.ssh.session, dispatch.ssh.console\n"
        "import dispatch.ssh.text, dispatch.screens.mywork, dispatch.screens.queue\n"
        "import dispatch.screens.calendar, dispatch.screens.ticket, dispatch.screens.outbox\n"
        "import dispatch.screens.escalations, dispatch.screens.appointment_dialog\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(done.stdout.split())
    assert "textual" in loaded
    assert not loaded & SERVICE_SIDE, sorted(loaded & SERVICE_SIDE)


def test_a_technicians_first_row_loads_no_pydantic_http_client_or_holiday_names() -> None:
    """What an SSH session imports before "my work" shows its first row: not pydantic (the
    CLI's settings, 0.3 s and 10 MB in every session), not httpx (the client is made after
    the first frame) and not the holidays package (names for the calendar pane)."""
    probe = (
        "import sys\n"
        "import dispatch.ssh.session, dispatch.ssh.console, dispatch.app\n"
        "import dispatch.screens.mywork, dispatch.client.api\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(done.stdout.split())
    assert "textual" in loaded
    assert not loaded & {"pydantic", "pydantic_settings", "httpx", "holidays"}, sorted(
        loaded & {"pydantic", "pydantic_settings", "httpx", "holidays"}
    )
