"""`dispatch reports ...`: service reports and the billing export for the back office,
through the same API as the console (against --server, or the embedded service)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from dispatch.cli.click_text import DispatchTyper
from dispatch.cli.common import JsonOpt, ServerOpt, TokenOpt, fail
from dispatch.cli.remote import call_service, print_result
from dispatch.i18n import _, ngettext

app = DispatchTyper(help=_("Service reports (PDF) and the billing export for SAP."))

MonthOpt = Annotated[str | None, typer.Option("--month", help=_("a Berlin month, YYYY-MM"))]
FromOpt = Annotated[str | None, typer.Option("--from", help=_("first day, YYYY-MM-DD"))]
ToOpt = Annotated[str | None, typer.Option("--to", help=_("last day (inclusive), YYYY-MM-DD"))]
OutOpt = Annotated[Path, typer.Option("-o", "--output", help=_("file to write"))]
_NUMBER = re.compile(r"SR-[0-9]{4}-([0-9]{5,})", re.IGNORECASE)


def _period(month: str | None, first: str | None, last: str | None) -> dict[str, str]:
    """The period as the API takes it; the service checks the values (422 with a reason)."""
    if month and (first or last):
        fail(_("give --month or --from/--to, not both"), 2)
    if month:
        return {"month": month}
    if first and last:
        return {"from": first, "to": last}
    fail(_("give --month YYYY-MM, or --from and --to (YYYY-MM-DD)"), 2)
    raise AssertionError("unreachable")


def _hours(minutes: int) -> str:
    from dispatch.display.clock import duration

    return duration(minutes)


def report_line(r: dict[str, Any]) -> str:
    """`SR-2026-00042  K-1 Bäckerei  2026-11-01..2026-11-30  3 entries, 2:05 h, billed ...`"""
    from dispatch.display.safe import one_line

    ticket = (
        _(" ticket {number}").format(number=r["ticket_number"]) if r.get("ticket_number") else ""
    )
    return _(
        "{number}  {customer} {name}{ticket}  {first}..{last}  {entries}, "
        "{raw} worked, {billed} billed, mailed to {mailed}"
    ).format(
        number=one_line(r["number"]),
        customer=one_line(r.get("customer_number", "")),
        name=one_line(r.get("customer_name", "")),
        ticket=ticket,
        first=r["period_first"],
        last=r["period_last"],
        entries=ngettext("{n} entry", "{n} entries", int(r["entry_count"])).format(
            n=r["entry_count"]
        ),
        raw=_hours(int(r.get("raw_minutes", 0))),
        billed=_hours(int(r.get("billed_minutes", 0))),
        mailed=r.get("mailed_to", 0),
    )


@app.command(
    "create",
    help=_("Make a service report (stored, and mailed to the customer's report contacts)."),
)
def reports_create(
    customer: Annotated[str, typer.Argument(help=_("customer number"))],
    month: MonthOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    ticket: Annotated[
        int | None, typer.Option("--ticket", help=_("a report of this ticket's work instead"))
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help=_("de or en (default: the contacts')"))
    ] = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a service report (stored, and mailed to the customer's report contacts)."""
    from dispatch.client import api_reports

    period = None if ticket is not None else _period(month, first, last)

    async def call(c: Any) -> Any:
        found = await api_reports.find_customer(c, customer)
        if ticket is None:
            assert period is not None
            return await api_reports.create_report(c, found["id"], period, language)
        t = await c.find_ticket(ticket)
        if t["customer_id"] != found["id"]:
            raise LookupError(
                _("ticket {ticket} is not a ticket of customer {customer}").format(
                    ticket=ticket, customer=customer
                )
            )
        return await api_reports.create_ticket_report(c, t["id"], language)

    try:
        result = call_service(server, token, call)
    except LookupError as exc:
        fail(str(exc))
    print_result(result, as_json, lambda r: typer.echo(report_line(r)))


@app.command("list", help=_("The customer's service reports, newest first."))
def reports_list(
    customer: Annotated[str, typer.Argument(help=_("customer number"))],
    server: ServerOpt = None,
    token: TokenOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The customer's service reports, newest first."""
    from dispatch.client import api_reports

    async def call(c: Any) -> Any:
        found = await api_reports.find_customer(c, customer)
        return await api_reports.list_reports(c, found["id"])

    try:
        items = call_service(server, token, call)
    except LookupError as exc:
        fail(str(exc))

    def render(rows: list[dict[str, Any]]) -> None:
        if not rows:
            typer.echo(_("no service reports yet"))
        for r in rows:
            typer.echo(f"{r['id']:>6}  {report_line(r)}")

    print_result(items, as_json, render)


def _report_id(given: str) -> int:
    """A report's id, or the id its number names (`SR-2026-00042` is report 42)."""
    match = _NUMBER.fullmatch(given.strip())
    if match:
        return int(match[1])
    if given.strip().isdigit():
        return int(given)
    fail(_("a report is named by its id or its number, e.g. 42 or SR-2026-00042"), 2)
    raise AssertionError("unreachable")


@app.command("download", help=_("Save a report's PDF, as it was made and mailed."))
def reports_download(
    report: Annotated[str, typer.Argument(help=_("report id or number (SR-2026-00042)"))],
    output: OutOpt,
    server: ServerOpt = None,
    token: TokenOpt = None,
) -> None:
    """Save a report's PDF, as it was made and mailed."""
    from dispatch.client import api_reports, paths

    report_id = _report_id(report)

    async def call(c: Any) -> tuple[dict[str, Any], bytes]:
        meta = (await c.request("GET", paths.report(report_id))).json()
        if _NUMBER.fullmatch(report.strip()) and meta["number"].upper() != report.strip().upper():
            raise LookupError(_("there is no service report {number}").format(number=report))
        return meta, await api_reports.report_pdf(c, report_id)

    try:
        meta, pdf = call_service(server, token, call)
    except LookupError as exc:
        fail(str(exc))
    output.write_bytes(pdf)
    typer.echo(
        _("{number}: {size} bytes written to {file}").format(
            number=meta["number"], size=len(pdf), file=output
        )
    )


@app.command(
    "export",
    help=_(
        "Write the billing export (CSV for SAP): the approved, billed lines of the period,"
        " each with the number of the report that holds it."
    ),
)
def reports_export(
    output: OutOpt,
    month: MonthOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    server: ServerOpt = None,
    token: TokenOpt = None,
) -> None:
    """Write the billing export (CSV for SAP): the approved, billed lines of the period,
    each with the number of the report that holds it."""
    from dispatch.client import api_reports

    period = _period(month, first, last)
    data = call_service(server, token, lambda c: api_reports.billing_csv(c, period))
    output.write_bytes(data)
    lines = max(0, data.count(b"\n") - 1)
    typer.echo(_("{lines} billed lines written to {file}").format(lines=lines, file=output))
