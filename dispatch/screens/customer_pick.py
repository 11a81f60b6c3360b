"""Choose a customer by fuzzy search over name, customer number and contact names (the
search of the new-ticket dialog, `customer_search.find_customers`).

The customers are the sync engine's (`load_customers`: full records with contacts, kept on
disk); offline, the ones last read, or, never read, those of the tickets in the store (name
only), said as such, so a ticket can still be queued for a customer.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from dispatch.client.errors import ApiError, Unreachable
from dispatch.display.safe import one_line
from dispatch.i18n import N_, _
from dispatch.screens.context import door, tickets_of
from dispatch.screens.customer_search import Found, find_customers
from dispatch.screens.key_names import own_key

Json = dict[str, Any]
SHOWN = 12  # best matches listed; typing narrows them
TEXT = {
    "placeholder": N_("customer: name, number or a contact's name"),
    "loading": N_("Reading the customers…"),
    "count": N_("{n} customers"),
    "matches": N_("{shown} of {n} customers match"),
    "offline": N_("Offline: the customers as last read ({n})"),
    "offline_store": N_("Offline: the customers of the tickets you have ({n})"),
    "failed": N_("The customers could not be read: {why}"),
    "none": N_("No customer matches."),
    "hint": N_("type to search · {list}: list · enter choose · {cancel} cancel"),
}


def label(found: Found) -> str:
    """`Bäckerei Müller (K10023) · Anna Muster`: the contact it was found by, else the first
    few."""
    customer = found.customer
    text = one_line(customer.get("name") or "?")
    if customer.get("number"):
        text += f" ({one_line(customer['number'])})"
    contacts = [one_line(c.get("name")) for c in customer.get("contacts") or [] if c.get("name")]
    if found.contact:
        contacts = [one_line(found.contact)]
    if contacts:
        text += " · " + ", ".join(contacts[:2]) + (" …" if len(contacts) > 2 else "")
    return text


class CustomerPick(ModalScreen[Json | None]):
    """Type to narrow, enter to choose the highlighted (or the best) customer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="customer.cancel"),
        Binding("down", "to_list", N_("List"), show=False, id="customer.list"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.customers: list[Json] = []
        self.shown: list[Json] = []
        self.source_note = ""  # where the customers came from, when not the service

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=_(TEXT["placeholder"]), id="customer-query")
            yield OptionList(id="customer-options")
            yield Label(_(TEXT["loading"]), id="customer-note", markup=False)
            keys = {
                "list": own_key(self, "customer.list"),
                "cancel": own_key(self, "customer.cancel"),
            }
            yield Label(_(TEXT["hint"]).format(**keys), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.customers = door(self.app).sync.cached_customers()
        if self.customers:  # as last read, at once; the service's list follows
            self.refilter()
        self.load()

    @work(exclusive=True, group="customers")
    async def load(self) -> None:
        console = door(self.app)
        try:
            self.customers = await console.sync.load_customers(directory=False)
            self.source_note = ""
        except Unreachable:
            if self.customers:
                self.source_note = _(TEXT["offline"]).format(n=len(self.customers))
            else:
                by_id = {
                    t["customer_id"]: {"id": t["customer_id"], "name": t["customer_name"]}
                    for t in tickets_of(console.store).values()
                    if "customer_id" in t
                }
                self.customers = list(by_id.values())
                self.source_note = _(TEXT["offline_store"]).format(n=len(self.customers))
        except ApiError as exc:
            self.source_note = _(TEXT["failed"]).format(why=one_line(exc.detail or exc.title))
        self.refilter()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter()

    def refilter(self) -> None:
        query = self.query_one(Input).value
        found = find_customers(self.customers, query, limit=SHOWN)
        self.shown = [dict(f.customer) for f in found]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(label(f), id=str(f.customer["id"])) for f in found)
        if self.shown:
            options.highlighted = 0
        n = len(self.customers)
        note = _(TEXT["count"]).format(n=n) if not query else _(TEXT["none"])
        if query and self.shown:
            note = _(TEXT["matches"]).format(shown=len(self.shown), n=n)
        if self.source_note:
            note = self.source_note
        self.query_one("#customer-note", Label).update(note)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted if options.highlighted is not None else 0
        if self.shown:
            self.dismiss(self.shown[min(index, len(self.shown) - 1)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
