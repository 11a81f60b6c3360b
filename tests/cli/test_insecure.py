"""No token over plain http:// to another host: refused from the URL alone, before any name is
resolved or connection opened; loopback is fine, and so is --insecure (DISPATCH_INSECURE=1,
`insecure = true`) where the user vouches for the network."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from trust.live import Live, serving
from typer.testing import CliRunner

from dispatch.cli import app
from dispatch.client.api import ApiClient
from dispatch.client.tls import TransportRefused, check_server, is_loopback

runner = CliRunner()
TOKEN = "a-token-that-must-not-leave-this-machine-in-clear"


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"],
)
def test_this_machine_by_its_spelling(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host",
    [
        "dispatch.example",
        "localhost.example",
        "127.0.0.1.nip.io",
        "10.0.0.5",
        "0.0.0.0",
        "128.0.0.1",
        "2001:db8::1",
        "::ffff:10.0.0.1",
        "",
    ],
)
def test_another_host_by_its_spelling(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(
    ("url", "insecure", "refused"),
    [
        ("http://dispatch.example:8765", False, "in clear text"),
        ("http://10.0.0.5", False, "in clear text"),
        ("http://[2001:db8::1]:8765/", False, "in clear text"),
        ("http://user:secret@dispatch.example", False, "in clear text"),
        ("dispatch.example:8765", False, "must start with https://"),
        ("ftp://dispatch.example", True, "must start with https://"),
        ("https://", False, "must start with https://"),
        ("http://dispatch.example:port", False, "not a valid URL"),
        ("https://dispatch.example", False, None),
        ("http://dispatch.example", True, None),
        ("http://127.0.0.1:8765", False, None),
        ("http://[::1]:8765", False, None),
        ("http://localhost:8765", False, None),
    ],
)
def test_which_urls_a_token_may_go_to(url: str, insecure: bool, refused: str | None) -> None:
    if refused is None:
        check_server(url, insecure=insecure)
        return
    with pytest.raises(TransportRefused) as raised:
        check_server(url, insecure=insecure)
    assert refused in str(raised.value)
    assert "secret" not in str(raised.value)  # what the message names has no credentials


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every name the process tries to resolve; each lookup fails at once (no DNS is asked)."""
    asked: list[Any] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(host.decode() if isinstance(host, bytes) else host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.fixture(autouse=True)
def own_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'local.db'}")
    for name in ("DISPATCH_SERVER", "DISPATCH_TOKEN", "DISPATCH_CA_FILE", "DISPATCH_INSECURE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "command",
    [
        ["tickets", "list", "--server", "http://dispatch.example:8765"],
        ["--server", "http://dispatch.example:8765", "tickets", "show", "100001"],
        ["technicians", "hours", "tina", "--server", "http://dispatch.example:8765"],
        ["--server", "http://dispatch.example:8765"],  # the console
    ],
    ids=["tickets-list", "top-level-server", "technicians", "console"],
)
def test_plain_http_to_another_host_is_refused_before_any_lookup(
    command: list[str], lookups: list[Any]
) -> None:
    result = runner.invoke(app, command, env={"DISPATCH_TOKEN": TOKEN})
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "refusing to send the token to http://dispatch.example:8765 in clear text" in message
    assert "--insecure" in message and len(message.splitlines()) == 1
    assert TOKEN not in result.output
    assert lookups == []


def _config(tmp_path: Path, text: str) -> None:
    config = tmp_path / "config" / "dispatch" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    config.chmod(0o600)


@pytest.mark.parametrize("how", ["flag", "environment", "config"])
def test_insecure_lets_the_client_go_ahead(
    how: str, lookups: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags = ["--insecure"] if how == "flag" else []
    if how == "environment":
        monkeypatch.setenv("DISPATCH_INSECURE", "1")
    if how == "config":
        _config(tmp_path, "insecure = true\n")
    result = runner.invoke(
        app,
        [*flags, "tickets", "list", "--server", "http://dispatch.invalid:8765"],
        env={"DISPATCH_TOKEN": TOKEN},
    )
    # it went on to look the name up (and found none): nothing refused it
    assert result.exit_code == 1, result.output
    assert "cannot reach http://dispatch.invalid:8765" in result.stderr
    assert "dispatch.invalid" in lookups


def test_insecure_is_refused_where_no_service_is_asked() -> None:
    result = runner.invoke(app, ["--insecure", "db", "upgrade"])
    assert result.exit_code == 2 and "--insecure does not apply" in result.stderr


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with serving(f"sqlite:///{tmp_path / 'live.db'}") as running:
        yield running


@pytest.mark.slow
def test_loopback_over_plain_http_is_accepted(live: Live) -> None:
    async def me(host: str) -> Any:
        async with ApiClient(f"http://{host}:{live.port}", live.tokens["dana"]) as client:
            return await client.me()

    for host in ("127.0.0.1", "localhost"):
        assert asyncio.run(me(host))["user"]["name"] == "dana"
    listed = runner.invoke(
        app,
        ["tickets", "list", "--json", "--server", f"http://localhost:{live.port}"],
        env={"DISPATCH_TOKEN": live.tokens["dana"]},
    )
    assert listed.exit_code == 0, listed.output


def test_the_client_itself_refuses_whoever_builds_it() -> None:
    """The one place: any code that makes an ApiClient for a network gets the same rule (the
    embedded service, which hands it a transport, crosses no network)."""
    with pytest.raises(TransportRefused):
        ApiClient("http://dispatch.example", TOKEN)
    ApiClient("http://dispatch.example", TOKEN, insecure=True)
    ApiClient("http://dispatch.example", None)  # nothing secret to send


@pytest.mark.parametrize("console", [False, True], ids=["cli", "console"])
def test_a_ca_file_that_is_no_ca_is_a_sentence(
    console: bool, tmp_path: Path, lookups: list[Any]
) -> None:
    command = ["--server", "https://dispatch.example"]
    if not console:
        command = ["tickets", "list", *command]
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("no certificate here\n")
    for ca_file, said in ((tmp_path / "none.pem", "does not exist"), (not_pem, "no PEM")):
        result = runner.invoke(
            app,
            ["--ca-file", str(ca_file), *command],
            env={"DISPATCH_TOKEN": TOKEN},
        )
        assert result.exit_code == 2, result.output
        assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert lookups == []
