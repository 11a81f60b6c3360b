"""Technicians over SSH, end to end: a real sshd on loopback, the service, two technicians.

Each logs in with their own generated ed25519 key (`ssh -tt` in tmux, 80x24, TERM=xterm) and
lands on their own "my work"; `today` prints their appointment; a shell command, port
forwarding and a removed key are refused; no process shows a session token in its argv or
environment while the sessions run.
"""

from __future__ import annotations

import getpass
import os
import socket
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from ssh.sshd import DISPATCH, Sshd, Tmux, dispatch, exposed, keygen, live_session_hashes, need
from sync.service_process import Service

from dispatch.demo import DemoSize, seed_demo
from dispatch.domain.types import AppointmentKind
from dispatch.models import Appointment, Technician, User
from dispatch.server.persistence.db import make_engine
from dispatch.server.persistence.schema import create_schema

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Person:
    login: str
    display: str
    key: Path
    fingerprint: str
    note: str
    window: str  # tmux target: a login's "." would name a pane


@dataclass
class Site:
    sshd: Sshd
    service: Service
    database: Path
    config: Path
    people: list[Person]
    tmux: Tmux

    def admin(self, *args: str) -> str:
        done = dispatch(*args, env={**os.environ, "DATABASE_URL": f"sqlite:///{self.database}"})
        assert done.returncode == 0, done.stderr
        return done.stdout


def _seed(database: Path) -> list[tuple[str, str, str]]:
    """Demo data, and for two technicians an appointment today: (login, name, its note)."""
    engine = make_engine(f"sqlite:///{database}")
    create_schema(engine)
    today = datetime.combine(datetime.now(BERLIN).date(), time(10), tzinfo=BERLIN)
    with Session(engine) as s:
        seed_demo(s, seed=3, size=DemoSize(tickets=40, customers=6, technicians=3, escalations=0))
        rows = s.exec(
            select(User.name, User.display_name, Technician.id)
            .join(Technician, col(Technician.user_id) == col(User.id))
            .order_by(col(User.name))
        ).all()[:2]
        people = []
        for login, name, tech in rows:
            assert tech is not None
            note = f"Serverumzug bei {login}"
            s.add(
                Appointment(
                    technician_id=tech,
                    start=today,
                    end=today + timedelta(hours=2),
                    kind=AppointmentKind.PROJECT,
                    note=note,
                )
            )
            people.append((login, name, note))
        s.commit()
    engine.dispose()
    return people


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for binary in ("sshd", "ssh", "ssh-keygen", "tmux"):
        need(binary)
    root = tmp_path_factory.mktemp("sshd")
    root.chmod(0o755)  # sshd's checks and the service account may read it
    database = root / "dispatch.db"
    seeded = _seed(database)
    service = Service(f"sqlite:///{database}")
    service.start()
    config = root / "gateway.toml"
    config.write_text(
        f'database_url = "sqlite:///{database}"\n'
        f'server = "http://127.0.0.1:{service.port}"\n'
        f'ssh_user = "{getpass.getuser()}"\n'
        f'ssh_cache_dir = "{root / "cache"}"\n'
        "ssh_check_seconds = 1\n"
    )
    config.chmod(0o600)
    sshd = Sshd(root, config)
    people: list[Person] = []
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    for login, name, note in seeded:
        line = keygen(root / f"{login}_ed25519", f"{login} laptop")
        added = dispatch("ssh", "keys", "add", login, line, env=env)
        assert added.returncode == 0, added.stderr
        fp = added.stdout.split()[1]
        key = root / f"{login}_ed25519"
        people.append(Person(login, name, key, fp, note, f"w{len(people)}"))
    sshd.start()
    tmux = Tmux("e2e")
    yield Site(sshd, service, database, config, people, tmux)
    tmux.close()
    sshd.stop()
    service.close()


def test_the_sshd_config_is_the_one_dispatch_ssh_setup_prints(site: Site) -> None:
    text = site.sshd.config.read_text()
    assert f"Match User {site.sshd.account}" in text
    assert f"AuthorizedKeysCommand {DISPATCH} ssh --config {site.config} authorized-keys" in text
    for line in ("DisableForwarding yes", "PermitTTY yes", "AuthorizedKeysFile none"):
        assert line in text


def test_today_prints_the_technicians_own_appointments(site: Site) -> None:
    tina, otto = site.people
    done = site.sshd.run(tina.key, "today")
    assert done.returncode == 0, done.stderr + site.sshd.log.read_text()[-1500:]
    assert tina.note in done.stdout
    assert otto.note not in done.stdout
    assert "\x1b" not in done.stdout


def test_a_shell_command_is_refused_and_never_runs(site: Site) -> None:
    tina = site.people[0]
    for command in ("sh -c id", "id", "today; id", "ticket 1 && id"):
        done = site.sshd.run(tina.key, command)
        assert done.returncode == 1, command
        assert "uid=" not in done.stdout + done.stderr
        assert "you may run 'today', 'week' or 'ticket NUMBER'" in done.stderr


def test_the_console_needs_a_terminal(site: Site) -> None:
    done = site.sshd.run(site.people[0].key, "-T", "")
    assert done.returncode == 1
    assert "needs a terminal" in done.stderr


def test_port_forwarding_is_refused(site: Site) -> None:
    import subprocess

    tina = site.people[0]
    local = socket.socket()
    local.bind(("127.0.0.1", 0))
    port = local.getsockname()[1]
    local.close()
    forward = f"{port}:127.0.0.1:{site.service.port}"
    argv = site.sshd.ssh(tina.key, "-N", "-L", forward)
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        answered = b""
        for _ in range(50):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                    s.settimeout(3)
                    answered = s.recv(64)
                    break
            except OSError:
                clock.sleep(0.1)
        assert not answered.startswith(b"HTTP/")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "refused local port forward" in site.sshd.log.read_text()


def test_each_lands_on_their_own_work_and_no_token_shows(site: Site) -> None:
    screens = {}
    for person in site.people:
        site.tmux.open(person.window, site.sshd.ssh(person.key, "-tt"))
    for person in site.people:
        screens[person.login] = site.tmux.wait_for(
            person.window, "My work", f"{person.display} (technician)", "online"
        )
    tina, otto = site.people
    assert otto.display not in screens[tina.login]
    hashes = live_session_hashes(site.database)
    assert len(hashes) >= 2  # both sessions hold a token right now
    assert exposed(hashes) == []
    cache = site.config.parent / "cache"
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    for path in cache.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path


def test_a_dropped_connection_revokes_the_session_token(site: Site) -> None:
    tina = site.people[0]
    site.tmux.open("dropped", site.sshd.ssh(tina.key, "-tt"))
    site.tmux.wait_for("dropped", "My work", "online")
    before = live_session_hashes(site.database)
    site.tmux.kill("dropped")  # the client dies: sshd hangs up on the session (SIGHUP)
    for _ in range(150):
        now = live_session_hashes(site.database)
        if len(now) < len(before):
            break
        clock.sleep(0.2)
    assert now < before, "the dropped session's token is still live"
    assert len(before - now) == 1  # the other sessions go on


def test_a_removed_key_ends_its_session_and_is_refused_next_time(site: Site) -> None:
    otto = site.people[1]
    if "My work" not in site.tmux.screen(otto.window):
        site.tmux.open(otto.window, site.sshd.ssh(otto.key, "-tt"))
        site.tmux.wait_for(otto.window, "My work")
    site.admin("ssh", "keys", "remove", otto.login, otto.fingerprint)
    shown = site.tmux.wait_for(otto.window, "access was revoked", "ssh-exit=1", seconds=20)
    assert "session has ended" in shown
    again = site.sshd.run(otto.key, "today")
    assert again.returncode == 255
    assert "Permission denied" in again.stderr
    tina = site.people[0]
    assert site.sshd.run(tina.key, "today").returncode == 0  # the other key still works
