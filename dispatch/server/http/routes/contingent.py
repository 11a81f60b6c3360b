"""/contingent/close: the month close on demand, for the back office (the service also runs
it by itself at start and hourly, `app.CONTINGENT_SECONDS`; `dispatch contingent close` runs
it on the database). Idempotent: a second call closes and credits nothing."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from dispatch.domain.contingent_lots import Month
from dispatch.domain.permissions import Action, allowed
from dispatch.models.base import utcnow
from dispatch.models.contingent import ContingentClose, ContingentCloseResult
from dispatch.server.http.deps import CallerDep, WriteSessionDep
from dispatch.server.http.problems import ProblemError, invalid, problems
from dispatch.server.http.write_path import write_endpoint
from dispatch.server.http.writes import WriteResult
from dispatch.server.rules.contingent_close import close_contract, contingent_contracts

router = APIRouter(prefix="/contingent", tags=["contingent"])


@router.post("/close", response_model=ContingentCloseResult, responses=problems(403, 409))
@write_endpoint
def close_months(data: ContingentClose, session: WriteSessionDep, caller: CallerDep) -> WriteResult:
    """Close every ended, unclosed month up to `month` of every contingent contract, in
    order, and credit the running month (the back office and admins: `BILLING`)."""
    if not allowed(caller.user.role, Action.BILLING, own=False):
        raise ProblemError(403, "only the back office and admins close contingent months")
    running = Month.of(utcnow())
    until = running.previous()
    if data.month is not None:
        until = Month(int(data.month[:4]), int(data.month[5:]))
        if until >= running:
            raise invalid("month", f"{until} has not ended yet: {running.previous()} is the last")
    lots = months = touched = 0
    try:
        for contract in contingent_contracts(session):
            credited, closed = close_contract(session, contract, until, running)
            lots, months = lots + len(credited), months + len(closed)
            touched += bool(credited or closed)
    except IntegrityError:  # a closer beside the service (the CLI) wrote the same month
        raise ProblemError(
            409, "another close ran at the same time; ask again", title="Close raced"
        ) from None
    result = ContingentCloseResult(
        until=str(until), credited_lots=lots, closed_months=months, contracts=touched
    )
    return WriteResult(200, result)
