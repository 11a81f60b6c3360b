"""The README's reverse-proxy example, run: nginx terminates TLS on loopback and passes requests
to a real `dispatch serve` on 127.0.0.1 that trusts it (`DISPATCH_TRUSTED_PROXIES`).

Checked through it: the CLI over https with the desk's CA, a long-poll of the change feed
answered through the proxy, and failed logins of two clients (two loopback source addresses)
counted apart by the service, not lumped into the proxy's address.

nginx comes from Debian's nginx-light (`.ci/run` installs it); without it the test skips,
and under CI=true fails.
"""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme
from deploy.pgdb import _command, free_port
from typer.testing import CliRunner

from dispatch.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()
START_SECONDS = 90

README_EXAMPLE = """\
limit_conn_zone $binary_remote_addr zone=dispatch_per_client:10m;

upstream dispatch {
    server 127.0.0.1:{service_port};
    keepalive 32;
}

server {
    listen {listen} ssl;
    server_name dispatch.example;
    ssl_certificate     {cert};
    ssl_certificate_key {key};

    location / {
        proxy_pass http://dispatch;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto https;
        proxy_read_timeout 90s;
        proxy_buffering off;
        client_max_body_size 2m;
        limit_conn dispatch_per_client 64;
    }
}
"""
"""The server block the README shows (`{...}` filled in by the test, the rest as printed)."""

MAIN = """\
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/dispatch.conf;
}}
"""


@dataclass
class Proxied:
    url: str
    ca: Path
    token: str


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx-light")
        pytest.skip("nginx is not installed (Debian: apt-get install nginx-light)")
    return found


def _wait(
    url: str, verify: ssl.SSLContext | bool, proc: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            if httpx.get(f"{url}/api/v1/health", verify=verify, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{url} did not answer: {log.read_text()[-2000:]}"
        time.sleep(0.1)


def _certs(root: Path) -> tuple[Path, Path, Path]:
    ca = trustme.CA()
    issued = ca.issue_cert("localhost", "127.0.0.1")
    paths = root / "ca.pem", root / "cert.pem", root / "key.pem"
    ca.cert_pem.write_to_path(str(paths[0]))
    for i, pem in enumerate(issued.cert_chain_pems):
        pem.write_to_path(str(paths[1]), append=i > 0)
    issued.private_key_pem.write_to_path(str(paths[2]))
    paths[2].chmod(0o600)
    return paths


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    nginx = _nginx()
    root = tmp_path_factory.mktemp("proxy")
    database_url = f"sqlite:///{root / 'server.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", database_url)
        seeded = runner.invoke(app, ["seed-demo", "--tickets", "12"])
    assert seeded.exit_code == 0, seeded.output
    token = next(line.split()[-1] for line in seeded.output.splitlines() if "anna.becker" in line)
    ca, cert, key = _certs(root)
    service_port, proxy_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DISPATCH_TRUSTED_PROXIES": "127.0.0.1",
        "DISPATCH_AUTH_FAILURE_BURST": "3",
        "DISPATCH_AUTH_FAILURES_PER_MINUTE": "0.01",
    }
    fill = {"service_port": service_port, "listen": f"127.0.0.1:{proxy_port}"}
    site = README_EXAMPLE
    for name, value in {**fill, "cert": cert, "key": key}.items():
        site = site.replace("{" + name + "}", str(value))
    (root / "dispatch.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""  # workers that may read the temp dirs
    (root / "nginx.conf").write_text(MAIN.format(root=root, user=user))
    service_log, proxy_log = root / "serve.log", root / "error.log"
    with service_log.open("wb") as out:
        service = subprocess.Popen(
            [*_command(), "serve", "--port", str(service_port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    proxy = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{service_port}", True, service, service_log)
        url = f"https://localhost:{proxy_port}"
        _wait(url, ssl.create_default_context(cafile=str(ca)), proxy, proxy_log)
        yield Proxied(url, ca, token)
    finally:
        for proc in (proxy, service):
            proc.terminate()
        for proc in (proxy, service):
            proc.wait(timeout=15)


def test_the_cli_and_a_long_poll_pass_through_the_proxy(
    proxied: Proxied, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DISPATCH_CA_FILE", str(proxied.ca))
    monkeypatch.setenv("DISPATCH_TOKEN", proxied.token)
    listed = runner.invoke(app, ["tickets", "list", "--json", "--server", proxied.url])
    assert listed.exit_code == 0, listed.output
    verify = ssl.create_default_context(cafile=str(proxied.ca))
    auth = {"Authorization": f"Bearer {proxied.token}"}
    with httpx.Client(base_url=f"{proxied.url}/api/v1", verify=verify, headers=auth) as http:
        seen = 0
        while page := http.get("/changes", params={"since": seen, "limit": 500}).json():
            seen = page["last_seq"]
            if len(page["changes"]) < 500:
                break
        started = time.monotonic()
        polled = http.get("/changes", params={"since": seen, "wait": 2}, timeout=30)
    assert polled.status_code == 200 and polled.json()["changes"] == []
    assert time.monotonic() - started >= 1.5  # held by the service, answered through nginx


def _failed_logins(proxied: Proxied, source: str, n: int) -> list[int]:
    """`n` made-up tokens sent through the proxy from the loopback address `source`."""
    verify = ssl.create_default_context(cafile=str(proxied.ca))
    transport = httpx.HTTPTransport(local_address=source, verify=verify)
    with httpx.Client(base_url=f"{proxied.url}/api/v1", transport=transport) as http:
        return [
            http.get(
                "/me", headers={"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}
            ).status_code
            for _ in range(n)
        ]


def test_clients_behind_the_proxy_are_counted_apart(proxied: Proxied) -> None:
    assert _failed_logins(proxied, "127.0.0.2", 5) == [401, 401, 401, 429, 429]
    assert _failed_logins(proxied, "127.0.0.3", 4) == [401, 401, 401, 429]
