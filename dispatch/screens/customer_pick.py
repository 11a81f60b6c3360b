"""Choose a customer by fuzzy search over name, customer number and contact names.

The customers come from the service (`GET /customers`, with their contacts for the desk);
offline, from the tickets in the store (name only), said as such, so a ticket can still be
queued for a customer the desk has tickets of.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from dispatch.client.errors import ApiError, Unreachable
from dispatch.display.safe import one_line
from dispatch.screens.context import door, tickets_of
from dispatch.widgets.fast_table import fold

Json = dict[str, Any]
SHOWN = 30  # best matches listed; typing narrows them
TEXT = {
    "placeholder": "customer: name, number or a contact's name",
    "loading": "Reading the customers…",
    "count": "{n} customers",
    "matches": "{shown} of {n} customers match",
    "offline": "Offline: the customers of the tickets you have ({n})",
    "failed": "The customers could not be read: {why}",
    "none": "No customer matches.",
    "hint": "type to search · down: list · enter choose · esc cancel",
}


def search_text(customer: Json) -> str:
    """What the search looks at: name, number and the contacts' names, folded."""
    contacts = " ".join(str(c.get("name") or "") for c in customer.get("contacts") or [])
    return fold(f"{customer.get('name') or ''} {customer.get('number') or ''} {contacts}")


def best(customers: list[Json], query: str, limit: int = SHOWN) -> list[Json]:
    """The customers matching `query` best (all, by name, for an empty one)."""
    if not query.strip():
        return sorted(customers, key=lambda c: fold(str(c.get("name") or "")))[:limit]
    matcher = Matcher(fold(query.strip()))
    scored = [(matcher.match(search_text(c)), c) for c in customers]
    found = [(s, c) for s, c in scored if s > 0]
    found.sort(key=lambda sc: (-sc[0], fold(str(sc[1].get("name") or ""))))
    return [c for _, c in found[:limit]]


def label(customer: Json) -> str:
    """`Bäckerei Müller (K-10023) · Anna Muster, Ben Kraus`."""
    text = one_line(customer.get("name") or "?")
    if customer.get("number"):
        text += f" ({one_line(customer['number'])})"
    contacts = [one_line(c.get("name")) for c in customer.get("contacts") or [] if c.get("name")]
    if contacts:
        text += " · " + ", ".join(contacts[:3]) + (" …" if len(contacts) > 3 else "")
    return text


class CustomerPick(ModalScreen[Json | None]):
    """Type to narrow, enter to choose the highlighted (or the best) customer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="customer.cancel"),
        Binding("down", "to_list", "List", show=False, id="customer.list"),
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
            yield Input(placeholder=TEXT["placeholder"], id="customer-query")
            yield OptionList(id="customer-options")
            yield Label(TEXT["loading"], id="customer-note", markup=False)
            yield Label(TEXT["hint"], classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.load()

    @work(exclusive=True, group="customers")
    async def load(self) -> None:
        console = door(self.app)
        try:
            self.customers = await console.client.customers()
        except Unreachable:
            by_id = {
                t["customer_id"]: {"id": t["customer_id"], "name": t["customer_name"]}
                for t in tickets_of(console.store).values()
                if "customer_id" in t
            }
            self.customers = list(by_id.values())
            self.source_note = TEXT["offline"].format(n=len(self.customers))
        except ApiError as exc:
            self.source_note = TEXT["failed"].format(why=one_line(exc.detail or exc.title))
        self.refilter()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter()

    def refilter(self) -> None:
        query = self.query_one(Input).value
        self.shown = best(self.customers, query)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(label(c), id=str(c["id"])) for c in self.shown)
        if self.shown:
            options.highlighted = 0
        n = len(self.customers)
        note = TEXT["count"].format(n=n) if not query else TEXT["none"]
        if query and self.shown:
            note = TEXT["matches"].format(shown=len(self.shown), n=n)
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
