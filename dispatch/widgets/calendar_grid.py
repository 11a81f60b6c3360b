"""Technicians x days of a week on the Line API: free/busy at a glance, as text first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dispatch.i18n import N_, _
from dispatch.widgets.rows import DayLoad, GridLine, week_of

# two letters each, translated where the header is drawn
DAY_NAMES = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))
DAY_WIDTH = 9  # one separator + eight cells of text
_NAME_MIN, _NAME_MAX = 8, 22


def _fit(text: str, width: int, *, center: bool = False) -> str:
    """Truncate with an ellipsis, then pad to exactly `width` cells (no wrapping, ever)."""
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return text.center(width) if center else text.ljust(width)


class CalendarGrid(ScrollView, can_focus=True):
    """Rows of technicians under branch headers, one column per day; a cell cursor.

    The header line stays put while the rows scroll under it. Every state reads as text
    (`2:45 h`, `absent`, `on call`, `holiday`, `·`, `?` for a week not loaded); colours are
    only an extra.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1, 0)", N_("Up"), show=False, id="calendar_grid.up"),
        Binding("down,j", "move(1, 0)", N_("Down"), show=False, id="calendar_grid.down"),
        Binding("left,h", "move(0, -1)", N_("Previous day"), show=False, id="calendar_grid.left"),
        Binding("right,l", "move(0, 1)", N_("Next day"), show=False, id="calendar_grid.right"),
        Binding("pageup", "page(-1)", N_("Page up"), show=False, id="calendar_grid.page_up"),
        Binding("pagedown", "page(1)", N_("Page down"), show=False, id="calendar_grid.page_down"),
        Binding("home", "edge(-1)", N_("First"), show=False, id="calendar_grid.first"),
        Binding("end", "edge(1)", N_("Last"), show=False, id="calendar_grid.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "calendar-grid--header",
        "calendar-grid--today",
        "calendar-grid--branch",
        "calendar-grid--cursor",
        "calendar-grid--cursor-row",
        "calendar-grid--free",
        "calendar-grid--busy",
        "calendar-grid--full",
        "calendar-grid--absent",
        "calendar-grid--oncall",
        "calendar-grid--holiday",
        "calendar-grid--unknown",
    }

    DEFAULT_CSS = """
    CalendarGrid {
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        background: $surface;
    }
    CalendarGrid > .calendar-grid--header { text-style: bold; background: $boost; }
    CalendarGrid > .calendar-grid--today { text-style: bold reverse; }
    CalendarGrid > .calendar-grid--branch { text-style: bold; color: $accent; }
    CalendarGrid > .calendar-grid--cursor { text-style: reverse; }
    CalendarGrid > .calendar-grid--cursor-row { text-style: bold; }
    CalendarGrid > .calendar-grid--free { color: $text-muted; }
    CalendarGrid > .calendar-grid--busy { color: $warning; }
    CalendarGrid > .calendar-grid--full { color: $error; text-style: bold; }
    CalendarGrid > .calendar-grid--absent { color: $secondary; text-style: italic; }
    CalendarGrid > .calendar-grid--oncall { color: $accent; }
    CalendarGrid > .calendar-grid--holiday { color: $success; text-style: italic; }
    CalendarGrid > .calendar-grid--unknown { color: $text-disabled; }
    """

    class CellChanged(Message):
        """The cursor moved to another technician or day."""

        def __init__(self, grid: CalendarGrid, technician_id: int | None, day: int) -> None:
            super().__init__()
            self.grid = grid
            self.technician_id = technician_id
            self.day = day

        @property
        def control(self) -> CalendarGrid:
            return self.grid

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.lines: list[GridLine] = []
        self.loads: dict[tuple[int, int], DayLoad] = {}
        self.known = True
        self.days: list[date] = week_of(date.today())
        self.today: date | None = None
        self.cursor_line = 0  # index into `lines`, always a technician when there is one
        self.cursor_day = 0

    # data in ------------------------------------------------------------------
    def set_week(self, days: Sequence[date], today: date | None) -> None:
        """Show another week; the cursor keeps its weekday."""
        self.days = list(days)
        self.today = today
        self.refresh()

    def set_data(
        self,
        lines: Sequence[GridLine],
        loads: dict[tuple[int, int], DayLoad],
        *,
        known: bool = True,
    ) -> None:
        """New rows and loads; the cursor stays on the same technician when still there.

        `known` False: the week's appointments are unknown (never loaded, service away), so
        no cell may read as free; each shows `?`.
        """
        keep = self.cursor_technician
        self.lines = list(lines)
        self.loads = loads
        self.known = known
        positions = [i for i, line in enumerate(self.lines) if line.technician_id is not None]
        if keep is not None and any(self.lines[i].technician_id == keep for i in positions):
            self.cursor_line = next(i for i in positions if self.lines[i].technician_id == keep)
        elif positions:
            self.cursor_line = positions[0]
        else:
            self.cursor_line = 0
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def select(self, technician_id: int, day: int) -> None:
        """Put the cursor on a technician's day (if the technician is shown)."""
        for index, line in enumerate(self.lines):
            if line.technician_id == technician_id:
                self.cursor_line = index
                self.cursor_day = max(0, min(6, day))
                self._scroll_to_cursor()
                self.refresh()
                self._announce()
                return

    @property
    def cursor_technician(self) -> int | None:
        if 0 <= self.cursor_line < len(self.lines):
            return self.lines[self.cursor_line].technician_id
        return None

    @property
    def cursor_date(self) -> date:
        return self.days[self.cursor_day]

    # geometry -----------------------------------------------------------------
    def _name_width(self) -> int:
        wanted = max((len(line.label) + 2 for line in self.lines), default=_NAME_MIN)
        wanted = max(_NAME_MIN, min(_NAME_MAX, wanted))
        room = self.scrollable_content_region.width - DAY_WIDTH * 7 - 1
        return max(_NAME_MIN, min(wanted, room)) if room > 0 else _NAME_MIN

    def _update_virtual_size(self) -> None:
        # + 1 for the closing bracket of a cursor on Sunday
        self.virtual_size = Size(self._name_width() + DAY_WIDTH * 7 + 1, len(self.lines) + 1)

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        rows = max(1, self.scrollable_content_region.height - 1)  # minus the sticky header
        top = int(self.scroll_y)
        first = self.cursor_line
        if first > 0 and self.lines[first - 1].technician_id is None:
            first -= 1  # show the branch header above its first technician
        if first < top:
            top = first
        elif self.cursor_line >= top + rows:
            top = self.cursor_line - rows + 1
        self.scroll_to(y=top, animate=False, immediate=True)

    # keys ---------------------------------------------------------------------
    def _technician_lines(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line.technician_id is not None]

    def action_move(self, lines: int, days: int) -> None:
        positions = self._technician_lines()
        if not positions:
            return
        if lines:
            here = positions.index(self.cursor_line) if self.cursor_line in positions else 0
            self.cursor_line = positions[max(0, min(len(positions) - 1, here + lines))]
        if days:
            self.cursor_day = max(0, min(6, self.cursor_day + days))
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 2), 0)

    def action_edge(self, direction: int) -> None:
        self.action_move(direction * len(self.lines), 0)

    def _announce(self) -> None:
        self.post_message(self.CellChanged(self, self.cursor_technician, self.cursor_day))

    # rendering ----------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"calendar-grid--{name}", partial=True)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.scrollable_content_region.width
        name_width = self._name_width()
        if y == 0:
            segments = self._header(name_width)
        else:
            index = int(self.scroll_y) + y - 1
            segments = self._row(index, name_width) if index < len(self.lines) else []
        strip = Strip(segments).apply_style(base).simplify()
        scroll_x = int(self.scroll_x)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self, name_width: int) -> list[Segment]:
        header = self._style("header")
        week = self.days[0].isocalendar().week
        segments = [Segment(_fit(" " + _("week {week}").format(week=week), name_width), header)]
        for index, day in enumerate(self.days):
            label = f"{_(DAY_NAMES[index])} {day:%d.%m}"
            if day == self.today:
                segments.append(Segment("▸", header))
                segments.append(Segment(label, header + self._style("today")))
            else:
                segments.append(Segment(" " + label, header))
        return segments

    def _row(self, index: int, name_width: int) -> list[Segment]:
        line = self.lines[index]
        if line.technician_id is None:
            label = f"─ {line.label} " + "─" * (name_width + DAY_WIDTH * 7)
            return [Segment(label[: name_width + DAY_WIDTH * 7], self._style("branch"))]
        on_cursor_line = index == self.cursor_line
        focused = self.has_focus
        marker = "▶" if on_cursor_line else " "
        name_style = self._style("cursor-row") if on_cursor_line else Style()
        segments = [Segment(_fit(marker + line.label, name_width), name_style)]
        for day in range(7):
            load = self.loads.get((line.technician_id, day), DayLoad())
            style = self._style(load.state if self.known else "unknown")
            text = _fit(load.text if self.known else "?", DAY_WIDTH - 1, center=True)
            if on_cursor_line and day == self.cursor_day:
                # brackets mark the cell even without colour or focus
                cursor = self._style("cursor") if focused else Style(underline=True)
                segments.append(Segment("[", name_style))
                segments.append(Segment(text, style + cursor))
                continue
            if on_cursor_line and day == self.cursor_day + 1:
                segments.append(Segment("]", name_style))
            else:
                segments.append(Segment(" "))
            segments.append(Segment(text, style))
        if on_cursor_line and self.cursor_day == 6:
            segments.append(Segment("]", name_style))
        return segments

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
