"""A virtual table on Textual's Line API that stays fluid with 100,000 rows.

Rows are formatted to the column widths once, lazily, and cached per key, so a frame only slices
a list. The filter searches a copy of the rows' search strings laid out one after the other in
sort order, with C-level loops (`map` / `compress`) and no Python code per row. The widget does
no I/O and knows nothing about tickets: screens hand it `Row`s and listen for `Highlighted` /
`Selected`.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import compress, repeat
from operator import attrgetter, contains, or_
from typing import Any, ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from dispatch.i18n import N_, _

ELLIPSIS = "…"
Term = str | tuple[str, ...]
"""One filter term: a text every passing row's search holds, or alternatives of which a
passing row's search holds at least one (a screen's word that names several values)."""
SEPARATOR = " "
_LINE_CACHE_LIMIT = 4096  # formatted lines kept; a full clear is cheaper than LRU bookkeeping
Align = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Column:
    """A column; `width=None` makes it flexible, sharing what fixed columns leave over.

    On a narrow table the columns with a `give_way` rank make room, lowest rank first, until
    every flexible column has its `want`: first each shrinks to `shrink_to` (or, without
    one, is dropped), then the shrunk ones are dropped too. `width=0` hides a column.
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 4
    align: Align = "left"
    want: int = 0
    give_way: int | None = None
    shrink_to: int | None = None


@dataclass(slots=True)
class Row:
    """A row: its display cells, the text the filter searches (made with `fold`), styling.

    `sort_keys` holds one key per column (a `None` entry falls back to the cell text); the keys
    of one column must be comparable with each other. Ties go by `key`, ascending either way, so
    the order is total and a live update lands exactly where a full sort would put it. Treat
    rows as values: to change one, `upsert_row` a new `Row` rather than mutating the one held.
    """

    key: int
    cells: tuple[str, ...]
    search: str
    style: str = ""
    cell_styles: tuple[str, ...] | None = None
    sort_keys: tuple[Any, ...] | None = None


def fold(text: str) -> str:
    """`text` as the filter compares it: lower case, umlauts and ß spelled out (ä → ae).

    Rows fold their `search` once when they are made, the filter folds what is typed, so a
    keystroke never folds a row. German spellings a person may type either way: `baeckerei`
    finds `Bäckerei` and `bäckerei` finds `Baeckerei`. Four `replace` calls are much cheaper
    than one `str.translate` here; ASCII text skips them.
    """
    text = text.lower()
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFC", text):  # a decomposed ä is a + U+0308
        text = unicodedata.normalize("NFC", text)
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


def plain_terms(text: str) -> tuple[Term, ...]:
    """The filter's terms in typed text: each whitespace-separated word, folded."""
    return tuple(fold(text).split())


def _holds(term: Term, search: str) -> bool:
    if isinstance(term, str):
        return term in search
    return any(alt in search for alt in term)


def _narrows(old: Term, new: Term) -> bool:
    """Whether every search that holds `new` holds `old` too (each of `new`'s alternatives
    contains one of `old`'s), so filtering by `new` can start from `old`'s result."""
    if isinstance(old, str) and isinstance(new, str):
        return old in new
    olds = (old,) if isinstance(old, str) else old
    news = (new,) if isinstance(new, str) else new
    return all(any(o in n for o in olds) for n in news)


def fit(text: str, width: int, align: Align = "left") -> str:
    """Pad or cut `text` to exactly `width` terminal cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if not text.isprintable():  # a stray newline or tab would break the line grid
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    if text.isascii():
        length = len(text)
        if length > width:
            return text[: width - 1] + ELLIPSIS
    else:
        length = cell_len(text)
        if length > width:
            return set_cell_size(text, width - 1) + ELLIPSIS
    pad = " " * (width - length)
    return pad + text if align == "right" else text + pad


def sort_label(label: str, width: int, arrow: str) -> str:
    """A header with its sort arrow in `width` cells: the arrow takes the space before it,
    then the label's last letters, never an ellipsis (`Age ▲`, `Age▲`, `Pr▲`, not `A… ▲`)."""
    room = width - 1
    if cell_len(label) < room:
        return f"{label} {arrow}"
    return f"{set_cell_size(label, room).rstrip()}{arrow}"


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Widths for `columns` in `width` cells: fixed ones as given (0: not shown), flexible
    ones share the rest; fixed columns give way (see `Column`) while a flexible one is short."""
    fixed = [c.width for c in columns]
    wanted = sum(max(c.want, c.min_width) for c in columns if c.width is None)

    def spare() -> int:
        shown = sum(1 for w in fixed if w != 0)
        used = sum(w for w in fixed if w is not None)
        return width - used - len(SEPARATOR) * max(0, shown - 1)

    yielding = sorted(
        (i for i, c in enumerate(columns) if c.give_way is not None and c.width),
        key=lambda i: columns[i].give_way or 0,
    )
    steps = [(i, columns[i].shrink_to or 0) for i in yielding]
    steps += [(i, 0) for i in yielding if columns[i].shrink_to]
    for index, narrower in steps:
        if spare() >= wanted:
            break
        fixed[index] = narrower
    flexible = sum(1 for w in fixed if w is None)
    share, extra = divmod(max(0, spare()), flexible) if flexible else (0, 0)
    widths: list[int] = []
    for column, w in zip(columns, fixed, strict=True):
        if w is not None:
            widths.append(w)
        else:
            widths.append(max(column.min_width, share + (1 if extra > 0 else 0)))
            extra -= 1
    return widths


def _row_key(row: Row) -> int:
    return row.key


_search_of = attrgetter("search")


@lru_cache(maxsize=1024)
def _parse_style(name: str) -> Style:
    # A bad style name from a caller must not crash rendering; it just shows unstyled.
    try:
        return Style.parse(name)
    except StyleSyntaxError:
        return Style.null()


class FastTable(ScrollView, can_focus=True):
    """A keyboard-driven table for very many rows, with filter, sort, live upserts and flash."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", N_("Next row"), id="table.cursor_down", show=False),
        Binding("up,k", "cursor_up", N_("Previous row"), id="table.cursor_up", show=False),
        Binding("pagedown,ctrl+f", "page_down", N_("Page down"), id="table.page_down", show=False),
        Binding("pageup,ctrl+b", "page_up", N_("Page up"), id="table.page_up", show=False),
        Binding("home,g", "cursor_top", N_("First row"), id="table.top", show=False),
        Binding("end,G", "cursor_bottom", N_("Last row"), id="table.bottom", show=False),
        Binding("enter", "select", N_("Open row"), id="table.select", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "fast-table--header",
        "fast-table--cursor",
        "fast-table--flash",
        "fast-table--empty",
    }
    DEFAULT_CSS = """
    FastTable {
        overflow-x: hidden;
        & > .fast-table--header { text-style: bold; background: $panel; }
        & > .fast-table--cursor { text-style: reverse; }
        & > .fast-table--flash { text-style: bold; background: $warning 35%; }
        & > .fast-table--empty { text-style: italic; color: $text-muted; }
    }
    """
    FLASH_SECONDS: ClassVar[float] = 1.0

    class Highlighted(Message):
        """The cursor moved to another row; `key` is None when no row is visible."""

        def __init__(self, table: FastTable, key: int | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> FastTable:
            return self.table

    class Selected(Message):
        """Enter (or a double click) on the row with `key`."""

        def __init__(self, table: FastTable, key: int) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> FastTable:
            return self.table

    def __init__(
        self,
        *,
        empty_text: str = N_("No matching rows"),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.empty_text = empty_text
        self._columns: tuple[Column, ...] = ()
        self._rows: dict[int, Row] = {}  # insertion order is the unsorted order
        self._ordered: list[Row] = []  # all rows in sort order
        self._visible: list[Row] = []  # the filtered subsequence of _ordered (or _ordered itself)
        # Where the visible rows sit in _ordered (ascending), None when unknown; valid while
        # _visible is not stale, since only a re-filter follows a reorder, insert or removal.
        self._visible_at: list[int] | None = None
        # Each _ordered row's `search`, copied into one run of memory (the filter's input),
        # None until a filter needs it after a reorder; inserts, removals and replacements
        # in _ordered are mirrored here.
        self._searches: list[str] | None = None
        self._ordered_stale = False
        self._visible_stale = False
        self._sync_pending = False
        self._ordered_pos: dict[int, int] | None = None  # unsorted only: built on demand
        self._terms: tuple[Term, ...] = ()
        # How typed filter text becomes terms; a screen that knows its rows may read words
        # like `kind:alert` into markers its rows' search texts carry.
        self.terms_of: Callable[[str], tuple[Term, ...]] = plain_terms
        self._predicate: Callable[[Row], bool] | None = None
        self._sort_column: str | None = None
        self._sort_reverse = False
        self._sort_fn: Callable[[Row], Any] | None = None
        self._cursor = 0
        self._cursor_key: int | None = None
        self._announced: int | None = None
        self._flashing: dict[int, Timer] = {}
        self._lines: dict[int, Strip] = {}
        self._line_width = -1
        self._line_base = Style.null()
        self._widths: list[int] = []
        self._base = Style.null()

    # -- public state ------------------------------------------------------------------------

    @property
    def cursor_key(self) -> int | None:
        """Key of the row under the cursor, None when no row is visible."""
        self._ensure()
        return self._cursor_key

    @property
    def cursor_row(self) -> int:
        """Index of the cursor among the visible rows."""
        self._ensure()
        return self._cursor

    @property
    def visible_count(self) -> int:
        self._ensure()
        return len(self._visible)

    @property
    def total_count(self) -> int:
        return len(self._rows)

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._sort_reverse

    def visible_keys(self) -> list[int]:
        """Keys of the rows that pass the filter, in display order."""
        self._ensure()
        return [row.key for row in self._visible]

    # -- data --------------------------------------------------------------------------------

    def set_columns(self, columns: Sequence[Column]) -> None:
        self._columns = tuple(columns)
        if self._sort_column is not None:
            if self._sort_column in self._column_keys():
                self._sort_fn = self._sort_fn_for(self._sort_column)
            else:
                self._sort_column, self._sort_fn = None, None
            self._ordered_stale = True
        self._line_width = -1  # re-layout on next render
        self._ensure()
        self.refresh()

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Replace all rows, keeping the cursor on the same key if that row is still present."""
        self._rows = {row.key: row for row in rows}
        self._lines.clear()
        for key in [k for k in self._flashing if k not in self._rows]:
            self._flashing.pop(key).stop()
        self._ordered_stale = True
        self._ensure()

    def upsert_row(self, row: Row, flash: bool = False) -> None:
        """Insert or replace one row by key; the re-filter is deferred so bursts coalesce."""
        old = self._rows.get(row.key)
        self._rows[row.key] = row
        self._lines.pop(row.key, None)
        if flash:
            self._flash(row.key)
        if old is row:  # mutated in place: nothing to compare against, so re-sort
            self._ordered_stale = True
        if not self._ordered_stale:
            sort_fn = self._sort_fn
            if (
                old is not None
                and (sort_fn is None or sort_fn(old) == sort_fn(row))
                and self._matches(old) == self._matches(row)
            ):
                self._replace_in_place(row)
                return
            if sort_fn is None:
                self._ordered_stale = True  # rebuilding from dict order is cheap
            else:
                if old is not None:
                    self._ordered_remove(old)
                index = self._bisect(self._ordered, row)
                self._ordered.insert(index, row)
                if self._searches is not None:
                    self._searches.insert(index, row.search)
                self._ordered_pos = None
        self._invalidate()

    def remove_row(self, key: int) -> None:
        old = self._rows.pop(key, None)
        if old is None:
            return
        self._lines.pop(key, None)
        if key in self._flashing:
            self._flashing.pop(key).stop()
        if not self._ordered_stale:
            if self._sort_fn is None:
                self._ordered_stale = True
            else:
                self._ordered_remove(old)
        self._invalidate()

    def set_filter(self, text: str) -> None:
        """Show rows whose `search` contains every whitespace-separated term, folded (`fold`:
        case and German spellings do not matter when rows fold their `search` too); the
        terms are what `terms_of` reads in `text`."""
        terms = self.terms_of(text)
        if terms == self._terms:
            return
        self._ensure()
        old, self._terms = self._terms, terms
        if self._visible_at is not None and all(any(_narrows(o, t) for t in terms) for o in old):
            # Every old term lives inside a new one, so the result can only shrink: search the
            # rows already visible instead of all of them (typing a term gets cheaper per key).
            at = self._text_filter(self._visible_at)
            self._show(list(map(self._ordered.__getitem__, at)), keep_index=False, at=at)
        else:
            self._show(*self._filtered(), keep_index=False)

    def prepare_filter(self) -> None:
        """Copy the rows' search texts for the filter now (noticeable for a large queue), e.g.
        when a filter box opens, rather than in the first filter keystroke after a reorder."""
        self._ensure()
        self._search_list()

    def set_predicate(self, pred: Callable[[Row], bool] | None) -> None:
        """Combine a quick filter (unassigned, mine...) with the text filter."""
        self._ensure()
        self._predicate = pred
        self._show(*self._filtered(), keep_index=False)

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Sort by a column, or keep insertion order (reversed if asked) when it is None."""
        if column_key == self._sort_column and reverse == self._sort_reverse:
            return
        self._sort_fn = None if column_key is None else self._sort_fn_for(column_key)
        self._sort_column, self._sort_reverse = column_key, reverse
        self._ordered_stale = True
        self._ensure()

    def move_cursor_to_key(self, key: int) -> None:
        self._ensure()
        index = self._find(key)
        if index is not None:
            self._move_cursor(index)

    # -- actions -----------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self._move_by(1)

    def action_cursor_up(self) -> None:
        self._move_by(-1)

    def action_page_down(self) -> None:
        self._move_by(self._body_height(), scroll=True)

    def action_page_up(self) -> None:
        self._move_by(-self._body_height(), scroll=True)

    def action_cursor_top(self) -> None:
        self._move_cursor(0)

    def action_cursor_bottom(self) -> None:
        self._move_by(len(self._rows))

    def action_select(self) -> None:
        self._ensure()
        if self._cursor_key is not None:
            self.post_message(self.Selected(self, self._cursor_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        self._ensure()
        index = self.scroll_offset.y + offset.y - 1
        if index < len(self._visible):
            self._move_cursor(index)
            if event.chain > 1:
                self.action_select()

    def on_mount(self) -> None:
        self._ensure()

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # ScrollView compares the compositor's virtual size (the content region) with the
        # table's (the rows), which never match, so every screen layout (the filter box asks
        # for one per keystroke) re-set the scrollbar and repainted it in a frame of its own,
        # after the frame with the filtered rows. Only a new size of the table itself matters;
        # the rows' height reaches the scrollbar through `_set_virtual_height`.
        if size == self.outer_size and container_size == self.container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)

    # -- rendering ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # walks the DOM, so once per frame rather than per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, base = self.scrollable_content_region.width, self._base  # minus the scrollbar
        if width != self._line_width or base != self._line_base:
            self._lines.clear()
            self._line_width, self._line_base = width, base
            self._widths = column_widths(self._columns, width)
        if y == 0:
            return self._header_strip(width, base)
        index = self.scroll_offset.y + y - 1
        if index >= len(self._visible):
            if index == 0:
                style = self.get_component_rich_style("fast-table--empty")
                empty = (
                    _(self.empty_text) if self.empty_text else ""
                )  # `_("")` is the catalog header
                return Strip([Segment(fit(empty, width), style)], width)
            return Strip.blank(width, base)
        row = self._visible[index]
        strip = self._lines.get(row.key)
        if strip is None:
            strip = self._format(row, width, base)
        if row.key in self._flashing:
            flash = self.get_component_rich_style("fast-table--flash")
            over = Style(bgcolor=flash.bgcolor, bold=flash.bold, italic=flash.italic)
            strip = Strip(Segment.apply_style(strip, post_style=over), width)
        if index == self._cursor:
            strip = strip.apply_style(self.get_component_rich_style("fast-table--cursor"))
        return strip

    def _format(self, row: Row, width: int, base: Style) -> Strip:
        style = base + _parse_style(row.style) if row.style else base
        cells, count = row.cells, len(row.cells)
        shown = [
            (i, fit(cells[i] if i < count else "", w, column.align))
            for i, (column, w) in enumerate(zip(self._columns, self._widths, strict=False))
            if w  # a column that gave way (or is hidden) has no cell and no separator
        ]
        if row.cell_styles is None:
            segments = [Segment(SEPARATOR.join(text for _, text in shown), style)]
        else:
            segments = []
            styles = row.cell_styles
            for n, (i, text) in enumerate(shown):
                if n:
                    segments.append(Segment(SEPARATOR, style))
                name = styles[i] if i < len(styles) else ""
                segments.append(Segment(text, style + _parse_style(name) if name else style))
        strip = Strip(segments).adjust_cell_length(width, style)
        if len(self._lines) >= _LINE_CACHE_LIMIT:
            self._lines.clear()
        self._lines[row.key] = strip
        return strip

    def _header_strip(self, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("fast-table--header")
        labels = []
        for column, w in zip(self._columns, self._widths, strict=False):
            if not w:
                continue
            # marked with N_ where the columns are declared; `_("")` is the catalog header
            label = _(column.label) if column.label else ""
            if column.key == self._sort_column and w >= 2:
                label = sort_label(label, w, "▼" if self._sort_reverse else "▲")
            labels.append(fit(label, w, column.align))
        return Strip([Segment(SEPARATOR.join(labels), style)]).adjust_cell_length(width, style)

    # -- internals ---------------------------------------------------------------------------

    def _column_keys(self) -> list[str]:
        return [column.key for column in self._columns]

    def _sort_fn_for(self, column_key: str) -> Callable[[Row], Any]:
        index = self._column_keys().index(column_key)  # ValueError for an unknown column

        def sort_fn(row: Row) -> Any:
            key = None if row.sort_keys is None else row.sort_keys[index]
            return row.cells[index] if key is None else key

        return sort_fn

    def _matches(self, row: Row) -> bool:
        search = row.search
        return all(_holds(t, search) for t in self._terms) and (
            self._predicate is None or self._predicate(row)
        )

    def _search_list(self) -> list[str]:
        """The search strings of `_ordered`, in its order, built on first use after a reorder.

        Joined and split again, the copies lie next to each other in memory in sort order, so
        a scan reads memory in sequence instead of visiting 50,000 rows scattered over the
        heap (twice as fast here, with a cold cache, as reading `row.search` row by row).
        """
        searches = self._searches
        if searches is None:
            originals = list(map(_search_of, self._ordered))
            searches = "\n".join(originals).split("\n")
            if len(searches) != len(originals):  # a search text holding a newline
                searches = originals
            self._searches = searches
        return searches

    def _text_filter(self, at: Sequence[int]) -> list[int]:
        """The positions in `at` (ascending positions in `_ordered`) whose search text holds
        every term; all C-level loops, no Python code per row."""
        searches = self._search_list()
        for term in self._terms:
            if len(at) == len(searches):  # every row (ascending, distinct): no lookups needed
                texts: Iterable[str] = searches
            else:
                texts = map(searches.__getitem__, at)
            if isinstance(term, str):
                at = list(compress(at, map(contains, texts, repeat(term))))
                continue
            listed = list(texts)  # read once per alternative
            keep: Iterable[bool] = repeat(False)
            for alt in term:
                keep = list(map(or_, keep, map(contains, listed, repeat(alt))))
            at = list(compress(at, keep))
        return at if isinstance(at, list) else list(at)

    def _filtered(self) -> tuple[list[Row], list[int] | None]:
        """The rows passing text filter and predicate, with their positions in `_ordered`.

        With neither, that is `_ordered` itself, not a copy: clearing the filter costs
        nothing, and the shared list stays right because every insert or removal in
        `_ordered` marks the visible rows stale (re-filtered before anyone reads them).
        """
        ordered, pred = self._ordered, self._predicate
        if not self._terms:
            if pred is None:
                return ordered, None
            keep = list(map(pred, ordered))
            return list(compress(ordered, keep)), list(compress(range(len(ordered)), keep))
        at = self._text_filter(range(len(ordered)))
        rows = list(map(ordered.__getitem__, at))
        if pred is not None:
            keep = list(map(pred, rows))
            rows, at = list(compress(rows, keep)), list(compress(at, keep))
        return rows, at

    def _bisect(self, rows: list[Row], row: Row) -> int:
        """Index of the first row in `rows` (sorted like `_ordered`) after `row`."""
        sort_fn, reverse = self._sort_fn, self._sort_reverse
        assert sort_fn is not None
        key, ident = sort_fn(row), row.key
        lo, hi = 0, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            other = rows[mid]
            other_key = sort_fn(other)
            first, second = (other_key, key) if reverse else (key, other_key)
            if first < second or (not second < first and other.key > ident):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def _ordered_remove(self, old: Row) -> None:
        index = self._bisect(self._ordered, old) - 1
        if index >= 0 and self._ordered[index].key == old.key:
            del self._ordered[index]
            if self._searches is not None:
                del self._searches[index]
        else:  # not where its sort key says: the order is broken, so rebuild it
            self._ordered_stale = True
        self._ordered_pos = None

    def _position(self, row: Row) -> int | None:
        """Where `row`'s key sits in `_ordered`: a binary search when sorted, else a key→index
        map built once per rebuild (in-place replacements keep it valid)."""
        rows = self._ordered
        if self._sort_fn is not None:
            index = self._bisect(rows, row) - 1
            return index if index >= 0 and rows[index].key == row.key else None
        if self._ordered_pos is None:
            self._ordered_pos = {r.key: i for i, r in enumerate(rows)}
        return self._ordered_pos.get(row.key)

    def _replace_in_place(self, row: Row) -> None:
        index = self._position(row)
        if index is None:  # cannot happen while the lists are consistent; rebuild if it does
            self._ordered_stale = True
            self._invalidate()
            return
        self._ordered[index] = row
        if self._searches is not None:
            self._searches[index] = row.search
        if self._visible_stale or not self._matches(row):
            return
        index = self._visible_index(index)
        if index is None:
            self._invalidate()
            return
        self._visible[index] = row
        self.refresh_line(index + 1)

    def _invalidate(self) -> None:
        self._visible_stale = True
        if not self._sync_pending and self.is_mounted:
            self._sync_pending = True
            self.call_later(self._sync)

    def _sync(self) -> None:
        self._sync_pending = False
        self._ensure()

    def _ensure(self) -> None:
        """Apply pending reorders and re-filters (callers reading state see them at once)."""
        if self._ordered_stale:
            rows = list(self._rows.values())
            if self._sort_fn is not None:
                # Python's sort is stable in both directions, so this becomes the tie-break.
                rows.sort(key=_row_key)
                rows.sort(key=self._sort_fn, reverse=self._sort_reverse)
            elif self._sort_reverse:
                rows.reverse()
            self._ordered, self._ordered_pos, self._searches = rows, None, None
            self._ordered_stale, self._visible_stale = False, True
        if self._visible_stale:
            self._show(*self._filtered(), keep_index=True)

    def _show(self, rows: list[Row], at: list[int] | None, *, keep_index: bool) -> None:
        """Make `rows` (at positions `at` in `_ordered`, None for all of it when `rows` is
        `_ordered`) the visible rows; the cursor follows its key, else stays or goes to top."""
        assert at is not None or rows is self._ordered, "a filtered list needs its positions"
        self._visible, self._visible_at, self._visible_stale = rows, at, False
        index = None if self._cursor_key is None else self._find(self._cursor_key)
        if index is None:
            index = min(self._cursor, len(rows) - 1) if keep_index else 0
        self._cursor = max(0, index)
        self._cursor_key = rows[self._cursor].key if rows else None
        self._set_virtual_height(len(rows) + 1)
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def _set_virtual_height(self, height: int) -> None:
        """Set the scrollable height without a screen layout when the widget's size stays.

        `virtual_size` is a layout reactive: assigning it re-lays-out the whole screen and
        repaints every scrollbar, a frame of its own after each filter keystroke. The table's
        own size does not depend on its row count unless its height is `auto`, so only the
        scroll bounds and the scrollbar need updating (what Textual does in `_size_updated`
        without a layout); if the scrollbar appears or goes, `show_vertical_scrollbar` (a
        layout reactive) still asks for the layout that needs.
        """
        size = Size(0, height)
        if size == self.virtual_size:
            return
        if not self.is_mounted or self.styles.auto_dimensions:
            self.virtual_size = size
            return
        self.set_reactive(FastTable.virtual_size, size)
        self._scroll_update(size)

    def _visible_index(self, position: int) -> int | None:
        """Index among the visible rows of the row at `position` in `_ordered`, if shown."""
        at = self._visible_at
        if at is None:
            return position if self._visible is self._ordered else None
        index = bisect_left(at, position)
        return index if index < len(at) and at[index] == position else None

    def _find(self, key: int) -> int | None:
        """Index of `key` among the visible rows (which must be up to date)."""
        row = self._rows.get(key)
        if row is None:
            return None
        position = self._position(row)
        return None if position is None else self._visible_index(position)

    def _move_cursor(self, index: int, top: int | None = None) -> None:
        self._ensure()
        if not self._visible:
            return
        old, index = self._cursor, max(0, min(index, len(self._visible) - 1))
        self._cursor, self._cursor_key = index, self._visible[index].key
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        self._scroll_cursor_into_view(top)
        self._announce()

    def _move_by(self, delta: int, *, scroll: bool = False) -> None:
        """Move the cursor `delta` rows; paging scrolls too, so the cursor keeps its screen line."""
        self._ensure()
        top = self.scroll_offset.y + delta if scroll else None
        self._move_cursor(self._cursor + delta, top=top)

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_into_view(self, top: int | None = None) -> None:
        if not self.is_mounted or not self.size.height:
            return
        body = self._body_height()
        top = self.scroll_offset.y if top is None else top
        top = max(self._cursor - body + 1, min(top, self._cursor))
        top = max(0, min(top, len(self._visible) - body))
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)

    def _announce(self) -> None:
        if self._cursor_key != self._announced:
            self._announced = self._cursor_key
            self.post_message(self.Highlighted(self, self._cursor_key))

    def _flash(self, key: int) -> None:
        if not self.is_mounted:
            return
        if key in self._flashing:
            self._flashing[key].stop()
        self._flashing[key] = self.set_timer(self.FLASH_SECONDS, partial(self._end_flash, key))

    def _end_flash(self, key: int) -> None:
        self._flashing.pop(key, None)
        index = None if self._visible_stale else self._find(key)
        if index is not None:
            self.refresh_line(index + 1)
