"""Who may do what: the role table of DESIGN.md as data, so tests can compare against it."""

from __future__ import annotations

from enum import StrEnum

from dispatch.domain.types import Role


class Action(StrEnum):
    SEE_ALL_TICKETS = "see_all_tickets"
    INTAKE = "intake"
    COMMENT = "comment"
    SET_STATUS = "set_status"
    ASSIGN = "assign"  # assign, schedule, prioritise
    FLAG_ESCALATION = "flag_escalation"
    MANAGE_ESCALATION = "manage_escalation"  # acknowledge, re-level, resolve
    MANAGE_USERS = "manage_users"
    READ_CUSTOMERS = "read_customers"  # contacts, contracts, contingent balance
    CUSTOMER_DIRECTORY = "customer_directory"  # find a customer by name or number
    HANDLE_MAIL = "handle_mail"  # unmatched mail: list, make a ticket of, discard
    RETRY_MAIL = "retry_mail"  # send a failed notification again
    LOG_TIME = "log_time"  # log work on a ticket, edit it until it is approved
    APPROVE_TIME = "approve_time"  # approve or return logged work
    BILLING = "billing"  # service reports, the billing export, closing contingent months


class Scope(StrEnum):
    NONE = "no"
    OWN = "own"
    ALL = "yes"


_T, _D, _L, _A = Role.TECHNICIAN, Role.DISPATCHER, Role.TEAM_LEAD, Role.ADMIN
_B = Role.BACKOFFICE
_ALL = {_D: Scope.ALL, _L: Scope.ALL, _A: Scope.ALL}
# The back office reads every ticket and customer to bill the work and changes none of them;
# approving work, reports and the contingent's months are its own (and the admin's).
_BILLING = {_T: Scope.NONE, _D: Scope.NONE, _L: Scope.NONE, _A: Scope.ALL, _B: Scope.ALL}

TABLE: dict[Action, dict[Role, Scope]] = {
    Action.SEE_ALL_TICKETS: {_T: Scope.OWN, **_ALL, _B: Scope.ALL},
    Action.INTAKE: {_T: Scope.OWN, **_ALL, _B: Scope.NONE},
    Action.COMMENT: {_T: Scope.OWN, **_ALL, _B: Scope.ALL},
    Action.SET_STATUS: {_T: Scope.OWN, **_ALL, _B: Scope.NONE},
    Action.ASSIGN: {_T: Scope.NONE, **_ALL, _B: Scope.NONE},
    Action.FLAG_ESCALATION: {_T: Scope.OWN, **_ALL, _B: Scope.NONE},
    Action.MANAGE_ESCALATION: {
        _T: Scope.NONE,
        _D: Scope.NONE,
        _L: Scope.ALL,
        _A: Scope.ALL,
        _B: Scope.NONE,
    },
    Action.MANAGE_USERS: {
        _T: Scope.NONE,
        _D: Scope.NONE,
        _L: Scope.NONE,
        _A: Scope.ALL,
        _B: Scope.NONE,
    },
    # A technician reads the full record of the customers of their own (assigned or booked)
    # tickets only; to take a caller's ticket they find the customer in the directory, which
    # shows no contacts, contracts or balances.
    Action.READ_CUSTOMERS: {_T: Scope.OWN, **_ALL, _B: Scope.ALL},
    Action.CUSTOMER_DIRECTORY: {_T: Scope.ALL, **_ALL, _B: Scope.ALL},
    # Mail from strangers names no ticket, so it is the desk's; a technician sees the mails
    # of their own tickets through SEE_ALL_TICKETS's rule.
    Action.HANDLE_MAIL: {_T: Scope.NONE, **_ALL, _B: Scope.NONE},
    # The desk's: a technician sees their tickets' mails but leaves the mail side to it.
    Action.RETRY_MAIL: {_T: Scope.NONE, **_ALL, _B: Scope.NONE},
    # Technicians log their own work; the desk logs it for anyone (a call that took an hour).
    Action.LOG_TIME: {_T: Scope.OWN, **_ALL, _B: Scope.NONE},
    Action.APPROVE_TIME: _BILLING,
    Action.BILLING: _BILLING,
}


def scope(role: Role, action: Action) -> Scope:
    """How far `role` may take `action`: not at all, on own tickets, or on all."""
    return TABLE[action][role]


def allowed(role: Role, action: Action, *, own: bool) -> bool:
    """Whether `role` may take `action` on an object that is (or is not) its own."""
    reach = scope(role, action)
    return reach is Scope.ALL or (reach is Scope.OWN and own)


def sees_all(role: Role) -> bool:
    """Whether the role sees every ticket (else only its own assignments)."""
    return scope(role, Action.SEE_ALL_TICKETS) is Scope.ALL
