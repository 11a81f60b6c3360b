"""The bottom line: who, where, online or not, pending writes, last sync."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusBar(Static):
    """Renders the connection state as words, with colour as an extra."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    user: reactive[str] = reactive("")
    role: reactive[str] = reactive("")
    server: reactive[str] = reactive("")
    online: reactive[bool] = reactive(True)
    pending: reactive[int] = reactive(0)
    escalations: reactive[int] = reactive(0)  # open, nobody has acknowledged them yet
    last_update: reactive[datetime | None] = reactive(None)
    note: reactive[str] = reactive("")

    def render(self) -> Text:
        text = Text()
        text.append(f"{self.user} ({self.role.replace('_', ' ')})", style="bold")
        text.append(f"  {self.server}  ")
        if self.online:
            text.append("● online", style="green")
        else:
            text.append("○ OFFLINE", style="bold red")
        if self.pending:
            text.append(f"  {self.pending} pending", style="yellow")
        if self.escalations:
            noun = "escalation" if self.escalations == 1 else "escalations"
            text.append(f"  {self.escalations} {noun} unacknowledged", style="bold yellow")
        if self.last_update is not None:
            text.append(f"  synced {self.last_update:%H:%M:%S}")
        if self.note:
            text.append(f"  {self.note}", style="dim")
        return text
