"""The config file's `[keymap]`, checked before the console starts.

Textual applies a remap silently: `"ticket.assign" = "A"` would take `A` from the queue's
"all open" filter, and an id with a typo remaps nothing. So every id must exist, and a
remapped key must not be one that another binding uses where both are active at once (a
pane with its focused widget and the app's keys, or one dialog).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain

from textual.dom import DOMNode

from dispatch.app import DispatchApp
from dispatch.i18n import N_, _
from dispatch.screens.appointment_dialog import AppointmentDialog, Choice
from dispatch.screens.approvals import ApprovalScreen
from dispatch.screens.assign import AssignDialog
from dispatch.screens.calendar import CalendarScreen
from dispatch.screens.comment_dialog import ContactDialog
from dispatch.screens.confirm import ConfirmDialog
from dispatch.screens.customer_pick import CustomerPick
from dispatch.screens.dialogs import ChoiceDialog, EscalateDialog, TextDialog
from dispatch.screens.edit_dialog import EditDialog
from dispatch.screens.escalations import EscalationsScreen
from dispatch.screens.help import HelpScreen
from dispatch.screens.key_names import bindings_of
from dispatch.screens.mail_read import MailReadScreen
from dispatch.screens.mywork import MyWorkScreen
from dispatch.screens.new_ticket import CustomerInput, NewTicketDialog
from dispatch.screens.outbox import ConflictScreen, OutboxScreen
from dispatch.screens.queue import QueueScreen
from dispatch.screens.status_dialog import StatusDialog
from dispatch.screens.status_note import StatusNoteDialog
from dispatch.screens.ticket import TicketScreen
from dispatch.screens.time_dialog import TimeDialog
from dispatch.screens.unmatched import UnmatchedScreen
from dispatch.widgets.appointment_list import AppointmentList
from dispatch.widgets.calendar_grid import CalendarGrid
from dispatch.widgets.fast_table import FastTable

# Where keys are active together: the focused widget, its screen and (in a pane) the app.
PLACES: Sequence[tuple[str, Sequence[type[DOMNode]]]] = (
    (N_("the queue"), (DispatchApp, QueueScreen, FastTable)),
    (N_("my work"), (DispatchApp, MyWorkScreen, FastTable)),
    (N_("the escalations"), (DispatchApp, EscalationsScreen, FastTable)),
    (N_("the calendar"), (DispatchApp, CalendarScreen, CalendarGrid)),
    (N_("the calendar"), (DispatchApp, CalendarScreen, AppointmentList)),
    (N_("the outbox"), (DispatchApp, OutboxScreen)),
    (N_("the unmatched mail"), (DispatchApp, UnmatchedScreen, FastTable)),
    (N_("the ticket view"), (DispatchApp, TicketScreen)),
    (N_("the help"), (HelpScreen,)),
    (N_("the mail text"), (MailReadScreen,)),
    (N_("a choice dialog"), (ChoiceDialog,)),
    (N_("the status dialog"), (StatusDialog,)),
    (N_("the customer choice"), (CustomerPick,)),
    (N_("the comment dialog"), (TextDialog,)),
    (N_("the customer contact dialog"), (ContactDialog,)),
    (N_("the escalate dialog"), (EscalateDialog,)),
    (N_("the edit dialog"), (EditDialog,)),
    (N_("the assign dialog"), (AssignDialog,)),
    (N_("the booking dialog"), (AppointmentDialog, Choice)),
    (N_("the confirm dialog"), (ConfirmDialog,)),
    (N_("the status note dialog"), (StatusNoteDialog,)),
    (N_("the conflict dialog"), (ConflictScreen,)),
    (N_("the new-ticket dialog"), (NewTicketDialog, CustomerInput)),
    (N_("the approval queue"), (DispatchApp, ApprovalScreen, FastTable)),
    (N_("the log-work dialog"), (TimeDialog,)),
)


def _dispatch_nodes() -> list[type[DOMNode]]:
    """Every screen and widget class of dispatch that is imported (the panes import their
    dialogs), so an id is known even on a dialog that `PLACES` does not list yet."""
    found: list[type[DOMNode]] = []
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        node = todo.pop()
        todo += node.__subclasses__()
        if node.__module__.startswith("dispatch."):
            found.append(node)
    return found


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """One line per problem with `keymap` (binding id -> keys, comma-separated); [] if none."""
    places = [(name, list(chain.from_iterable(map(bindings_of, nodes)))) for name, nodes in PLACES]
    known = {b.id for node in _dispatch_nodes() for _, b in bindings_of(node) if b.id}
    problems = [
        _('dispatch: keymap: there is no binding "{id}"; `?` in the console lists the ids').format(
            id=binding_id
        )
        for binding_id in keymap
        if binding_id not in known
    ]
    for place, found in places:
        keys_of: dict[str, set[str]] = {}  # a binding (its id, else its action) -> its keys
        for key, binding in found:
            name = binding.id or binding.action
            if binding.id is not None and binding.id in keymap:
                keys_of[name] = {k.strip() for k in keymap[binding.id].split(",") if k.strip()}
            else:
                keys_of.setdefault(name, set()).add(key)
        for binding_id in (i for i in keymap if i in keys_of):
            for key in sorted(keys_of[binding_id]):
                for other, keys in keys_of.items():
                    if other == binding_id or key not in keys:
                        continue
                    line = _(
                        'dispatch: keymap: "{id}" = "{keys}" collides with "{other}" ({key}) '
                        "in {place}"
                    ).format(
                        id=binding_id, keys=keymap[binding_id], other=other, key=key, place=_(place)
                    )
                    if line not in problems:
                        problems.append(line)
    return problems
