"""Service reports and the billing export: back office and admins only (`Action.BILLING`).

`POST /customers/{id}/reports` makes a customer's period report, `POST /tickets/{id}/report`
a ticket's on demand; both store the PDF, announce it in the feed and mail it to the report
contacts. `GET /exports/billing.csv` gives SAP the billed lines of a period with the number
of the report that holds each.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, col, select

from dispatch.domain.permissions import Action, allowed
from dispatch.domain.report_period import Period, period_of
from dispatch.models.customer import Customer
from dispatch.models.report import (
    ReportCreate,
    ServiceReport,
    ServiceReportList,
    ServiceReportPublic,
    TicketReportCreate,
)
from dispatch.models.ticket import Ticket
from dispatch.server.http.deps import Caller, CallerDep, SessionDep, SettingsDep, WriteSessionDep
from dispatch.server.http.params import IdPath
from dispatch.server.http.problems import ProblemError, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult, json_response
from dispatch.server.rules import billing_export, report_lines, reports

router = APIRouter(tags=["reports"])
REPORT_VERSION = 1
"""A report is never changed: its version (ETag) is always 1."""
MONTH = Annotated[str | None, Query(max_length=7, description="YYYY-MM (Berlin month)")]
FROM = Annotated[date | None, Query(alias="from", description="first day, YYYY-MM-DD")]
TO = Annotated[date | None, Query(description="last day (inclusive), YYYY-MM-DD")]


def _billing(caller: Caller) -> None:
    if not allowed(caller.user.role, Action.BILLING, own=False):
        raise ProblemError(403, "only the back office and admins handle service reports")


def _period(month: str | None, first: date | None, last: date | None) -> Period:
    try:
        return period_of(month, first, last)
    except ValueError as exc:
        raise ProblemError(422, str(exc)) from None


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ProblemError(404, f"there is no customer {customer_id}")
    return customer


def _report(session: Session, report_id: int) -> ServiceReport:
    report = session.get(ServiceReport, report_id)
    if report is None:
        raise ProblemError(404, f"there is no service report {report_id}")
    return report


def _created(session: Session, made: tuple[ServiceReport, int]) -> WriteResult:
    report, mailed = made
    [public] = report_lines.reports_public(session, [report])
    public.mailed_to = mailed
    return WriteResult(201, public, etag=f'"{REPORT_VERSION}"')


@router.post(
    "/customers/{customer_id}/reports",
    status_code=201,
    response_model=ServiceReportPublic,
    responses=problems(403, 404, 409, 422),
)
@write_endpoint
def create_customer_report(
    customer_id: IdPath,
    data: ReportCreate,
    session: WriteSessionDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> WriteResult:
    """The customer's service report of a period: the approved entries whose work started
    in it and no earlier report holds (they are claimed for this one). 409 when none is
    left; the PDF is mailed to the contacts marked `receives_reports`."""
    _billing(caller)
    period = _period(data.month, data.from_, data.to)
    customer = _customer(session, customer_id)
    try:
        made = reports.create_period_report(
            session,
            caller,
            customer,
            period,
            language=data.language,
            provider=settings.report_header,
        )
    except reports.NothingToReport as exc:
        raise ProblemError(409, str(exc), title="Nothing to report") from None
    return _created(session, made)


@router.post(
    "/tickets/{ticket_id}/report",
    status_code=201,
    response_model=ServiceReportPublic,
    responses=problems(403, 404, 409, 422),
)
@write_endpoint
def create_ticket_report(
    ticket_id: IdPath,
    session: WriteSessionDep,
    caller: CallerDep,
    settings: SettingsDep,
    data: TicketReportCreate | None = None,
) -> WriteResult:
    """A report of every approved entry of one ticket, on demand. It claims no entry: the
    customer's period report still holds them for the invoice."""
    _billing(caller)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise ProblemError(404, f"there is no ticket {ticket_id}")
    language = data.language if data is not None else None
    try:
        made = reports.create_ticket_report(
            session, caller, ticket, language=language, provider=settings.report_header
        )
    except reports.NothingToReport as exc:
        raise ProblemError(409, str(exc), title="Nothing to report") from None
    return _created(session, made)


@router.get(
    "/customers/{customer_id}/reports",
    response_model=ServiceReportList,
    responses=problems(403, 404),
)
def list_customer_reports(
    customer_id: IdPath, session: SessionDep, caller: CallerDep
) -> JSONResponse:
    """The customer's reports, newest first."""
    _billing(caller)
    _customer(session, customer_id)
    rows = session.exec(
        select(ServiceReport)
        .where(ServiceReport.customer_id == customer_id)
        .order_by(col(ServiceReport.id).desc())
    ).all()
    return json_response(ServiceReportList(items=report_lines.reports_public(session, rows)))


@router.get(
    "/reports/{report_id}", response_model=ServiceReportPublic, responses=problems(403, 404)
)
def get_report(report_id: IdPath, session: SessionDep, caller: CallerDep) -> JSONResponse:
    _billing(caller)
    [public] = report_lines.reports_public(session, [_report(session, report_id)])
    return json_response(public, tag=f'"{REPORT_VERSION}"')


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/reports/{report_id}/pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": _BINARY, "application/octet-stream": _BINARY}},
        **problems(403, 404),
    },
)
def get_report_pdf(
    report_id: IdPath,
    session: SessionDep,
    caller: CallerDep,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """The report's PDF as it was made (and mailed), as a download: `application/pdf`, or
    the same bytes as `application/octet-stream` to a client that asks only for that (a
    generated client reads any binary so)."""
    _billing(caller)
    report = _report(session, report_id)
    wanted = accept or ""
    binary = "application/octet-stream" in wanted and "application/pdf" not in wanted
    return Response(
        report.pdf,
        media_type="application/octet-stream" if binary else "application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{report.number}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/exports/billing.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problems(403, 422)},
)
def billing_csv(
    session: SessionDep,
    caller: CallerDep,
    month: MONTH = None,
    first: FROM = None,
    to: TO = None,
    customer_id: Annotated[int | None, Query(ge=1, description="one customer only")] = None,
) -> Response:
    """The approved, billed lines whose work started in the period, for SAP: one per entry,
    with the number of the period report that holds it (empty while none does yet)."""
    _billing(caller)
    period = _period(month, first, to)
    text = billing_export.csv_text(session, period, customer_id)
    name = f"billing-{period}.csv".replace("..", "_")
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
