"""The console's and the CLI's own sentence for a problem the service answered (issue 22).

The service's `detail` is English and stays so in the API. In English it is what a person
reads (it is the most specific); in German, for the problem types the client knows, a person
reads a sentence in German instead, built from the problem's members (a slot taken names the
clash's kind and time). Another type shows the service's own text, cleaned. Works on a whole
problem document and on the `{status, title, detail}` the outbox keeps of a refused write (the
type is a slug of the title, as the service makes it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch import i18n
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _

KNOWN = {
    "/problems/slot-taken": N_("The technician is already booked then."),
    "/problems/technician-not-available": N_(
        "The technician is not available then: {why}. Book anyway with a reason."
    ),
    "/problems/status-change-not-allowed": N_("This status change is not allowed now."),
    "/problems/precondition-failed": N_(
        "Someone else changed this meanwhile: look at their version and try again."
    ),
    "/problems/precondition-required": N_("The service needs the version you last read."),
    "/problems/already-escalated": N_(
        "This ticket is already escalated: add a comment or change that escalation's level."
    ),
    "/problems/last-admin": N_(
        "This is the only admin with a live token: issue another admin a token first."
    ),
    "/problems/key-taken": N_("This SSH key belongs to an account already."),
    "/problems/idempotency-key-reused": N_(
        "This write was sent before as a different request: send it again as a new one."
    ),
    "/problems/too-many-requests": N_("Too many requests: wait a moment and try again."),
    "/problems/gone": N_("The change feed no longer reaches back that far: reloading."),
    "/problems/unauthorized": N_("The service refused the token."),
    "/problems/forbidden": N_("Your role may not do this."),
    "/problems/not-found": N_("Not found, or not visible to you."),
}
SLOT_TAKEN = N_("The technician is already booked then: {what}, {when}.")
SLOT_TAKEN_TICKET = N_("The technician is already booked then: {what} on ticket {number}, {when}.")
UNAVAILABLE = N_("The service is unavailable for a moment: try again.")
INVALID = N_("The service did not accept {field}: {message}")


def problem_type(problem: Mapping[str, Any]) -> str:
    """The problem's type: given, or the slug the service makes of its title."""
    given = problem.get("type")
    if isinstance(given, str) and given and given != "about:blank":
        return given
    title = str(problem.get("title") or "")
    return f"/problems/{title.lower().replace(' ', '-')}" if title else ""


def sentence(problem: Mapping[str, Any]) -> str:
    """What a person reads for `problem`: in English the service's own detail (it names the
    case: "technicians may not prioritise"); in another language the client's sentence for a
    known type, else the service's detail (or title); on one line."""
    if i18n.language() == i18n.DEFAULT:
        return one_line(problem.get("detail") or problem.get("title") or "")
    kind = problem_type(problem)
    if kind == "/problems/slot-taken" and isinstance(problem.get("clash"), Mapping):
        return _slot_taken(problem["clash"])
    if kind == "/problems/technician-not-available" and problem.get("unavailable"):
        return _(KNOWN[kind]).format(why=one_line(problem["unavailable"]))
    if kind == "/problems/invalid-request" and _errors(problem):
        from dispatch.display import labels

        first = _errors(problem)[0]
        return _(INVALID).format(
            field=labels.field(str(first.get("field", "")).split(".")[-1]),
            message=one_line(first.get("message", "")),
        )
    if kind in KNOWN and kind != "/problems/technician-not-available":
        return _(KNOWN[kind])
    if problem.get("status") == 503:
        return _(UNAVAILABLE)
    return one_line(problem.get("detail") or problem.get("title") or "")


def _errors(problem: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    errors = problem.get("errors")
    return [e for e in errors if isinstance(e, Mapping)] if isinstance(errors, list) else []


def _slot_taken(clash: Mapping[str, Any]) -> str:
    from dispatch.display import clock, labels

    what = labels.word(labels.APPOINTMENT_KIND, clash.get("kind"))
    try:
        when = clock.span(str(clash["start"]), str(clash["end"]))
    except (KeyError, ValueError):
        return _(KNOWN["/problems/slot-taken"])
    number = clash.get("ticket_number")
    if number is not None:
        return _(SLOT_TAKEN_TICKET).format(what=what, number=one_line(number), when=when)
    return _(SLOT_TAKEN).format(what=what, when=when)
