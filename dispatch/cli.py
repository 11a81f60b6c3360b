"""The `dispatch` command: console, service, database, users and scriptable ticket actions."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from dispatch.cli_technicians import install, technicians_app
from dispatch.settings import Settings

app = typer.Typer(
    help="Dispatch console and service for an MSP dispatch desk.",
    no_args_is_help=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.")
users_app = typer.Typer(help="Users and their tokens.")
tickets_app = typer.Typer(help="Ticket actions for scripts (same API as the console).")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tickets_app, name="tickets")
app.add_typer(technicians_app, name="technicians")

T = TypeVar("T")
ServerOpt = Annotated[
    str | None, typer.Option("--server", help="URL of a running service", envvar="DISPATCH_SERVER")
]
TokenOpt = Annotated[
    str | None, typer.Option("--token", help="bearer token", envvar="DISPATCH_TOKEN")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


HTTP = "httptools"
"""uvicorn's C parser for HTTP/1.1: it spends less of the service's CPU per request than h11
(measured in bench/RESULTS.md). The earlier try paired it with uvloop, whose scheduling
lengthened the p95; this is the parser alone."""


def _settings(**overrides: Any) -> Settings:
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    from dispatch.display.clock import set_zone

    set_zone(settings.timezone)  # every time printed is in the provider's zone
    return settings


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    server: ServerOpt = None,
    token: TokenOpt = None,
) -> None:
    """Open the console (embedded database unless --server is given)."""
    if ctx.invoked_subcommand is not None:
        _hand_down(ctx, server=server, token=token)
        return
    from dispatch.console import open_console

    open_console(_settings(server=server, token=token))


ENVVARS = {"server": "DISPATCH_SERVER", "token": "DISPATCH_TOKEN"}
TAKES_SERVER = {"tickets"}
"""Subcommands that talk to a service; the others work on DATABASE_URL (or a demo file)."""
_top_level: dict[str, str] = {}
"""--server/--token as typed before the subcommand (set by the callback on every run)."""


def _typed(name: str, value: str | None) -> bool:
    """Whether an option's value came from the command line rather than its variable (the
    same value from both is the same answer either way)."""
    return value is not None and value != os.environ.get(ENVVARS[name])


def _hand_down(ctx: typer.Context, **options: str | None) -> None:
    """Options given before the subcommand apply to it, or are refused with a message.

    A group's options belong to the group only: `dispatch --server URL tickets show N`
    used to ignore the URL and open the local database, which had no such ticket. Only what
    was typed counts here; DISPATCH_SERVER and DISPATCH_TOKEN reach the subcommands anyway.
    """
    typed = {name: value for name, value in options.items() if value and _typed(name, value)}
    _top_level.clear()
    if typed and ctx.invoked_subcommand not in TAKES_SERVER:
        flags = " and ".join(f"--{name}" for name in typed)
        fail(
            f"{flags} {'do' if len(typed) > 1 else 'does'} not apply to "
            f"`dispatch {ctx.invoked_subcommand}`, which works on the database in DATABASE_URL "
            "(only the console and `dispatch tickets` talk to a service)",
            2,
        )
    _top_level.update(typed)


def _given(server: str | None, token: str | None) -> tuple[str | None, str | None]:
    """The subcommand's --server/--token, with what was typed before it filling the gaps.

    Typed on the command line beats the environment wherever it stands; the same option
    typed twice with two values is refused rather than one of them picked.
    """
    out: dict[str, str | None] = {"server": server, "token": token}
    for name, value in _top_level.items():
        if not _typed(name, out[name]):
            out[name] = value
        elif out[name] != value:
            fail(f"--{name} given twice, before and after the command, with two values", 2)
    return out["server"], out["token"]


@app.command()
def demo(
    as_user: Annotated[
        str,
        typer.Option(
            "--as",
            help="demo user to log in as (e.g. tom.lehmann, team lead; marco.wagner, technician)",
        ),
    ] = "anna.becker",
    tickets: Annotated[int, typer.Option(help="how many demo tickets")] = 300,
    seed: Annotated[int, typer.Option(help="random seed of the demo data")] = 7,
) -> None:
    """Open the console on a fresh embedded database filled with demo data."""
    from dispatch.console import open_demo

    open_demo(as_user=as_user, tickets=tickets, seed=seed)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Run the REST service; database from DATABASE_URL (default: SQLite in the data dir)."""
    import uvicorn

    settings = _settings()
    typer.echo(
        f"dispatch service on http://{host}:{port}/api/v1 (database {_safe(settings.database_url)})"
    )
    if workers > 1:
        _serve_workers(host, port, workers)
    else:
        from dispatch.server.app import create_app
        from dispatch.server.http_guard import uvicorn_config

        # The httptools protocol with header deadline and connections-per-address cap.
        uvicorn.Server(uvicorn_config(create_app(settings), settings, host, port)).run()


def _serve_workers(host: str, port: int, workers: int) -> None:
    """Several worker processes on one socket; each builds its own app (and engine) from the
    environment.

    uvicorn binds that socket itself and hands it to the workers, and there asyncio does not
    switch Nagle's algorithm off for accepted connections (the shared socket's protocol number
    reads 0), so every response waited ~40 ms for a delayed ACK. Accepted connections inherit
    TCP_NODELAY from the listening socket.
    """
    import socket

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    from dispatch.server.http_guard import PROTOCOL

    config = Config(
        "dispatch.server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        http=PROTOCOL,  # HTTP guarded: limits from the environment, as the app's are
    )
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


CHECKOUT = Path(__file__).resolve().parent.parent
"""Where `bench/` lies in a checkout of dispatch (an installed wheel has no benchmarks)."""


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def bench(ctx: typer.Context) -> None:
    """Run the benchmarks, as `python -m bench` does (its options pass through: --help)."""
    if not (CHECKOUT / "bench" / "__main__.py").is_file():
        fail(f"the benchmarks live in a checkout of dispatch (bench/), not in {CHECKOUT}", 2)
    raise typer.Exit(subprocess.call([sys.executable, "-m", "bench", *ctx.args], cwd=CHECKOUT))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema of the configured database."""
    from dispatch.server.db import make_engine
    from dispatch.server.schema import create_schema

    settings = _settings()
    create_schema(make_engine(settings.database_url))
    from dispatch.server.migrate import head

    typer.echo(f"schema is at revision {head()} in {_safe(settings.database_url)}")


@db_app.command("copy")
def db_copy(
    from_url: Annotated[str, typer.Option("--from", help="database to copy, e.g. sqlite:///...")],
    to_url: Annotated[
        str, typer.Option("--to", help="empty target, e.g. postgresql+psycopg://...")
    ],
) -> None:
    """Copy every row (ids kept) into an empty database: the move from SQLite to PostgreSQL."""
    from dispatch.server.db import make_engine
    from dispatch.server.dbcopy import TargetNotEmptyError, copy_database

    try:
        counts = copy_database(make_engine(from_url), make_engine(to_url))
    except TargetNotEmptyError as exc:
        fail(str(exc))
        return
    for table, rows in counts.items():
        typer.echo(f"  {table:<20} {rows:>8} rows")
    typer.echo(f"copied {_safe(from_url)} to {_safe(to_url)}")


@app.command("seed-demo")
def seed_demo_cmd(
    tickets: Annotated[int, typer.Option(help="how many demo tickets")] = 300,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
) -> None:
    """Load the demo data into the configured database and print the demo users' tokens."""
    from sqlmodel import Session, select

    from dispatch.demo import DemoSize, seed_demo
    from dispatch.demo_users import roles, user_lines
    from dispatch.models import Ticket
    from dispatch.server.db import make_engine
    from dispatch.server.schema import create_schema

    settings = _settings()
    engine = make_engine(settings.database_url)
    create_schema(engine)
    with Session(engine) as session:
        if session.exec(select(Ticket.id).limit(1)).first() is not None:
            fail("this database has tickets already; seed-demo only fills an empty one")
        logins = seed_demo(session, seed=seed, size=DemoSize(tickets=tickets))
        session.commit()
        who = roles(session)
    typer.echo(f"demo data loaded into {_safe(settings.database_url)}; tokens (shown once):")
    for line in user_lines(logins.tokens, who):
        typer.echo(line)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="login name (a-z, 0-9, . _ -)")],
    role: Annotated[str, typer.Option(help="technician, dispatcher, team_lead or admin")],
    display_name: Annotated[str | None, typer.Option(help="full name")] = None,
) -> None:
    """Create a user and print its token once."""
    from pydantic import ValidationError
    from sqlmodel import Session

    from dispatch.domain.types import Role
    from dispatch.server.accounts import create_user
    from dispatch.server.db import make_engine
    from dispatch.server.schema import create_schema

    try:
        role_value = Role(role)
    except ValueError:
        fail(f"role must be one of: {', '.join(r.value for r in Role)}")
        return
    engine = make_engine(_settings().database_url)
    create_schema(engine)
    with Session(engine) as session:
        try:
            _, token = create_user(session, name, display_name or name, role_value)
        except (ValueError, ValidationError) as exc:
            fail(str(exc).splitlines()[0] if isinstance(exc, ValueError) else "invalid name")
            return
        session.commit()
    typer.echo(f"user {name} ({role_value.value}) created. Token, shown only now:\n{token}")


@users_app.command("revoke")
def users_revoke(name: Annotated[str, typer.Argument(help="login name")]) -> None:
    """Revoke every token of a user."""
    from sqlmodel import Session, select

    from dispatch.models.user import User
    from dispatch.server.accounts import revoke_tokens
    from dispatch.server.db import make_engine

    engine = make_engine(_settings().database_url)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            fail(f"there is no user {name!r}")
            return
        count = revoke_tokens(session, user)
        session.commit()
    typer.echo(f"revoked {count} token(s) of {name}")


def _run(server: str | None, token: str | None, call: Callable[[Any], Awaitable[T]]) -> T:
    """Run one API call with the shared client, turning its errors into clear messages."""
    from dispatch.client.api import ApiClient
    from dispatch.client.errors import ApiError, Unreachable

    server, token = _given(server, token)
    settings = _settings(server=server, token=token)

    async def go() -> T:
        if settings.server:
            client = ApiClient(settings.server, settings.token)
        else:
            from dispatch.embedded import embedded_transport, local_token

            client = ApiClient(
                "http://embedded",
                settings.token or local_token(settings),
                transport=embedded_transport(settings),
            )
        async with client:
            return await call(client)

    try:
        return asyncio.run(go())
    except Unreachable as exc:
        fail(f"{exc}. Is the service running? Check --server / DISPATCH_SERVER.")
    except ApiError as exc:
        from dispatch.display.safe import one_line  # the server's words reach this terminal

        fail(f"{one_line(exc.detail or exc.title)} (HTTP {exc.status})")
    raise AssertionError("unreachable")


install(_run)  # `dispatch technicians` runs its API calls as every command here does


def _print(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    if as_json:
        json.dump(data, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        render(data)


@tickets_app.command("list")
def tickets_list(
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
    q: Annotated[str | None, typer.Option("--q", help="text search")] = None,
    status: Annotated[list[str] | None, typer.Option(help="status (repeatable)")] = None,
    assignee: Annotated[str | None, typer.Option(help="technician id, me or none")] = None,
    all_: Annotated[bool, typer.Option("--all", help="include resolved and closed")] = False,
    limit: Annotated[int, typer.Option(help="how many")] = 50,
) -> None:
    """List tickets (open ones unless --all or --status)."""
    params: dict[str, Any] = {"q": q, "status": status, "assignee": assignee, "limit": limit}
    if not all_ and not status:
        params["open"] = "true"
    page = _run(server, token, lambda c: c.list_tickets(**params))

    def render(data: Any) -> None:
        from dispatch.display.cli_text import list_line

        for t in data["items"]:
            typer.echo(list_line(t))

    _print(page, as_json, render)


@tickets_app.command("show")
def tickets_show(
    number: Annotated[int, typer.Argument(help="ticket number")],
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one ticket with its history."""

    async def call(c: Any) -> tuple[Any, list[Any]]:
        from dispatch.client.errors import ApiError

        found = await c.find_ticket(number)
        detail = await c.get_ticket(found["id"])
        try:  # names for the technician ids in the history (ids when it may not know them)
            technicians = [] if as_json else await c.technicians()
        except ApiError:
            technicians = []
        return detail, technicians

    ticket, technicians = _run(server, token, call)

    def render(t: Any) -> None:
        from dispatch.display.cli_text import show_lines

        for line in show_lines(t, technicians):
            typer.echo(line)

    _print(ticket, as_json, render)


@tickets_app.command("assign")
def tickets_assign(
    number: Annotated[int, typer.Argument(help="ticket number")],
    technician: Annotated[int, typer.Option(help="technician id")],
    start: Annotated[str | None, typer.Option(help="slot start, ISO 8601 with offset")] = None,
    minutes: Annotated[int, typer.Option(help="slot length")] = 120,
    remote: Annotated[bool, typer.Option(help="remote instead of on-site")] = False,
    dry_run: Annotated[bool, typer.Option(help="only forecast")] = False,
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Assign a ticket to a technician, optionally booking a slot."""
    from datetime import datetime, timedelta

    slot = None
    if start:
        try:
            begin = datetime.fromisoformat(start)
        except ValueError:
            fail("--start must be ISO 8601, e.g. 2026-11-30T09:00:00+01:00")
            return
        if begin.tzinfo is None:
            fail("--start needs an offset, e.g. 2026-11-30T09:00:00+01:00")
        slot = {
            "start": begin.isoformat(),
            "end": (begin + timedelta(minutes=minutes)).isoformat(),
            "mode": "remote" if remote else "onsite",
        }

    async def call(c: Any) -> Any:
        found = await c.find_ticket(number)
        return await c.assign(found["id"], technician, slot=slot, dry_run=dry_run)

    result = _run(server, token, call)

    def render(r: Any) -> None:
        from dispatch.display.cli_text import assignment_lines

        for line in assignment_lines(r):
            typer.echo(line)

    _print(result, as_json, render)


@tickets_app.command("escalate")
def tickets_escalate(
    number: Annotated[int, typer.Argument(help="ticket number")],
    reason: Annotated[
        str, typer.Option(help="total_outage, vendor_stuck, sla_breach, customer_complaint, other")
    ],
    note: Annotated[str, typer.Option(help="what is going on")] = "",
    level: Annotated[int, typer.Option(help="1 team lead, 2 service area management")] = 1,
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Raise an internal escalation on a ticket."""

    async def call(c: Any) -> Any:
        found = await c.find_ticket(number)
        return await c.escalate(found["id"], reason, level=level, note=note)

    result = _run(server, token, call)
    from dispatch.display.cli_text import escalation_line

    _print(result, as_json, lambda e: typer.echo(escalation_line(e)))


@tickets_app.command("suggest")
def tickets_suggest(
    number: Annotated[int, typer.Argument(help="ticket number")],
    remote: Annotated[bool, typer.Option(help="remote work instead of on-site")] = False,
    minutes: Annotated[int | None, typer.Option(help="length of the work")] = None,
    limit: Annotated[int, typer.Option(help="how many technicians")] = 5,
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who should take this ticket, and when: technicians ranked with reasons."""

    async def call(c: Any) -> Any:
        found = await c.find_ticket(number)
        return await c.suggestions(
            found["id"], mode="remote" if remote else "onsite", duration=minutes, limit=limit
        )

    result = _run(server, token, call)

    def render(r: Any) -> None:
        from dispatch.display.cli_text import suggestion_lines

        for line in suggestion_lines(r):
            typer.echo(line)

    _print(result, as_json, render)


def main() -> None:
    app()
