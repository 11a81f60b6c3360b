"""The ticket view: every field, the customer's contract, history and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from dispatch.app import STYLES, TicketsUpdate
from dispatch.client.cache import plain
from dispatch.client.errors import NotFound, Unreachable
from dispatch.domain.countdown import sla_clock
from dispatch.screens.ticket_actions import TICKET_BINDINGS, TicketActions
from dispatch.widgets.status_bar import StatusBar

BERLIN = ZoneInfo("Europe/Berlin")


def when(value: str | None) -> str:
    if not value:
        return "-"
    return f"{datetime.fromisoformat(value).astimezone(BERLIN):%a %d.%m. %H:%M}"


class TicketScreen(TicketActions):
    """One ticket; it updates in place when someone else changes it."""

    CSS_PATH = [STYLES / "ticket.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="ticketview.back"),
        *TICKET_BINDINGS,
        Binding("j", "scroll_down", "Scroll down", show=False, id="ticketview.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="ticketview.up"),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: dict[str, Any] | None = None
        self.customer: dict[str, Any] | None = None
        self.offline = False  # showing the cached ticket: the service is unreachable

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="ticket-body"):
            yield Static("Loading…", id="ticket-head")
            yield Static("", id="ticket-customer")
            yield Static("", id="ticket-comments")
            yield Static("", id="ticket-history")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.dispatch.tickets_changed.subscribe(self, self.on_tickets_update)
        # the same live status bar as the panes: online/offline, pending writes, last sync
        self.dispatch.status_changed.subscribe(self, lambda _: self.refresh_status())
        self.refresh_status()
        self.load()

    def refresh_status(self) -> None:
        app = self.dispatch
        bar = self.query_one(StatusBar)
        bar.user = str(app.me["user"]["display_name"])
        bar.role = app.role
        bar.server = app.server_label
        bar.online = app.online
        bar.pending = app.pending_count()
        bar.last_update = app.last_update
        if self.offline and app.online:  # back: replace the cached view by the service's
            self.load()

    def on_tickets_update(self, update: TicketsUpdate) -> None:
        if update.ids is None or self.ticket_id in update.ids:
            self.load()
            if update.remote:
                self.notify(
                    f"Ticket {self.detail['number'] if self.detail else ''} changed meanwhile; "
                    "showing the new state.",
                    timeout=4,
                )

    @work(exclusive=True, group="ticket-view")
    async def load(self) -> None:
        client = self.dispatch.client
        try:
            detail = await client.get_ticket(self.ticket_id)
        except NotFound:
            self.notify("This ticket is gone or no longer yours to see.", severity="warning")
            self.dismiss()
            return
        except Unreachable:
            self.show_cached()
            return
        if self.customer is None or self.customer["id"] != detail["customer_id"]:
            try:
                self.customer = await client.customer(detail["customer_id"])
            except (Unreachable, NotFound):  # NotFound: the ticket left this technician
                self.customer = None
        # Online again only together with the service's view, no await in between.
        self.offline = False
        self.detail = detail
        self.render_all()

    def show_cached(self) -> None:
        """Offline: the ticket as last synced (the cache keeps the whole body), said as such;
        history, comments and the customer's contract need the service."""
        cached = self.dispatch.cache.body("ticket", self.ticket_id)
        shown = self.dispatch.store.tickets.get(self.ticket_id)
        if cached is None and shown is None:
            self.notify("This ticket is not in the cache and the service is unreachable.")
            self.dismiss()
            return
        # my pending writes, as the queue shows them, on top of the cached body
        self.detail = {**(cached or {}), **plain(shown or {})}
        self.offline = True
        self.render_all()

    def selected_ticket(self) -> dict[str, Any] | None:
        return self.detail

    def render_all(self) -> None:
        if not self.is_attached:  # closed (or the console quit) while it loaded
            return
        t = self.detail
        assert t is not None
        now = datetime.now().astimezone()
        clock = sla_clock(
            now,
            status=t["status"],
            first_response_due=datetime.fromisoformat(t["first_response_due"])
            if t.get("first_response_due")
            else None,
            resolution_due=datetime.fromisoformat(t["resolution_due"])
            if t.get("resolution_due")
            else None,
            responded_at=datetime.fromisoformat(t["responded_at"])
            if t.get("responded_at")
            else None,
            paused=t.get("sla_paused_at") is not None,
        )
        head = Table.grid(padding=(0, 2))
        head.add_column(style="bold")
        head.add_column()
        title = Text(f"{t['number']}  {t['title']}", style="bold")
        if t.get("escalated"):
            title.append("  ESCALATED", style="bold red")
        if self.offline:
            title.append("  (offline: as last synced; history and comments need the service)")
        rows = [
            ("Priority", t["priority"]),
            ("Status", t["status"].replace("_", " ")),
            (
                "SLA",
                f"{clock.text}  (first response due {when(t.get('first_response_due'))}, "
                f"resolution due {when(t.get('resolution_due'))})",
            ),
            ("Assignee", t.get("assignee_name") or "unassigned"),
            ("Customer", t.get("customer_name", "")),
            ("Site", t.get("site_name") or "-"),
            ("Kind / source", f"{t['kind']} / {t['source']}"),
            ("Received", when(t.get("received_at"))),
            ("Responded", when(t.get("responded_at"))),
            ("Tags", ", ".join(t.get("tags", [])) or "-"),
            ("Version", str(t["version"])),
        ]
        for appt in t.get("appointments", []):
            rows.append(
                (
                    "Booked",
                    f"{when(appt['start'])}-{when(appt['end'])[-5:]} "
                    f"{appt.get('mode') or appt['kind']}",
                )
            )
        for esc in t.get("escalations", []):
            rows.append(
                (
                    "Escalation",
                    f"L{esc['level']} {esc['reason']} {esc['status']} "
                    f"by {esc.get('raised_by_name', '')}: {esc.get('note', '')}",
                )
            )
        for label, value in rows:
            head.add_row(label, value)
        body = Table.grid()
        body.add_row(title)
        body.add_row(head)
        if t.get("description"):
            body.add_row(Text("\n" + t["description"]))
        self.query_one("#ticket-head", Static).update(body)
        self.query_one("#ticket-customer", Static).update(self._customer_text())
        comments = Text("\nComments\n", style="bold")
        if self.offline:
            comments.append("  shown when the service is reachable again\n", style="dim")
        elif not t.get("comments"):
            comments.append("  none yet (c adds one)\n", style="dim")
        for c in t.get("comments", []):
            comments.append(f"  {when(c['created_at'])} {c.get('author_name', '')}: ", style="bold")
            comments.append(f"{c['body']}\n", style="")
        self.query_one("#ticket-comments", Static).update(comments)
        history = Text("\nHistory\n", style="bold")
        for ev in t.get("history", []):
            history.append(f"  {when(ev['at'])} {ev['actor']} {ev['op']}: ")
            changes = []
            for field, (old, new) in ev["fields"].items():
                if ev["op"] == "create":
                    continue
                changes.append(f"{field} {old} → {new}")
            history.append(("; ".join(changes) or ev["entity"]) + "\n", style="dim")
        self.query_one("#ticket-history", Static).update(history)

    def _customer_text(self) -> Text:
        c = self.customer
        text = Text("\nCustomer\n", style="bold")
        if c is None:
            return text
        text.append(f"  {c['name']} ({c['number']}), support profile {c['support_profile']}\n")
        contracts = ", ".join(k["kind"].replace("_", " ") for k in c.get("contracts", []))
        text.append(f"  contracts: {contracts or '-'}\n")
        minutes = c.get("contingent_balance_minutes", 0)
        if any(k["kind"] == "contingent" for k in c.get("contracts", [])):
            text.append(
                f"  contingent balance: {minutes / 60:.1f} h\n", style="red" if minutes < 0 else ""
            )
        if c.get("account_manager"):
            text.append(f"  account manager: {c['account_manager']}\n")
        return text

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#ticket-body", VerticalScroll).scroll_up()
