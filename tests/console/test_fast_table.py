"""FastTable through Textual's Pilot: filter, sort, cursor keys, live upserts, flash, layout."""

from __future__ import annotations

import random
from collections.abc import Sequence

from textual.app import App, ComposeResult

from dispatch.widgets.fast_table import Column, FastTable, Row, column_widths, fit, sort_label

COLUMNS = [
    Column("number", "No.", width=5, align="right"),
    Column("title", "Title"),
    Column("status", "Status", width=8),
]
STATUSES = ("new", "open", "closed")


def make_row(i: int, title: str | None = None, status: str | None = None) -> Row:
    title = f"Ticket {i} {'Alpha' if i % 2 else 'Beta'}" if title is None else title
    status = STATUSES[i % 3] if status is None else status
    cells = (str(i), title, status)
    return Row(key=i, cells=cells, search=" ".join(cells).lower(), sort_keys=(i, None, None))


class TableApp(App[None]):
    def __init__(self, rows: Sequence[Row], columns: Sequence[Column] = COLUMNS) -> None:
        super().__init__()
        self.rows = rows
        self.columns = columns
        self.selected: list[int] = []
        self.highlighted: list[int | None] = []

    def compose(self) -> ComposeResult:
        yield FastTable()

    def on_mount(self) -> None:
        table = self.query_one(FastTable)
        table.set_columns(self.columns)
        table.set_rows(self.rows)
        table.focus()

    def on_fast_table_selected(self, event: FastTable.Selected) -> None:
        self.selected.append(event.key)

    def on_fast_table_highlighted(self, event: FastTable.Highlighted) -> None:
        self.highlighted.append(event.key)


def thousand() -> list[Row]:
    return [make_row(i) for i in range(1000)]


def line(table: FastTable, y: int) -> str:
    return table.render_line(y).text


def is_reversed(table: FastTable, y: int) -> bool:
    return all(seg.style is not None and seg.style.reverse for seg in table.render_line(y))


async def test_renders_header_and_rows_with_cursor_on_first() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(FastTable)
        assert table.total_count == table.visible_count == 1000
        assert line(table, 0).split() == ["No.", "Title", "Status"]
        assert "Ticket 0 Beta" in line(table, 1)
        assert table.cursor_key == 0 and table.cursor_row == 0
        assert is_reversed(table, 1) and not is_reversed(table, 2)
        assert app.highlighted == [0]


async def test_filter_matches_every_term_case_insensitively() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        rows = {row.key: row for row in app.rows}

        def expected(text: str) -> list[int]:
            terms = text.lower().split()
            return [k for k, r in rows.items() if all(t in r.search for t in terms)]

        # Typing narrows from the visible rows; deleting or changing terms searches all again.
        for text in ["1", "12", "12 ", "12 ALPHA", "12 alpha open", "12 al", "2", "", "zzz"]:
            table.set_filter(text)
            await pilot.pause()
            assert table.visible_keys() == expected(text), text
        assert table.visible_count == 0
        assert table.cursor_key is None
        assert "No matching rows" in line(table, 1)
        table.set_filter("TICKET 99 alpha")
        assert table.visible_keys() == expected("ticket 99 alpha")
        assert "Ticket 99 Alpha" in line(table, 1)


async def test_predicate_combines_with_text_filter() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.set_predicate(lambda row: row.cells[2] == "closed")
        assert table.visible_keys() == list(range(2, 1000, 3))
        table.set_filter("alpha")
        await pilot.pause()
        assert table.visible_keys() == [k for k in range(2, 1000, 3) if k % 2]
        table.set_predicate(None)
        assert table.visible_keys() == list(range(1, 1000, 2))
        assert table.total_count == 1000


async def test_sort_both_ways_keeps_cursor_and_shows_arrow() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.move_cursor_to_key(7)
        table.sort_by("number", reverse=True)
        await pilot.pause()
        assert table.visible_keys() == list(range(999, -1, -1))
        assert "No. ▼" in line(table, 0)
        assert table.cursor_key == 7 and table.cursor_row == 992
        assert "Ticket 7 " in line(table, 1 + table.cursor_row - table.scroll_offset.y)
        table.sort_by("number")
        await pilot.pause()
        assert table.visible_keys() == list(range(1000))
        assert "No. ▲" in line(table, 0)
        # Without sort keys the cell text decides; ties go by row key, ascending either way.
        table.sort_by("status")
        keys = table.visible_keys()
        assert keys[:3] == [2, 5, 8] and keys[-1] == 997  # closed < new < open
        table.sort_by("status", reverse=True)
        assert table.visible_keys()[:3] == [1, 4, 7]
        table.sort_by(None)
        assert table.visible_keys() == list(range(1000))
        assert "▲" not in line(table, 0) and "▼" not in line(table, 0)
        assert table.cursor_key == 7


async def test_cursor_keys_move_and_post_highlighted() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        await pilot.press("j", "down", "j")
        assert table.cursor_key == 3
        await pilot.press("k", "up")
        assert table.cursor_key == 1
        await pilot.press("up", "up")
        assert table.cursor_key == 0
        await pilot.press("G")
        assert table.cursor_key == 999
        assert table.scroll_offset.y == table.max_scroll_y
        assert "Ticket 999" in line(table, 23) and is_reversed(table, 23)
        await pilot.press("g")
        assert table.cursor_key == 0 and table.scroll_offset.y == 0
        await pilot.press("end")
        assert table.cursor_key == 999
        await pilot.press("home")
        await pilot.pause()
        assert app.highlighted == [0, 1, 2, 3, 2, 1, 0, 999, 0, 999, 0]


async def test_page_down_and_up_move_by_a_screen() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        page = 23  # 24 lines minus the header
        await pilot.press("pagedown")
        assert table.cursor_row == page
        assert table.scroll_offset.y == page
        assert "Ticket 23 " in line(table, 1) and is_reversed(table, 1)
        await pilot.press("ctrl+f")
        assert table.cursor_row == 2 * page
        await pilot.press("pageup")
        assert table.cursor_row == page
        await pilot.press("ctrl+b", "ctrl+b")
        assert table.cursor_row == 0 and table.scroll_offset.y == 0


async def test_enter_posts_selected_with_cursor_key() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.set_filter("alpha")
        await pilot.press("j", "enter")
        assert app.selected == [3]
        table.set_filter("nothing matches this")
        await pilot.press("enter")
        assert app.selected == [3]


async def test_upsert_replaces_inserts_and_keeps_cursor() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.move_cursor_to_key(10)
        table.upsert_row(make_row(10, title="Printer on fire"))
        await pilot.pause()
        assert table.cursor_key == 10
        assert "Printer on fire" in line(table, 11)
        table.upsert_row(make_row(-1))  # new rows append in insertion order
        table.upsert_row(make_row(5000))
        await pilot.pause()
        assert table.visible_keys()[-2:] == [-1, 5000]
        assert table.total_count == 1002
        assert table.cursor_key == 10 and table.cursor_row == 10
        # Sorted: a new row lands in place and the cursor follows its key.
        table.sort_by("number", reverse=True)
        table.upsert_row(make_row(2000))
        await pilot.pause()
        assert table.visible_keys()[:3] == [5000, 2000, 999]
        assert table.cursor_key == 10 and table.cursor_row == 991
        # A filtered-out upsert stays hidden; one that now matches appears.
        table.set_filter("fire")
        assert table.visible_keys() == [10]
        table.upsert_row(make_row(11, title="Fire drill"))
        await pilot.pause()
        assert table.visible_keys() == [11, 10]
        assert table.cursor_key == 10


async def test_live_updates_match_a_full_rebuild() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        rnd = random.Random(42)
        rows = {row.key: row for row in app.rows}
        for column, reverse in [("number", False), ("status", True), (None, False)]:
            table.sort_by(column, reverse)
            table.set_predicate(lambda row: row.key % 5 != 0)
            for _ in range(300):
                key = rnd.randrange(1200)
                if rnd.random() < 0.2:
                    table.remove_row(key)
                    rows.pop(key, None)
                else:
                    row = make_row(key, status=rnd.choice(STATUSES))
                    table.upsert_row(row)
                    rows[key] = row
                if rnd.random() < 0.1:
                    await pilot.pause()
            await pilot.pause()
            fresh = FastTable()
            fresh.set_columns(COLUMNS)
            fresh.set_rows(rows.values())
            fresh.sort_by(column, reverse)
            fresh.set_predicate(lambda row: row.key % 5 != 0)
            assert table.visible_keys() == fresh.visible_keys()


async def test_remove_row_moves_cursor_to_next_row() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.move_cursor_to_key(4)
        table.remove_row(4)
        table.remove_row(12345)  # unknown keys are ignored
        await pilot.pause()
        assert table.total_count == 999
        assert 4 not in table.visible_keys()
        assert table.cursor_key == 5 and table.cursor_row == 4
        assert "Ticket 5 " in line(table, 5)
        table.set_rows([make_row(0)])
        await pilot.pause()
        table.remove_row(0)
        await pilot.pause()
        assert table.cursor_key is None and table.visible_count == 0


async def test_set_rows_keeps_cursor_on_same_key() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.move_cursor_to_key(500)
        table.set_rows(make_row(i) for i in range(400, 600))
        await pilot.pause()
        assert table.cursor_key == 500 and table.cursor_row == 100
        assert "Ticket 500 " in line(table, 1 + 100 - table.scroll_offset.y)


async def test_flash_highlights_upserted_row_until_timer_ends() -> None:
    app = TableApp(thousand())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.upsert_row(make_row(2, title="Escalated"), flash=True)
        await pilot.pause()
        styles = [seg.style for seg in table.render_line(3)]
        assert all(s is not None and s.bold and s.bgcolor is not None for s in styles)
        assert not any(
            s is not None and s.bold for s in (seg.style for seg in table.render_line(4))
        )
        table._end_flash(2)  # what the ~1 s timer calls; tests do not wait on the clock
        await pilot.pause()
        assert not any(
            s is not None and s.bold for s in (seg.style for seg in table.render_line(3))
        )


async def test_narrow_width_truncates_with_ellipsis_and_relayouts() -> None:
    long_title = "A very long ticket title that cannot possibly fit"
    app = TableApp([make_row(i, title=long_title) for i in range(3)])
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(FastTable)
        text = line(table, 1)
        assert len(text) == 30
        assert "…" in text and "A very long" in text
        assert text.rstrip().endswith("new")
        await pilot.resize_terminal(80, 10)
        await pilot.pause()
        assert long_title in line(table, 1)


def test_fit_and_column_widths() -> None:
    assert fit("abcdef", 4) == "abc…"
    assert fit("ab", 4, "right") == "  ab"
    assert fit("日本語テキスト", 5) == "日本…"
    assert fit("日本語", 4) == "日 …"  # a wide glyph never straddles the cut
    assert fit("line\nbreak", 20) == "line break          "
    assert column_widths(COLUMNS, 40) == [5, 25, 8]
    flex = [Column("a", "A"), Column("b", "B", min_width=10), Column("c", "C", width=3)]
    assert column_widths(flex, 20) == [8, 10, 3]
    assert column_widths(flex, 30) == [13, 12, 3]


def test_bindings_have_ids_and_descriptions() -> None:
    bindings = [b for b in FastTable.BINDINGS if not isinstance(b, tuple)]
    assert len(bindings) == len(FastTable.BINDINGS)
    ids = {b.id for b in bindings if not isinstance(b, tuple)}
    assert ids == {
        "table.cursor_down",
        "table.cursor_up",
        "table.page_down",
        "table.page_up",
        "table.top",
        "table.bottom",
        "table.select",
    }
    assert all(not isinstance(b, tuple) and b.description for b in bindings)


async def test_a_sorted_narrow_header_keeps_its_label_and_arrow() -> None:
    narrow = [
        Column("pri", "Pri", width=3),
        Column("title", "Title"),
        Column("age", "Age", width=4, align="right"),
    ]
    rows = [Row(key=i, cells=(f"P{i % 4 + 1}", f"t{i}", f"{i}d"), search=str(i)) for i in range(5)]
    app = TableApp(rows, narrow)
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(FastTable)
        table.sort_by("age")
        await pilot.pause()
        assert line(table, 0).rstrip().endswith("Age▲")
        table.sort_by("pri", reverse=True)
        await pilot.pause()
        assert line(table, 0).startswith("Pr▼ ")
        assert "…" not in line(table, 0)


def test_sort_label_gives_way_letter_by_letter() -> None:
    assert sort_label("Age", 8, "▲") == "Age ▲"
    assert sort_label("Age", 5, "▲") == "Age ▲"
    assert sort_label("Age", 4, "▲") == "Age▲"
    assert sort_label("Pri", 3, "▼") == "Pr▼"
    assert sort_label("Kunde", 2, "▲") == "K▲"
