"""`dispatch ssh session --key FP`: the command every SSH login of a person is forced into.

It reads SSH_ORIGINAL_COMMAND through `commands.parse` only, mints the person's session
token (`tokens`), hands it to the console or the read-only command in this process (never
argv, environment or a file), checks every `ssh_check_seconds` that the key, the person and
the token are still good, and revokes the token when the session ends: normal exit, an
exception, or SIGHUP (dropped connection) and SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from dispatch.i18n import N_, _
from dispatch.ssh import console_settings, tokens
from dispatch.ssh.commands import Refused, Request, parse
from dispatch.ssh.config import SESSION_HOURS, GateConfig
from dispatch.ssh.console_settings import SessionSettings
from dispatch.ssh.lean_db import LeanDb
from dispatch.startup_trace import mark

ENDED = N_("dispatch: your SSH access was revoked; the session has ended.")
NO_ACCESS = N_("dispatch: this key has no access (any more).")
NO_TERMINAL = N_(
    "dispatch: the console needs a terminal (ssh -t); without one, run 'today', 'week' "
    "or 'ticket NUMBER'"
)
NO_SERVER = N_("dispatch: the SSH gateway has no service to talk to; set `server` in {path}.")


def _end(cfg: GateConfig, token: str) -> None:
    """Revoke `token` on a connection of its own (a signal may come while another is busy)."""
    try:
        with LeanDb(cfg.database_url) as db:
            tokens.revoke(db, token)
    except Exception:  # it expires by itself; the session must still end
        pass


def _on_signals(cfg: GateConfig, token: str) -> None:
    def hang_up(signum: int, _frame: FrameType | None) -> None:
        _end(cfg, token)
        os._exit(128 + signum)  # the terminal is gone: nothing left to draw or flush

    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, hang_up)


def watch(cfg: GateConfig, token: str, ended: Callable[[], None]) -> threading.Event:
    """Check the session every `check_seconds` in a daemon thread; call `ended` once it is
    over. Set the returned event to stop watching."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(cfg.check_seconds):
            try:
                with LeanDb(cfg.database_url) as db:
                    ok = tokens.alive(db, token)
            except Exception:  # the database briefly away: ask again later
                continue
            if not ok:
                ended()
                return

    threading.Thread(target=loop, name="ssh-session-watch", daemon=True).start()
    return stop


def _settings(cfg: GateConfig) -> SessionSettings:
    """The console's settings, checked before a token is minted: a bad one is one line."""
    from dispatch.display.clock import set_zone

    settings = console_settings.load(cfg)
    set_zone(settings.timezone)
    return settings


def _text(settings: SessionSettings, token: str, person: tokens.Person, request: Request) -> int:
    import asyncio

    from dispatch.client.api import ApiClient
    from dispatch.client.errors import ApiError, Unreachable
    from dispatch.ssh.text import lines

    assert settings.server is not None

    async def go() -> list[str]:
        async with ApiClient(str(settings.server), token) as client:
            return await lines(client, request, person.technician_id)

    try:
        out = asyncio.run(go())
    except Unreachable:
        print(_("dispatch: the service is not reachable; try again shortly."), file=sys.stderr)
        return 1
    except ApiError as exc:
        print(f"dispatch: {exc.sentence}", file=sys.stderr)
        return 1
    print("\n".join(out))
    return 0


def _console(cfg: GateConfig, settings: SessionSettings, token: str, person: tokens.Person) -> int:
    from dispatch.ssh.console import run_console

    app_box: list[Any] = []

    def ended() -> None:
        if app_box:
            app = app_box[0]
            app.call_from_thread(app.exit, None, 1, _(ENDED))

    stop = watch(cfg, token, ended)
    try:
        return run_console(settings, cfg, token, person, app_box.append)
    finally:
        stop.set()


def run(cfg: GateConfig, fp: str, original: str | None) -> int:
    """The whole session; returns its exit status."""
    try:
        request = parse(original)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    if cfg.server is None:
        print(_(NO_SERVER).format(path=cfg.path), file=sys.stderr)
        return 1
    if request.kind == "console" and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(_(NO_TERMINAL), file=sys.stderr)
        return 1
    try:
        settings = _settings(cfg)
    except ValueError as exc:
        print(f"dispatch: {exc}", file=sys.stderr)
        return 2  # as every start of `dispatch` refuses a bad setting
    mark("settings read")
    with LeanDb(cfg.database_url) as db:
        person = tokens.owner(db, fp)
        if person is None:
            print(_(NO_ACCESS), file=sys.stderr)
            return 1
        token = tokens.mint(db, person, fp, SESSION_HOURS)
    mark("token minted")
    _on_signals(cfg, token)
    try:
        if request.kind == "console":
            return _console(cfg, settings, token, person)
        return _text(settings, token, person, request)
    finally:
        _end(cfg, token)
