"""`dispatch technicians ...`: technicians' working hours, through the same API as the console."""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.remote import call_service
from dispatch.i18n import N_, _

app = DispatchTyper(help=_("Technicians and their working hours."))


def _fail(message: str) -> NoReturn:
    typer.secho(_("error: {message}").format(message=message), err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


_HOURS_HELP = N_(
    "new hours as pairs of days and a span, e.g. mon-thu 07:00-15:30 fri 07:00-12:00 "
    "(days not named are not worked); none: show the hours"
)


def _pick(technicians: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The one technician `name` means: an id, a whole name or a unique part of one."""
    if name.isdigit():
        found = [t for t in technicians if t["id"] == int(name)]
    else:
        wanted = name.casefold()
        found = [t for t in technicians if str(t["name"]).casefold() == wanted] or [
            t for t in technicians if wanted in str(t["name"]).casefold()
        ]
    if len(found) != 1:
        from dispatch.display.safe import one_line

        which = ", ".join(one_line(str(t["name"])) for t in found[:5])
        raise ValueError(
            _("no technician is called {name!r}").format(name=name)
            if not found
            else _("{name!r} could mean {which}; give more of the name or the id").format(
                name=name, which=which
            )
        )
    return found[0]


def _line(tech: dict[str, Any]) -> str:
    from dispatch.display.safe import one_line
    from dispatch.domain.availability import DEFAULT_HOURS, WorkingHours

    try:
        hours = WorkingHours.from_mapping(tech.get("working_hours") or {})
    except ValueError:
        hours = DEFAULT_HOURS
    branch = one_line(str(tech.get("branch_name") or ""))
    return f"{one_line(str(tech['name']))} ({branch}): {hours.describe()}"


@app.command(
    "hours",
    help=_(
        "Show or set a technician's working hours (Berlin time; public holidays of their home "
        "branch's state are never worked; on-call duty is booked in the calendar)."
    ),
)
def technicians_hours(
    name: Annotated[str, typer.Argument(help=_("technician: id, name or a unique part of it"))],
    hours: Annotated[list[str] | None, typer.Argument(help=_(_HOURS_HELP))] = None,
    server: Annotated[
        str | None,
        typer.Option("--server", help=_("URL of a running service"), envvar="DISPATCH_SERVER"),
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", help=_("bearer token"), envvar="DISPATCH_TOKEN")
    ] = None,
) -> None:
    """Show or set a technician's working hours (Berlin time; public holidays of their home
    branch's state are never worked; on-call duty is booked in the calendar)."""
    from dispatch.domain.availability import parse_hours

    wanted = None
    if hours:
        try:
            wanted = parse_hours(hours).as_mapping()
        except ValueError as exc:
            _fail(_("hours: {problem}").format(problem=exc))

    async def call(client: Any) -> dict[str, Any]:
        tech = _pick(await client.technicians(), name)
        if wanted is None:
            return tech
        response = await client.write(
            "PUT", f"/technicians/{tech['id']}/hours", json={"working_hours": wanted}
        )
        return dict(response.json())

    try:
        tech = call_service(server, token, call)
    except ValueError as exc:
        _fail(str(exc))
    typer.echo(_line(tech))
