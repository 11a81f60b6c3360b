"""`dispatch serve --tls-cert/--tls-key`, in one process and with `--workers 2`, and the CLI
and the console talking https to it end to end.

The certificates come from a CA made for the test (trustme), as a desk's internal CA would be:
the client trusts it only when told (`--ca-file`, `DISPATCH_CA_FILE`), never by default.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme
from console.harness import settle
from deploy.pgdb import _command, free_port
from typer.testing import CliRunner

from dispatch.app import DispatchApp
from dispatch.cli import app
from dispatch.console import client_factory
from dispatch.settings import Settings

runner = CliRunner()
# One worker takes the module, so each `dispatch serve` behind `served` starts once.
pytestmark = pytest.mark.xdist_group("tls_serve")
START_SECONDS = 90
"""Worker processes import the whole service before they answer; on a busy machine that
took over 30 s."""


@dataclass
class Certs:
    ca: Path
    cert: Path
    key: Path


@dataclass
class Served:
    url: str
    token: str
    certs: Certs
    database_url: str


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    root = tmp_path_factory.mktemp("certs")
    ca = trustme.CA(organization_name="Test MSP internal CA")
    issued = ca.issue_cert("localhost", "127.0.0.1", "::1")
    made = Certs(root / "ca.pem", root / "cert.pem", root / "key.pem")
    ca.cert_pem.write_to_path(str(made.ca))
    for i, pem in enumerate(issued.cert_chain_pems):
        pem.write_to_path(str(made.cert), append=i > 0)
    issued.private_key_pem.write_to_path(str(made.key))
    made.key.chmod(0o600)
    return made


def _started(proc: subprocess.Popen[bytes], url: str, certs: Certs, log: Path) -> None:
    verify = ssl.create_default_context(cafile=str(certs.ca))
    deadline = time.monotonic() + START_SECONDS
    while True:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            if httpx.get(f"{url}/api/v1/health", verify=verify, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"dispatch serve did not start: {log.read_text()}"
        time.sleep(0.1)


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def served(
    request: pytest.FixtureRequest, certs: Certs, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """A real `dispatch serve` with the test's certificate on a seeded SQLite file."""
    root = tmp_path_factory.mktemp("tls")
    database_url = f"sqlite:///{root / 'server.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", database_url)
        seeded = runner.invoke(app, ["seed-demo", "--tickets", "12"])
    assert seeded.exit_code == 0, seeded.output
    token = next(line.split()[-1] for line in seeded.output.splitlines() if "anna.becker" in line)
    port = free_port()
    log = root / "serve.log"
    env = {**os.environ, "DATABASE_URL": database_url}
    flags = ["--tls-cert", str(certs.cert), "--tls-key", str(certs.key)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*_command(), "serve", "--port", str(port), "--workers", str(request.param), *flags],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"https://localhost:{port}"
        _started(proc, url, certs, log)
        assert f"dispatch service on https://127.0.0.1:{port}/api/v1" in log.read_text()
        yield Served(url, token, certs, database_url)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(autouse=True)
def own_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'local.db'}")
    for name in ("DISPATCH_SERVER", "DISPATCH_TOKEN", "DISPATCH_CA_FILE", "DISPATCH_INSECURE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.slow
def test_the_cli_reads_tickets_over_https_trusting_the_desks_ca(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = runner.invoke(
        app,
        ["--ca-file", str(served.certs.ca), "tickets", "list", "--json", "--server", served.url],
        env={"DISPATCH_TOKEN": served.token},
    )
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.stdout)["items"]) > 0
    # the same CA from the environment, the service by its address
    monkeypatch.setenv("DISPATCH_CA_FILE", str(served.certs.ca))
    by_ip = served.url.replace("localhost", "127.0.0.1")
    shown = runner.invoke(
        app, ["tickets", "list", "--server", by_ip], env={"DISPATCH_TOKEN": served.token}
    )
    assert shown.exit_code == 0, shown.output


@pytest.mark.slow
def test_a_certificate_no_trusted_ca_signed_is_refused_with_a_hint(served: Served) -> None:
    refused = runner.invoke(
        app, ["tickets", "list", "--server", served.url], env={"DISPATCH_TOKEN": served.token}
    )
    assert refused.exit_code == 1
    message = refused.stderr.strip()
    assert "certificate was not accepted" in message and "--ca-file" in message
    assert len(message.splitlines()) == 1
    # another CA's file is no better: --ca-file replaces the trust, it adds no exception
    other = trustme.CA()
    other_pem = served.certs.ca.with_name("other-ca.pem")
    other.cert_pem.write_to_path(str(other_pem))
    refused = runner.invoke(
        app,
        ["--ca-file", str(other_pem), "tickets", "list", "--server", served.url],
        env={"DISPATCH_TOKEN": served.token},
    )
    assert refused.exit_code == 1 and "certificate was not accepted" in refused.stderr


@pytest.mark.slow
async def test_the_console_works_over_https(served: Served, tmp_path: Path) -> None:
    settings = Settings(
        server=served.url, ca_file=served.certs.ca, database_url=served.database_url
    )
    factory = client_factory(settings, served.token)
    async with factory() as probe:
        me = await probe.me()
    console = DispatchApp(settings=settings, client_factory=factory, me=me, server_label=served.url)
    async with console.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert console.sync.last_sync is not None
        assert len(console.store.tickets) > 0
        screen = console.export_screenshot()
        assert any(str(t["number"]) in screen for t in console.store.tickets.values())
    assert me["user"]["name"] == "anna.becker"


def test_serve_wants_both_tls_files_and_usable_ones(certs: Certs, tmp_path: Path) -> None:
    alone = runner.invoke(app, ["serve", "--tls-cert", str(certs.cert)])
    assert alone.exit_code == 2 and "--tls-cert and --tls-key go together" in alone.stderr
    garbage = tmp_path / "key.pem"
    garbage.write_text("not a key\n")
    garbage.chmod(0o600)
    wrong = runner.invoke(app, ["serve", "--tls-cert", str(certs.cert), "--tls-key", str(garbage)])
    assert wrong.exit_code == 2 and "cannot serve https" in wrong.stderr
    missing = runner.invoke(
        app, ["serve", "--tls-cert", str(tmp_path / "none.pem"), "--tls-key", str(certs.key)]
    )
    assert missing.exit_code == 2 and "No such file" in missing.stderr
