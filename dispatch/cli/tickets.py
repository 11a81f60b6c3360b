"""`dispatch tickets`: ticket actions for scripts, through the same API client as the console
(against --server, or the embedded service on the local database)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import JsonOpt, ServerOpt, TokenOpt, fail
from dispatch.cli.intake import tickets_add
from dispatch.cli.remote import call_service, print_result
from dispatch.i18n import _

app = DispatchTyper(help=_("Ticket actions for scripts (same API as the console)."))
app.command(
    "add",
    help=_("Take a ticket in (a call at the desk): the service gives its number and due times."),
)(tickets_add)


@app.command("list", help=_("List tickets (open ones unless --all or --status)."))
def tickets_list(
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
    q: Annotated[str | None, typer.Option("--q", help=_("text search"))] = None,
    status: Annotated[list[str] | None, typer.Option(help=_("status (repeatable)"))] = None,
    assignee: Annotated[str | None, typer.Option(help=_("technician id, me or none"))] = None,
    all_: Annotated[bool, typer.Option("--all", help=_("include resolved and closed"))] = False,
    limit: Annotated[int, typer.Option(help=_("how many"))] = 50,
) -> None:
    """List tickets (open ones unless --all or --status)."""
    params: dict[str, Any] = {"q": q, "status": status, "assignee": assignee, "limit": limit}
    if not all_ and not status:
        params["open"] = "true"
    page = call_service(server, token, lambda c: c.list_tickets(**params))

    def render(data: Any) -> None:
        from dispatch.display.cli_text import list_line

        for t in data["items"]:
            typer.echo(list_line(t))

    print_result(page, as_json, render)


@app.command("show", help=_("Show one ticket with its history."))
def tickets_show(
    number: Annotated[int, typer.Argument(help=_("ticket number"))],
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

    ticket, technicians = call_service(server, token, call)

    def render(t: Any) -> None:
        from dispatch.display.cli_text import show_lines

        for line in show_lines(t, technicians):
            typer.echo(line)

    print_result(ticket, as_json, render)


@app.command("assign", help=_("Assign a ticket to a technician, optionally booking a slot."))
def tickets_assign(
    number: Annotated[int, typer.Argument(help=_("ticket number"))],
    technician: Annotated[int, typer.Option(help=_("technician id"))],
    start: Annotated[str | None, typer.Option(help=_("slot start, ISO 8601 with offset"))] = None,
    minutes: Annotated[int, typer.Option(help=_("slot length in minutes"))] = 120,
    remote: Annotated[bool, typer.Option(help=_("remote instead of on-site"))] = False,
    dry_run: Annotated[bool, typer.Option(help=_("only forecast"))] = False,
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
            fail(_("--start must be ISO 8601, e.g. 2026-11-30T09:00:00+01:00"))
            return
        if begin.tzinfo is None:
            fail(_("--start needs an offset, e.g. 2026-11-30T09:00:00+01:00"))
        slot = {
            "start": begin.isoformat(),
            "end": (begin + timedelta(minutes=minutes)).isoformat(),
            "mode": "remote" if remote else "onsite",
        }

    async def call(c: Any) -> Any:
        found = await c.find_ticket(number)
        return await c.assign(found["id"], technician, slot=slot, dry_run=dry_run)

    result = call_service(server, token, call)

    def render(r: Any) -> None:
        from dispatch.display.cli_text import assignment_lines

        for line in assignment_lines(r):
            typer.echo(line)

    print_result(result, as_json, render)


@app.command("escalate", help=_("Raise an internal escalation on a ticket."))
def tickets_escalate(
    number: Annotated[int, typer.Argument(help=_("ticket number"))],
    reason: Annotated[
        str,
        typer.Option(help=_("total_outage, vendor_stuck, sla_breach, customer_complaint, other")),
    ],
    note: Annotated[str, typer.Option(help=_("what is going on"))] = "",
    level: Annotated[int, typer.Option(help=_("1 team lead, 2 service area management"))] = 1,
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Raise an internal escalation on a ticket."""

    async def call(c: Any) -> Any:
        found = await c.find_ticket(number)
        return await c.escalate(found["id"], reason, level=level, note=note)

    result = call_service(server, token, call)
    from dispatch.display.cli_text import escalation_line

    print_result(result, as_json, lambda e: typer.echo(escalation_line(e)))


@app.command(
    "suggest",
    help=_("Who should take this ticket, and when: technicians ranked with reasons."),
)
def tickets_suggest(
    number: Annotated[int, typer.Argument(help=_("ticket number"))],
    remote: Annotated[bool, typer.Option(help=_("remote work instead of on-site"))] = False,
    minutes: Annotated[int | None, typer.Option(help=_("length of the work in minutes"))] = None,
    limit: Annotated[int, typer.Option(help=_("how many technicians"))] = 5,
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

    result = call_service(server, token, call)

    def render(r: Any) -> None:
        from dispatch.display.cli_text import suggestion_lines

        for line in suggestion_lines(r):
            typer.echo(line)

    print_result(result, as_json, render)
