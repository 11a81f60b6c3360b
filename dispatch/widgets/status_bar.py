"""The bottom line: who, where, online or not, pending writes, last sync."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from dispatch.display import clock, labels
from dispatch.display.safe import one_line
from dispatch.i18n import _, ngettext


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
        width = self.content_size.width
        state = self._state(short=False)
        if width > 0 and state.cell_len > width:  # 80 columns: the counts in fewer words
            state = self._state(short=True)
        return self._fit(state, width)

    def _state(self, *, short: bool) -> Text:
        state = Text()
        if self.online:
            state.append(_("● online"), style="green")
        else:
            state.append(_("○ OFFLINE"), style="bold red")
        if self.pending:
            state.append("  " + _("{n} pending").format(n=self.pending), style="yellow")
        if self.escalations:
            n = self.escalations
            words = (
                _("{n} esc.")
                if short
                else ngettext("{n} escalation unacknowledged", "{n} escalations unacknowledged", n)
            )
            state.append("  " + words.format(n=n), style="bold yellow")
        if self.last_update is not None:
            state.append("  " + _("synced {time}").format(time=clock.hhmm(self.last_update)))
        if self.note:
            state.append(f"  {self.note}", style="dim")
        return state

    def _fit(self, state: Text, width: int) -> Text:
        """Who and where, then the state; on a narrow line the server name is cut, then
        dropped, then the role, then the user's name is cut: the state (online, pending
        writes, sync time, what needs you) is what a glance must find, so it stays whole."""
        user = one_line(self.user)
        who = f"{user} ({labels.word(labels.ROLE, self.role)})"
        room = width - state.cell_len - 2  # what is left for who and where, with a gap
        name, server = who, self.server
        if width <= 0 or cell_len(who) + 2 + cell_len(server) <= room:
            pass
        elif cell_len(who) + 2 + 8 <= room:  # a server name cut to under 8 says nothing
            server = set_cell_size(server, room - cell_len(who) - 3) + "…"
        elif cell_len(who) <= room:
            server = ""
        elif cell_len(user) <= room:
            name, server = user, ""
        else:
            name, server = (set_cell_size(user, room - 1) + "…" if room > 1 else ""), ""
        text = Text(no_wrap=True, overflow="ellipsis")
        if name:
            text.append(name, style="bold")
            text.append(f"  {server}  " if server else "  ")
        text.append_text(state)
        return text
