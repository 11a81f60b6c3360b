"""The new-ticket dialog (`n` in the queue): the desk takes a call into a ticket.

Customer by fuzzy search (name, number, contacts' names), then site (the main one by
default), contact (phone and e-mail shown), kind, source (the phone hotline at the desk),
priority with the targets and due times this customer's contracts give, title and
description. The result goes to the outbox like every write (`Intents.create_ticket`).

The customers come from the engine's copy on disk at once, and fresh from the service when
it answers: full records for the office, the directory's listing for a technician. A
technician's dialog therefore offers no contact (the listing has none: the description
names the caller), keeps the default priority (the desk prioritises) and shows the
standard targets. The VIP hotline is offered only for a customer with a contingent contract
(the listing says whether they have one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from dispatch.client.errors import ApiError, Unreachable
from dispatch.display import intake, labels
from dispatch.display.safe import one_line
from dispatch.domain.types import Priority, TicketKind
from dispatch.i18n import N_, _
from dispatch.screens.context import Console, door
from dispatch.screens.customer_search import find_customers
from dispatch.screens.key_names import class_key, own_key

Json = dict[str, Any]

TEXT = {
    "title": N_("New ticket"),
    "customer": N_("customer: name, number or contact"),
    "no_customer": N_("Choose the customer first (type, then enter or pick from the list)."),
    "none_known": N_("No customers known yet: they load when the service answers."),
    "offline": N_("Offline: the customers as last loaded."),
    "no_site": N_("site: none"),
    "no_contact": N_("contact: none (name the caller in the description)"),
    "hidden_contacts": N_("Contacts are not visible to technicians: name the caller below."),
    "fixed_priority": N_("priority: {label} (the desk sets another)"),
    "subject": N_("title: what is wrong, in one line"),
    "hint": N_("{matches} matches · enter pick · tab next field · {save} save · {cancel} cancel"),
}


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What the dialog hands back: the intake body, what the queue shows of it until the
    service answers, and the warning the desk was given (the ticket is taken all the same)."""

    body: Json
    shown: Json
    warning: str | None


def _text(value: str) -> Text:
    """A choice's label as plain text: stored names never read as markup."""
    return Text(value)


class CustomerInput(Input):
    """The customer line: typing searches, the arrows walk the matches below it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "match(1)", N_("Next match"), show=False, id="new_ticket.next_match"),
        Binding(
            "up", "match(-1)", N_("Previous match"), show=False, id="new_ticket.previous_match"
        ),
    ]

    def action_match(self, step: int) -> None:
        matches = self.screen.query_one("#matches", OptionList)
        if step > 0:
            matches.action_cursor_down()
        else:
            matches.action_cursor_up()


class NewTicketDialog(ModalScreen[NewTicket | None]):
    """Take a call (or any intake) into a ticket."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="new_ticket.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="new_ticket.save", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.customers: list[Json] = []
        self.customer: Json | None = None
        # the match list's customers in its order, each with the contact it was found by
        self.shown: list[tuple[Json, str | None]] = []

    @property
    def dispatch(self) -> Console:
        return door(self.app)

    @property
    def technician(self) -> bool:
        return self.dispatch.is_technician

    def compose(self) -> ComposeResult:
        source = intake.TECHNICIAN_SOURCE if self.technician else intake.DESK_SOURCE
        with VerticalScroll(classes="dialog-box wide", id="new-ticket"):
            yield Label(_(TEXT["title"]), classes="dialog-title")
            yield CustomerInput(placeholder=_(TEXT["customer"]), id="customer", compact=True)
            yield OptionList(id="matches")
            yield Label("", id="customer-facts")
            yield Select[int]([], prompt=_(TEXT["no_site"]), id="site", compact=True)
            yield Select[int]([], prompt=_(TEXT["no_contact"]), id="contact", compact=True)
            yield Select[str](
                self._labelled(_("kind"), labels.KIND, [k.value for k in TicketKind]),
                value=TicketKind.INCIDENT.value,
                allow_blank=False,
                id="kind",
                compact=True,
            )
            yield Select[str](
                self._labelled(_("source"), labels.SOURCE, intake.sources_for(None)),
                value=source.value,
                allow_blank=False,
                id="source",
                compact=True,
            )
            yield Select[str](
                [], allow_blank=True, prompt=_("priority"), id="priority", compact=True
            )
            yield Label("", id="due")
            yield Input(placeholder=_(TEXT["subject"]), id="subject", max_length=200, compact=True)
            yield TextArea(id="description", soft_wrap=True)
            yield Label("", id="warning", classes="dialog-warning")
            yield Label("", id="error", classes="dialog-error")
            yield Label(_(TEXT["hint"]).format(**self._hint_keys()), classes="dialog-hint")

    @staticmethod
    def _labelled(name: str, table: dict[str, str], values: list[str]) -> list[tuple[Text, str]]:
        return [
            (_text(f"{name}: {label}"), value) for label, value in intake.choices(table, values)
        ]

    def on_mount(self) -> None:
        self.query_one("#description", TextArea).border_title = _("description")
        self.query_one("#contact", Select).display = not self.technician
        self.customers = self.dispatch.sync.cached_customers()
        self._show_matches("")
        self._refresh_priority()
        self.query_one("#customer", Input).focus()
        if not self.customers:
            self._say("#customer-facts", _(TEXT["none_known"]))
        self.load_customers()

    @work(exclusive=True, group="new-ticket-customers")
    async def load_customers(self) -> None:
        """The customers fresh from the service; offline the disk's copy stays."""
        try:
            fresh = await self.dispatch.sync.load_customers(directory=self.technician)
        except Unreachable:
            if self.customer is None:
                known = _(TEXT["offline"]) if self.customers else _(TEXT["none_known"])
                self._say("#customer-facts", known)
            return
        except ApiError as exc:
            self.dispatch.show_error(exc)
            return
        self.customers = fresh
        if self.customer is not None:  # keep the choice, in its fresh version
            chosen = self.customer["id"]
            self.customer = next((c for c in fresh if c["id"] == chosen), self.customer)
        else:
            self._say("#customer-facts", "")
        self._show_matches(self.query_one("#customer", Input).value)

    # customer --------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "customer":
            self._show_matches(event.value)

    def _show_matches(self, query: str) -> None:
        found = find_customers(self.customers, query)
        self.shown = [(dict(f.customer), f.contact) for f in found]
        matches = self.query_one("#matches", OptionList)
        matches.clear_options()
        for f in found:
            line = intake.customer_line(f.customer)
            if f.contact:
                line += " · " + _("contact {name}").format(name=f.contact)
            matches.add_option(Option(_text(line)))
        matches.display = bool(found)
        if found:
            matches.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "customer":
            index = self.query_one("#matches", OptionList).highlighted
            if index is not None and index < len(self.shown):
                self._choose(*self.shown[index])
                self.query_one("#site", Select).focus()
        elif event.input.id == "subject":
            self.query_one("#description", TextArea).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "matches" and event.option_index < len(self.shown):
            self._choose(*self.shown[event.option_index])
            self.query_one("#site", Select).focus()

    def _choose(self, customer: Json, via: str | None = None) -> None:
        """Take `customer`, with its main site and the contact it was found by (if one)."""
        self.customer = customer
        self._say("#customer-facts", "✓ " + intake.customer_line(customer))
        sites = sorted(customer.get("sites") or [], key=lambda s: int(s["id"]))
        site = self.query_one("#site", Select)
        site.set_options(
            [
                (_text(_("site: {site}").format(site=intake.site_line(s))), int(s["id"]))
                for s in sites
            ]
        )
        main = intake.main_site(customer)
        if main is not None:
            site.value = int(main["id"])
        contacts = customer.get("contacts") or []
        contact = self.query_one("#contact", Select)
        contact.set_options(
            [
                (
                    _text(_("contact: {contact}").format(contact=intake.contact_line(c))),
                    int(c["id"]),
                )
                for c in contacts
            ]
        )
        caller = next((c for c in contacts if via and one_line(c.get("name") or "") == via), None)
        if caller is not None:
            contact.value = int(caller["id"])
        self._offer_sources()
        self._refresh_priority()

    def _offer_sources(self) -> None:
        """The VIP hotline only for a customer with a contingent: the service refuses it for
        anyone else (a call taken on it before the customer was chosen becomes a phone call)."""
        offered = intake.sources_for(self.customer)
        select = self.query_one("#source", Select)
        current = self._value("source")
        with self.prevent(Select.Changed):
            select.set_options(self._labelled("source", labels.SOURCE, offered))
            select.value = current if current in offered else intake.DESK_SOURCE.value

    # kind, source, site, priority ------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("kind", "source", "site", "priority"):
            self._refresh_priority()

    def _value(self, name: str) -> Any:
        select = self.query_one(f"#{name}", Select)
        return None if select.is_blank() else select.value

    def _site(self) -> Json | None:
        chosen = self._value("site")
        sites = (self.customer or {}).get("sites") or []
        return next((s for s in sites if s["id"] == chosen), None)

    def _targets(self) -> intake.Targets:
        states = intake.branch_states(self.dispatch.store.technicians.values())
        return intake.targets(
            self.customer,
            self._value("kind") or TicketKind.INCIDENT.value,
            self._value("source") or intake.DESK_SOURCE.value,
            intake.site_state(self._site(), states),
        )

    def _refresh_priority(self) -> None:
        """The priorities with this customer's targets, the due times of the chosen one, and
        the VIP-hotline warning."""
        found = self._targets()
        select = self.query_one("#priority", Select)
        current = self._value("priority") or Priority.P3.value
        select.disabled = self.technician
        with self.prevent(Select.Changed):
            select.set_options(self._priority_options(found))
            select.value = current if not self.technician else Priority.P3.value
        self._say("#due", intake.due_line(found, str(select.value)))
        warning = intake.vip_warning(self.customer, self._value("source") or "")
        if self.technician and self.customer is not None and not self._value("contact"):
            warning = warning or _(TEXT["hidden_contacts"])
        self._say("#warning", warning or "")

    def _priority_options(self, found: intake.Targets) -> list[tuple[Text, str]]:
        """Each priority with its targets; a technician's intake keeps the default."""
        if self.technician:
            label = intake.priority_label(found.by_priority[Priority.P3.value])
            return [(_text(_(TEXT["fixed_priority"]).format(label=label)), Priority.P3.value)]
        return [
            (_text(_("priority: {label}").format(label=intake.priority_label(t))), p)
            for p, t in found.by_priority.items()
        ]

    def _say(self, widget: str, text: str) -> None:
        self.query_one(widget, Label).update(_text(text))

    # save ------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.customer is None:
            self._say("#error", _(TEXT["no_customer"]))
            self.query_one("#customer", Input).focus()
            return
        body: Json = {
            "title": self.query_one("#subject", Input).value.strip(),
            "description": self.query_one("#description", TextArea).text.strip(),
            "kind": self._value("kind"),
            "source": self._value("source"),
            "customer_id": int(self.customer["id"]),
            "site_id": self._value("site"),
            "contact_id": self._value("contact"),
        }
        if not self.technician:  # a technician's intake takes the service's default
            body["priority"] = self._value("priority") or Priority.P3.value
        problem = _problem(body)
        if problem is not None:
            self._say("#error", problem)
            return
        self.dismiss(NewTicket(body, self._shown(body), self._warning(body)))

    def _warning(self, body: Json) -> str | None:
        return intake.vip_warning(self.customer, body["source"])

    def _shown(self, body: Json) -> Json:
        """What the queue shows of the ticket until the service answers."""
        customer = self.customer or {}
        site = self._site()
        shown: Json = {
            "customer_name": one_line(customer.get("name") or ""),
            "site_name": None if site is None else one_line(site.get("name") or ""),
        }
        shown.update(intake.provisional_fields(self._targets(), body.get("priority") or "P3"))
        me = self.dispatch.technician_id
        if self.technician and me is not None:  # the service assigns their intake to them
            shown["assignee_id"] = me
            shown["assignee_name"] = self.dispatch.store.technician_name(me)
        return shown

    def _hint_keys(self) -> dict[str, str]:
        # the matches' keys are the customer line's (up, then down: "↑↓")
        up, down = (
            class_key(self.app, CustomerInput, f"new_ticket.{k}_match")
            for k in ("previous", "next")
        )
        return {
            "matches": up + down,
            "save": own_key(self, "new_ticket.save"),
            "cancel": own_key(self, "new_ticket.cancel"),
        }

    def action_cancel(self) -> None:
        self.dismiss(None)


def _problem(body: Json) -> str | None:
    """What the service would refuse in `body` (the same model checks it), or None."""
    try:
        # Imported here, not at the top: the models bring SQLModel and SQLAlchemy, which a
        # console (and every SSH session) should load only when someone uses this dialog;
        # pydantic too (the keymap's check at start imports this module).
        from pydantic import ValidationError

        from dispatch.models.ticket import TicketCreate

        TicketCreate.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = labels.field(str(first["loc"][0])) if first.get("loc") else "ticket"
        return f"{where}: {one_line(first['msg'])}"
    return None
