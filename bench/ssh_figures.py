"""`uv run python -m bench.ssh_figures [--runs N] [--tickets N]`: technicians over SSH.

A real sshd on loopback (its own host key, config and port in a temporary directory; the
account running this is the service account, so it needs root like sshd does), `dispatch
serve` on a demo database, and one technician's ed25519 key. The account has /bin/sh as its
shell there, as the README gives the `dispatch` account: sshd runs the forced command with the
account's shell, and a bash reads ~/.bashrc when sshd starts it (see `_passwd`). Measured:

- the time from spawning `ssh -tt` (a pty of 80x24, TERM=xterm) to the first row of "my work"
  on its screen: key lookup, session token, console start and first sync, end to end; the
  first login with no cache, then logins with the cache the earlier ones left;
- the same console started directly (`dispatch --server --token`), for comparison;
- `dispatch ssh authorized-keys` alone (what sshd waits for at every login);
- the resident memory of the session process (the console) once it has synced, its peak,
  and the service's; from these, how many sessions a 2-core, 4 GB host holds beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.harness import DISPATCH, Console, Server, _family, child_env, cpu_seconds, stop
from bench.yardstick import yardstick_ms

ROW = re.compile(rb"P[1-4] .{0,40}?\d{6} ")
HOST_MB, RESERVED_MB = 4096, 512
"""The host of the issue, and what its system, sshd and page cache keep for themselves."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Terminal(Console):
    """`argv` in a pty of 80x24 with TERM=xterm, as an SSH client in a small terminal."""

    def __init__(self, argv: list[str], env: dict[str, str], stderr: int | None = None) -> None:
        import fcntl
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.started = time.perf_counter()
        self.started_at = time.time()  # the same moment on the clock other processes share
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave if stderr is None else stderr,
            env={**env, "TERM": "xterm"},
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.raw = bytearray()
        self.frame_ends: list[float] = []
        self._tail = b""


def _rss(pid: int) -> tuple[float, float]:
    """Resident and peak resident MiB of `pid`."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _session_pid(sshd: int) -> int | None:
    """The session process under our sshd: among all of /proc, another helper's or test's
    SSH session on the same machine was as likely to be measured as this one."""
    for pid in _family(sshd):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"session" in args and b"--key" in args and any(b"dispatch" in a for a in args):
            return pid
    return None


def _seed(root: Path, tickets: int) -> tuple[str, str, str]:
    """The demo database; returns its URL, the busiest technician's login and token."""
    from sqlmodel import Session, col, func, select

    from dispatch.demo import DemoSize, seed_demo
    from dispatch.models import Technician, Ticket, User
    from dispatch.server.persistence.db import make_engine
    from dispatch.server.persistence.schema import create_schema

    url = f"sqlite:///{root / 'dispatch.db'}"
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as s:
        logins = seed_demo(s, seed=7, size=DemoSize(tickets=tickets))
        s.commit()
        busiest = s.exec(
            select(User.name)
            .join(Technician, col(Technician.user_id) == col(User.id))
            .join(Ticket, col(Ticket.assignee_id) == col(Technician.id))
            .group_by(col(User.name))
            .order_by(func.count().desc())
        ).first()
    engine.dispose()
    assert busiest is not None
    return url, busiest, logins.tokens[busiest]


def _passwd(root: Path) -> Path:
    """A copy of /etc/passwd with /bin/sh as this account's shell."""
    me = getpass.getuser()
    rows = []
    for row in Path("/etc/passwd").read_text().splitlines():
        fields = row.split(":")
        if fields[0] == me and len(fields) == 7:
            fields[6] = "/bin/sh"
        rows.append(":".join(fields))
    copy = root / "passwd"
    copy.write_text("\n".join(rows) + "\n")
    copy.chmod(0o644)
    return copy


def _sshd(
    root: Path, config: Path, extra: str = "", out: int | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    host = root / "host_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host)], check=True)
    block = subprocess.run(
        [DISPATCH, "ssh", "--config", str(config), "setup"], capture_output=True, text=True
    ).stdout
    (root / "sshd_config").write_text(
        "ListenAddress 127.0.0.1\nUsePAM no\nPermitRootLogin forced-commands-only\n" + extra + block
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    argv = ["/usr/sbin/sshd", "-D", "-e", "-f", str(root / "sshd_config"), "-p", str(port)]
    argv += ["-h", str(host)]
    # In a mount namespace of its own: a private /run when there is no /run/sshd (as
    # tests/ssh/sshd.py explains), and a copy of /etc/passwd in which the account has the
    # shell the README gives the `dispatch` account (/bin/sh). sshd runs the forced command
    # with the account's shell, and this account (root on the bench machines) has bash,
    # which reads ~/.bashrc when sshd starts it: pyenv's init there took 0.2 s of every login.
    script = f"mount --bind {_passwd(root)} /etc/passwd && "
    if not Path("/run/sshd").is_dir():
        script += "mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && "
    argv = ["unshare", "-m", "sh", "-c", script + 'exec "$@"', "sh", *argv]
    if out is None:
        with (root / "sshd.log").open("wb") as file:
            proc = subprocess.Popen(
                argv, stdout=file, stderr=subprocess.STDOUT, start_new_session=True
            )
    else:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(8).startswith(b"SSH-"):
                    return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"sshd did not start; see {root / 'sshd.log'}")


def _first_row(argv: list[str], env: dict[str, str], sshd: int | None) -> tuple[float, ...]:
    """Seconds to the first row, CPU seconds the console (over SSH: the session process on
    the host) had used by then, and its RSS and peak once synced."""
    term = Terminal(argv, env)
    try:
        took = term.wait_for(ROW, 60)
        if took is None:
            raise RuntimeError(f"no row on screen: {term.text()[-600:]!r}")
        pid = _session_pid(sshd) if sshd is not None else term.proc.pid
        assert pid is not None, "no session process"
        cpu = cpu_seconds(pid)
        term.drain(quiet=1.0, timeout=15)
        now, peak = _rss(pid)
        return took, now, peak, cpu
    finally:
        stop(term.proc)


@dataclass
class Rig:
    """What a login needs: the service on a demo database, the gateway's config, one
    technician's key and sshd; `ssh` is the client's argv, `direct` the console's own."""

    root: Path
    env: dict[str, str]
    login: str
    sshd: subprocess.Popen[bytes]
    ssh: list[str]
    direct: list[str]
    lookup: list[str]
    service_pid: int


def _compiled() -> None:
    """Bytecode for all the session imports, as `uv sync --compile-bytecode` leaves it (the
    README's install): the first login after an install must not compile Textual. Quick
    when it is there already (compileall compares timestamps)."""
    import compileall
    import sysconfig

    import dispatch

    for path in {sysconfig.get_paths()["purelib"], str(Path(dispatch.__file__).parent)}:
        compileall.compile_dir(path, quiet=1, workers=0)


@contextlib.contextmanager
def rig(tickets: int, sshd_extra: str = "", sshd_out: int | None = None) -> Iterator[Rig]:
    """Set everything up in a temporary directory; stop and remove it all afterwards.
    `sshd_extra` goes into sshd_config before the gateway's block; `sshd_out` takes sshd's
    log (its own file by default)."""
    root = Path(tempfile.mkdtemp(prefix="dispatch-ssh-bench-"))
    root.chmod(0o755)
    sshd: subprocess.Popen[bytes] | None = None
    try:
        _compiled()
        log(f"seeding {tickets} demo tickets in {root}")
        url, login, token = _seed(root, tickets)
        env = child_env(XDG_DATA_HOME=str(root / "xdg"), XDG_CONFIG_HOME=str(root / "xdg"))
        with Server(url, root / "serve.log") as server:
            config = root / "gateway.toml"
            config.write_text(
                f'database_url = "{url}"\nserver = "{server.url}"\n'
                f'ssh_user = "{getpass.getuser()}"\nssh_cache_dir = "{root / "cache"}"\n'
            )
            key = root / "tech_ed25519"
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)])
            line = Path(f"{key}.pub").read_text().strip()
            subprocess.run(
                [DISPATCH, "ssh", "keys", "add", login, line],
                env={**env, "DATABASE_URL": url},
                check=True,
                capture_output=True,
            )
            sshd, port = _sshd(root, config, sshd_extra, sshd_out)
            kind, data = line.split()[:2]
            lookup = [DISPATCH, "ssh", "--config", str(config), "authorized-keys"]
            lookup += [getpass.getuser(), kind, data]
            ssh = ["ssh", "-F", "/dev/null", "-tt", "-i", str(key), "-p", str(port)]
            ssh += ["-o", f"UserKnownHostsFile={root / 'known_hosts'}"]
            ssh += ["-o", "StrictHostKeyChecking=no", "-o", "IdentityAgent=none"]
            ssh += [f"{getpass.getuser()}@127.0.0.1"]
            direct = [DISPATCH, "--server", server.url, "--token", token]
            yield Rig(root, env, login, sshd, ssh, direct, lookup, server.pid)
    finally:
        if sshd is not None:
            stop(sshd)
        shutil.rmtree(root, ignore_errors=True)


def run(runs: int, tickets: int) -> dict[str, float]:
    with rig(tickets) as r:
        lookups = []
        for _ in range(10):
            t0 = time.perf_counter()
            subprocess.run(r.lookup, capture_output=True, check=True)
            lookups.append(time.perf_counter() - t0)
        log(f"{runs} SSH logins as {r.login}")
        logins = [_first_row(r.ssh, r.env, r.sshd.pid) for _ in range(runs)]
        direct = [_first_row(r.direct, r.env, None) for _ in range(runs)]
        service_rss, _ = _rss(r.service_pid)
    # The first of each is a cold start (no cache, and the console alone asks GET /me first);
    # the medians are of the later, warm ones, CPU and wall alike (the CPU medians had
    # counted the cold run in, the wall medians had not).
    warm_logins, warm_direct = logins[1:] or logins, direct[1:] or direct
    warm = [each[0] for each in warm_logins]
    session = statistics.median(each[1] for each in logins)
    return {
        "ssh_first_row_cold_s": logins[0][0],
        "ssh_first_row_warm_median_s": statistics.median(warm),
        "ssh_first_row_warm_max_s": max(warm),
        "session_cpu_to_first_row_cold_s": logins[0][3],
        "session_cpu_to_first_row_median_s": statistics.median(each[3] for each in warm_logins),
        "console_alone_first_row_median_s": statistics.median(each[0] for each in warm_direct),
        "console_alone_cpu_to_first_row_median_s": statistics.median(
            each[3] for each in warm_direct
        ),
        "console_alone_rss_mb": statistics.median(each[1] for each in direct),
        "authorized_keys_median_s": statistics.median(lookups),
        "session_rss_mb": session,
        "session_peak_rss_mb": max(each[2] for each in logins),
        "service_rss_mb": service_rss,
        "sessions_per_4gb_host": (HOST_MB - RESERVED_MB - service_rss) // session,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ssh_figures", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="logins to time, at least 2 (5)")
    parser.add_argument("--tickets", type=int, default=5_000, help="demo tickets (5,000)")
    args = parser.parse_args()
    if shutil.which("ssh") is None or not Path("/usr/sbin/sshd").exists():
        sys.exit("needs openssh-server and openssh-client")
    before = yardstick_ms()
    figures = run(args.runs, args.tickets)
    figures |= {"yardstick_before_ms": before, "yardstick_after_ms": yardstick_ms()}
    for name, value in figures.items():
        print(f"{name:<36} {value:8.2f}")


if __name__ == "__main__":
    main()
