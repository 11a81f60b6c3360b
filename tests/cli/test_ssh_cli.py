"""`dispatch ssh`: keys on DATABASE_URL, sshd's lookup through the fast entry point, setup."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from cli.seeded import runner
from ssh.keyring import ed25519_line

from dispatch.cli import app

DISPATCH = Path(sys.executable).parent / "dispatch"


def test_keys_add_list_remove(env: dict[str, str]) -> None:
    line = ed25519_line("marco phone")
    added = runner.invoke(app, ["ssh", "keys", "add", "marco.wagner", line])
    assert added.exit_code == 0, added.output
    fp = added.output.split()[1]
    assert fp.startswith("SHA256:")
    again = runner.invoke(app, ["ssh", "keys", "add", "anna.becker", line])
    assert again.exit_code == 1
    assert "another user's already" in again.output
    bad = runner.invoke(app, ["ssh", "keys", "add", "marco.wagner", "ssh-ed25519 AAAA"])
    assert bad.exit_code == 1
    assert "too short" in bad.output
    nobody = runner.invoke(app, ["ssh", "keys", "add", "nobody", line])
    assert nobody.exit_code == 1
    listed = runner.invoke(app, ["ssh", "keys", "list"])
    assert "marco.wagner" in listed.output and fp in listed.output
    assert "marco phone" in listed.output
    missing = runner.invoke(app, ["ssh", "keys", "remove", "marco.wagner", "no such key"])
    assert missing.exit_code == 1
    removed = runner.invoke(app, ["ssh", "keys", "remove", "marco.wagner", "marco phone"])
    assert removed.exit_code == 0, removed.output
    assert fp not in runner.invoke(app, ["ssh", "keys", "list", "marco.wagner"]).output


def test_revoking_a_user_removes_their_keys(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["ssh", "keys", "add", "marco.wagner", ed25519_line()]).exit_code == 0
    revoked = runner.invoke(app, ["users", "revoke", "marco.wagner"])
    assert "removed 1 SSH key(s)" in revoked.output
    assert runner.invoke(app, ["ssh", "keys", "list"]).output.strip() == ""


def _lookup(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [str(DISPATCH), "ssh", "--config", str(config), "authorized-keys", *args]
    # sshd gives an AuthorizedKeysCommand PATH, USER, LOGNAME and HOME only
    clean = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
    return subprocess.run(argv, capture_output=True, text=True, env=clean, timeout=30)


def test_authorized_keys_as_sshd_runs_it(env: dict[str, str], tmp_path: Path) -> None:
    line = ed25519_line("marco")
    added = runner.invoke(app, ["ssh", "keys", "add", "marco.wagner", line])
    fp = added.output.split()[1]
    config = tmp_path / "gateway.toml"
    config.write_text(f'database_url = "{os.environ["DATABASE_URL"]}"\nssh_user = "dispatch"\n')
    kind, data = line.split()[:2]
    started = time.perf_counter()
    known = _lookup(config, "dispatch", kind, data)
    took = time.perf_counter() - started
    assert known.returncode == 0, known.stderr
    assert known.stdout == (
        f'restrict,pty,command="{DISPATCH} ssh --config {config} session --key {fp}" '
        f"{kind} {data}\n"
    )
    assert took < 5  # "well under a second" is bench/ssh_figures' to say, on a quiet machine
    unknown_kind, unknown = ed25519_line().split()[:2]
    assert _lookup(config, "dispatch", unknown_kind, unknown).stdout == ""
    assert _lookup(config, "postgres", kind, data).stdout == ""
    broken = tmp_path / "broken.toml"
    broken.write_text('database_url = "sqlite:////nonexistent/dir/x.db"\nssh_user = "dispatch"\n')
    failed = _lookup(broken, "dispatch", kind, data)
    assert failed.stdout == ""
    assert failed.returncode == 1 and failed.stderr.count("\n") == 1


def test_the_lookup_loads_no_framework(tmp_path: Path) -> None:
    """sshd runs it at every login: no Typer, pydantic, SQLAlchemy, httpx or Textual."""
    probe = (
        "import sys\n"
        "from dispatch.ssh.entry import fast\n"
        "sys.argv = ['dispatch']\n"
        "fast(['ssh', 'authorized-keys', 'x', 'ssh-ed25519', 'AAAA'])\n"
        "heavy = {'typer', 'pydantic', 'sqlalchemy', 'sqlmodel', 'httpx', 'textual', 'fastapi'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_setup_prints_the_sshd_block(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text('ssh_user = "dispatch"\n')
    result = runner.invoke(app, ["ssh", "--config", str(config), "setup"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Match User dispatch" in text
    for line in (
        "AuthorizedKeysFile none",
        "AuthorizedKeysCommandUser dispatch",
        "PermitTTY yes",
        "DisableForwarding yes",
        "AllowTcpForwarding no",
        "AllowAgentForwarding no",
        "X11Forwarding no",
        "PermitTunnel no",
    ):
        assert f"    {line}\n" in text
    assert f"ssh --config {config} authorized-keys %u %t %k" in text
    assert "AcceptEnv" not in text.split("Match User")[1]
