"""A server that is not dispatch (or not quite) gets one line, never a traceback or its page.

A tiny real HTTP server on loopback answers the way wrong servers do: 200 with text, 200
with JSON of another shape, an HTML 404 page, a problem document full of escape sequences,
and a server that answers GET /me right but everything else wrong. The real `dispatch`
command (the CLI and the console's start) must end with one line naming the server and
what was wrong, exit non-zero, and print nothing the server sent as markup or control
characters. The console, once running, says so in one line and keeps running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import cast

import pytest

from dispatch.app import DispatchApp
from dispatch.client.api import ApiClient
from dispatch.client.shapes import MeShape
from dispatch.settings import Settings

DISPATCH = str(Path(sys.executable).parent / "dispatch")
HTML = (
    "<!DOCTYPE html><html><head><title>404 Not Found</title>"
    "<script>document.title='\x1b]0;PWNED\x07'</script></head><body>"
    + "<p>The requested URL was not found on this server.</p>" * 60
    + "</body></html>"
)
ME = {
    "user": {"id": 1, "name": "anna.becker", "display_name": "Anna Becker", "role": "dispatcher"},
    "role": "dispatcher",
    "technician_id": None,
}
HOSTILE = {
    "title": "\x1b[2J" + "Unprocessable " * 400,
    "detail": "\x1b]52;c;cHduZWQ=\x07 evil\nline\r\n" * 500,
    "status": 422,
}

# mode -> (status, content type, body) for any path; "half" answers /me right
ANSWERS: dict[str, tuple[int, str, str]] = {
    "text": (200, "text/plain", "It works!"),
    "json of another shape": (200, "application/json", json.dumps({"hello": "world"})),
    "json list": (200, "application/json", "[1, 2, 3]"),
    "html 404": (404, "text/html", HTML),
    "hostile problem": (422, "application/problem+json", json.dumps(HOSTILE)),
    "half": (200, "application/json", json.dumps({"items": [{"id": 1}], "next_cursor": None})),
}


class WrongServer(BaseHTTPRequestHandler):
    mode = "text"

    def _answer(self) -> None:
        status, kind, body = ANSWERS[self.server.mode]  # type: ignore[attr-defined]
        if self.server.mode == "half" and self.path.startswith("/api/v1/me"):  # type: ignore[attr-defined]
            status, kind, body = 200, "application/json", json.dumps(ME)
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def wrong_server() -> Iterator[Callable[[str], str]]:
    """Start serving in `mode`; returns the server's base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), WrongServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(mode: str) -> str:
        server.mode = mode  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    server.shutdown()
    server.server_close()


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dispatch *args` with the token "t" from DISPATCH_TOKEN (--token adds its warning)."""
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "200",
        "DISPATCH_TOKEN": "t",
    }
    env.pop("DISPATCH_SERVER", None)
    return subprocess.run(
        [DISPATCH, *args], capture_output=True, text=True, timeout=60, env=env, stdin=None
    )


def one_clean_line(done: subprocess.CompletedProcess[str], url: str) -> str:
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert "Traceback" not in out, out
    assert "<html" not in out.lower() and "<script" not in out.lower(), out
    assert "\x1b" not in out and "\x07" not in out, repr(out)
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    if "does not answer like a dispatch service" in lines[0]:
        assert url in lines[0], lines[0]
    assert len(lines[0]) < 400, lines[0]
    return lines[0]


@pytest.mark.parametrize("mode", list(ANSWERS))
def test_the_cli_says_in_one_line_what_a_wrong_server_answered(
    tmp_path: Path, wrong_server: Callable[[str], str], mode: str, figure: Callable[[str], None]
) -> None:
    url = wrong_server(mode)
    line = one_clean_line(run(tmp_path, "tickets", "list", "--server", url), url)
    if mode != "hostile problem":  # that one is a problem document: its detail, cleaned
        assert "does not answer like a dispatch service" in line, line
    figure(f"wrong server [{mode}], dispatch tickets list: {line}")


@pytest.mark.parametrize("mode", [m for m in ANSWERS if m != "half"])
def test_the_console_does_not_start_on_a_wrong_server_and_says_why(
    tmp_path: Path, wrong_server: Callable[[str], str], mode: str, figure: Callable[[str], None]
) -> None:
    url = wrong_server(mode)
    line = one_clean_line(run(tmp_path, "--server", url), url)
    if mode != "hostile problem":
        assert "does not answer like a dispatch service" in line, line
    figure(f"wrong server [{mode}], dispatch (console): {line}")


async def test_a_running_console_says_in_one_line_that_the_server_answers_wrong(
    tmp_path: Path, wrong_server: Callable[[str], str]
) -> None:
    """GET /me was right (the console started), the tickets are not: one line, still
    running, and the status bar does not claim a sync."""
    url = wrong_server("half")
    app = DispatchApp(
        settings=Settings(server=url, token="t"),
        client_factory=lambda: ApiClient(url, "t"),
        me=cast("MeShape", ME),
        server_label=url,
        cache_file=tmp_path / "cache.sqlite",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            if app._notifications:
                break
            await pilot.pause(0.02)
        said = [str(n.message) for n in app._notifications]
        assert said and all("\n" not in m for m in said), said
        assert any(url in m and "does not answer like a dispatch service" in m for m in said)
        assert app.is_running and app._exception is None
        assert app.sync.last_sync is None


def test_a_url_that_has_no_dispatch_api_says_so(
    tmp_path: Path, wrong_server: Callable[[str], str]
) -> None:
    """A problem-speaking server without /api/v1/me (a dispatch URL given with /api/v1)."""
    ANSWERS["no me"] = (404, "application/problem+json", json.dumps({"title": "Not Found"}))
    try:
        url = wrong_server("no me") + "/api/v1"
        line = one_clean_line(run(tmp_path, "--server", url), url)
    finally:
        del ANSWERS["no me"]
    assert f"{url} has no /api/v1/me (404): is the URL the service's, without /api/v1?" in line
