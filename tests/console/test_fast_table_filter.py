"""FastTable's filter against a naive model: same rows, same order, after any edit sequence.

The fast filter scans a copy of the search strings kept in sort order, narrows the previous
result while a term grows, and shows the full row list itself when the filter is cleared; the
naive model here re-sorts and re-filters everything from a plain dict after every step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import cmp_to_key
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from dispatch.client.shapes import StoreTicket
from dispatch.screens.base import FilterAsYouType
from dispatch.widgets.fast_table import Column, FastTable, Row, Term, fold, plain_terms
from dispatch.widgets.rows import ticket_row
from dispatch.widgets.ticket_filter import filter_problem, ticket_terms

COLUMNS = [Column("rank", "Rank", width=6), Column("name", "Name")]
SORTS: list[str | None] = ["rank", "name", None]
# Few letters, so terms often match and extensions of a term often still match; a newline
# and an upper-case letter in search texts (which the filter must treat like any character).
ALPHABET = "abcäe1 "
SEARCH_ALPHABET = "abcäe1 \nB"


def odd(row: Row) -> bool:
    return row.key % 2 == 1


PREDICATES: list[Callable[[Row], bool] | None] = [None, odd]


def make_row(key: int, search: str, rank: int) -> Row:
    return Row(key=key, cells=(str(rank), search[:5]), search=search, sort_keys=(rank, None))


def expected(
    rows: dict[int, Row],
    sort: str | None,
    reverse: bool,
    text: str,
    pred: Callable[[Row], bool] | None,
    terms_of: Callable[[str], tuple[Term, ...]] = plain_terms,
) -> list[int]:
    """What the table must show: every row whose search holds each term (one of a term's
    alternatives), in sort order."""
    ordered = list(rows.values())
    if sort is None:
        if reverse:
            ordered.reverse()
    else:
        index = [c.key for c in COLUMNS].index(sort)

        def value(row: Row) -> Any:
            key = None if row.sort_keys is None else row.sort_keys[index]
            return row.cells[index] if key is None else key

        def compare(a: Row, b: Row) -> int:
            va, vb = value(a), value(b)
            if va != vb:
                return (1 if va > vb else -1) * (-1 if reverse else 1)
            return a.key - b.key  # ties by key, ascending either way

        ordered.sort(key=cmp_to_key(compare))
    terms = terms_of(text)
    return [
        row.key
        for row in ordered
        if all(holds(t, row.search) for t in terms) and (pred is None or pred(row))
    ]


def holds(term: Term, search: str) -> bool:
    return term in search if isinstance(term, str) else any(a in search for a in term)


def mirrored(text: str) -> tuple[Term, ...]:
    """Terms with alternatives, as a screen's words may make them: each word of two or more
    letters is found either way round (`ab` matches `ab` or `ba`)."""
    return tuple(w if len(w) < 2 else (w, w[::-1]) for w in fold(text).split())


TERMS: list[Callable[[str], tuple[Term, ...]]] = [plain_terms, mirrored]


keys = st.integers(min_value=0, max_value=15)  # upserts often replace a row
searches = st.text(SEARCH_ALPHABET, max_size=12)
ranks = st.integers(min_value=0, max_value=5)  # many ties
filters = st.text(ALPHABET + "ABÄ", max_size=6)
steps = st.one_of(
    st.tuples(st.just("filter"), filters),
    st.tuples(st.just("type"), filters),  # letter by letter, as the filter box sends it
    st.tuples(st.just("upsert"), keys, searches, ranks),
    st.tuples(st.just("remove"), keys),
    st.tuples(st.just("sort"), st.sampled_from(SORTS), st.booleans()),
    st.tuples(st.just("predicate"), st.sampled_from(PREDICATES)),
    st.tuples(st.just("rows"), st.lists(st.tuples(keys, searches, ranks), max_size=30)),
)


@pytest.mark.parametrize("terms_of", TERMS, ids=lambda f: f.__name__)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.lists(st.tuples(keys, searches, ranks), max_size=30),
    script=st.lists(steps, max_size=25),
)
def test_filter_shows_exactly_what_a_naive_filter_shows(
    terms_of: Callable[[str], tuple[Term, ...]],
    start: list[tuple[int, str, int]],
    script: list[tuple[Any, ...]],
) -> None:
    table = FastTable()
    table.terms_of = terms_of
    table.set_columns(COLUMNS)
    model = {key: make_row(key, search, rank) for key, search, rank in start}
    table.set_rows(model.values())
    sort: str | None = None
    reverse = False
    text = ""
    pred: Callable[[Row], bool] | None = None

    def check() -> None:
        visible = table.visible_keys()
        assert visible == expected(model, sort, reverse, text, pred, terms_of)
        assert table.visible_count == len(visible)
        assert table.total_count == len(model)
        assert table.cursor_key == (visible[table.cursor_row] if visible else None)

    for step in script:
        kind = step[0]
        if kind == "filter":
            text = step[1]
            table.set_filter(text)
        elif kind == "type":
            for i in range(1, len(step[1]) + 1):
                text = step[1][:i]
                table.set_filter(text)
                check()
        elif kind == "upsert":
            row = make_row(step[1], step[2], step[3])
            model[row.key] = row
            table.upsert_row(row)
        elif kind == "remove":
            model.pop(step[1], None)
            table.remove_row(step[1])
        elif kind == "sort":
            sort, reverse = step[1], step[2]
            table.sort_by(sort, reverse)
        elif kind == "predicate":
            pred = step[1]
            table.set_predicate(pred)
        else:
            model = {key: make_row(key, search, rank) for key, search, rank in step[1]}
            table.set_rows(model.values())
        check()


def ranked_table(rows: Iterable[Row]) -> FastTable:
    """A table of `rows` in rank order."""
    table = FastTable()
    table.set_columns(COLUMNS)
    table.sort_by("rank")
    table.set_rows(rows)
    return table


def test_cursor_stays_on_its_row_through_filter_and_clear() -> None:
    table = ranked_table(
        make_row(k, f"row {k} {'vpn' if k % 3 == 0 else 'mail'}", k) for k in range(90)
    )
    table.move_cursor_to_key(42)
    table.set_filter("vp")
    assert table.cursor_key == 42 and table.visible_keys()[table.cursor_row] == 42
    table.set_filter("vpn")
    assert table.cursor_key == 42
    table.set_filter("")
    assert table.cursor_key == 42 and table.cursor_row == 42
    table.set_filter("mail")  # row 42 is gone: the cursor goes to the top
    assert table.cursor_row == 0 and table.cursor_key == 1


def test_clear_shows_later_inserts_and_removals() -> None:
    table = ranked_table(make_row(k, f"t{k}", k) for k in range(10))
    table.set_filter("")
    table.upsert_row(make_row(100, "t100", 5))  # lands after rank 5 (key 5), before rank 6
    table.remove_row(3)
    assert table.visible_keys() == [0, 1, 2, 4, 5, 100, 6, 7, 8, 9]
    table.set_filter("t1")
    assert table.visible_keys() == [1, 100]
    table.upsert_row(make_row(1, "other", 1))  # no longer matches: leaves the result
    table.upsert_row(make_row(7, "t17", 7))  # now matches: joins it in order
    assert table.visible_keys() == [100, 7]


def test_a_replaced_row_is_searched_by_its_new_text() -> None:
    table = ranked_table(make_row(k, f"old {k}", k) for k in range(5))
    table.set_filter("old")
    table.set_filter("")
    table.upsert_row(make_row(2, "new 2", 2))  # same place, still shown: replaced in place
    table.set_filter("new")
    assert table.visible_keys() == [2]
    table.set_filter("old")
    assert table.visible_keys() == [0, 1, 3, 4]


class FilterScreen(FilterAsYouType):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows
        self.titles: list[str] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="title")
        yield Input(id="filter")
        yield FastTable()

    @property
    def table(self) -> FastTable:
        return self.query_one(FastTable)

    def on_mount(self) -> None:
        self.table.set_columns(COLUMNS)
        self.table.sort_by("rank")
        self.table.set_rows(self.rows)

    def _update_title(self) -> None:
        self.titles.append(f"{self.table.visible_count} of {self.table.total_count}")


class FilterApp(App[None]):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows

    def on_mount(self) -> None:
        self.push_screen(FilterScreen(self.rows))


async def test_typing_in_the_filter_box_filters_and_moves_the_scrollbar() -> None:
    rows = [make_row(k, f"ticket {k} {'vpn' if k % 100 == 0 else 'mail'}", k) for k in range(500)]
    app = FilterApp(rows)
    async with app.run_test(size=(60, 20)) as pilot:
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        table = screen.table
        screen.action_filter()
        await pilot.pause()
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 501
        await pilot.press("m", "a")
        await pilot.pause()
        assert table.visible_count == 495
        assert table.vertical_scrollbar.window_virtual_size == 496  # rows + header
        assert table.max_scroll_y == 496 - table.scrollable_content_region.height
        await pilot.press("ctrl+u", "v", "p", "n")
        await pilot.pause()
        assert table.visible_keys() == [0, 100, 200, 300, 400]
        assert screen.titles[-1] == "5 of 500"
        assert not table.show_vertical_scrollbar  # six lines fit: the scrollbar goes
        assert table.render_line(5).text.split() == ["400", "ticke"]
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert table.visible_count == 500 and screen.titles[-1] == "500 of 500"
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 501


async def test_each_filter_keystroke_paints_one_frame() -> None:
    """The box, the rows, the scrollbar and the title of a keystroke go out in one frame.

    They used to take three, each waiting for the next refresh tick: the box; the rows after
    a screen layout for the table's new height; the scrollbar that layout re-set.
    """
    rows = [make_row(k, f"ticket {k} {'vpn' if k % 7 == 0 else 'mail'}", k) for k in range(3000)]
    app = FilterApp(rows)
    frames: list[int] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        display = app._display

        def counting_display(*args: Any) -> None:
            if frames:
                frames[-1] += 1
            display(*args)

        app._display = counting_display  # type: ignore[method-assign,assignment]
        screen.action_filter()
        await pilot.pause()
        for key in ["v", "p", "n", "ctrl+u", "m", "ctrl+u"]:
            frames.append(0)
            await pilot.press(key)
            await pilot.pause()
            await asyncio.sleep(0.15)  # room for any later frame (settling, not a time limit)
        assert frames == [1] * 6
        assert screen.table.visible_count == 3000


def test_fold_spells_umlauts_out_and_lowers() -> None:
    assert fold("Bäckerei MÜLLER Straße") == "baeckerei mueller strasse"
    assert fold("Baeckerei") == "baeckerei"
    assert fold("Ba\u0308ckerei") == "baeckerei"  # a decomposed ä (NFD) as well
    assert fold("ẞ Öl") == "ss oel"
    assert fold("P1 in progress") == "p1 in progress"


def test_umlauts_and_their_spellings_find_the_same_rows() -> None:
    table = FastTable()
    table.set_columns(COLUMNS)
    names = ["Bäckerei Schulz", "Baeckerei Roth", "Fleischerei Groß", "Kanzlei Müller"]
    table.set_rows(make_row(i, fold(name), i) for i, name in enumerate(names))
    for typed in ("bäckerei", "baeckerei", "BÄCKEREI", "Baeckerei"):
        table.set_filter(typed)
        assert table.visible_keys() == [0, 1], typed
    for typed, key in (("gross", 2), ("groß", 2), ("mueller", 3), ("müll", 3)):
        table.set_filter(typed)
        assert table.visible_keys() == [key], typed


# the ticket lists' words: kind:, src:/source:, P1..P4 (issue 19.3) --------------------------


def ticket(key: int, kind: str, source: str, priority: str, title: str) -> StoreTicket:
    return {
        "id": key,
        "number": 100_000 + key,
        "version": 1,
        "title": title,
        "status": "new",
        "priority": priority,
        "customer_name": "Bäckerei Schulz",
        "kind": kind,
        "source": source,
        "received_at": "2026-12-07T08:00:00+00:00",
        "first_response_due": "2026-12-07T09:00:00+00:00",
        "resolution_due": "2026-12-07T12:00:00+00:00",
    }


TICKETS = [
    ticket(1, "monitoring", "monitoring", "P1", "disk almost full"),
    ticket(2, "incident", "email", "P2", "HP1020 offline"),  # `p1` in the title, not P1
    ticket(3, "incident", "phone", "P1", "VPN down"),
    ticket(4, "request", "vip_hotline", "P3", "new laptop"),
    ticket(5, "incident", "email", "P4", "mail quota"),
]


def ticket_table() -> FastTable:
    table = FastTable()
    table.terms_of = ticket_terms
    table.set_columns(COLUMNS)
    now = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    rows = [ticket_row(t, now) for t in TICKETS]
    table.set_rows(replace(r, sort_keys=(r.key, None)) for r in rows)
    table.sort_by("rank")
    return table


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("kind:alert", [1]),  # the display's word ("monitoring alert")
        ("kind:monitoring", [1]),  # the API's value
        ("kind:Incident", [2, 3, 5]),
        ("kind:service", [4]),  # "service request"
        ("src:mail", [2, 5]),  # "e-mail"
        ("source:phone", [3]),
        ("src:vip", [4]),
        ("src:hotline", [3, 4]),  # phone hotline or VIP hotline
        ("P1", [1, 3]),  # the priority, not "HP1020"
        ("p1", [1, 3]),
        ("hp1", [2]),  # free text is free text
        ("kind:incident P1", [3]),  # AND
        ("src:mail quota", [5]),  # with free text
        ("kind:", [1, 2, 3, 4, 5]),  # still being typed
        ("kind:xyz", []),
        ("10:00", []),  # a colon alone is free text
    ],
)
def test_ticket_words_filter_by_kind_source_and_priority(text: str, keys: list[int]) -> None:
    table = ticket_table()
    table.set_filter(text)
    assert table.visible_keys() == keys


def test_typing_a_word_letter_by_letter_narrows_right() -> None:
    table = ticket_table()
    for text, keys in [
        ("s", [1, 2, 3, 4, 5]),  # free text: every row holds an "s" (Schulz)
        ("src", []),
        ("src:", [1, 2, 3, 4, 5]),
        ("src:p", [3]),  # phone, portal
        ("src:ph", [3]),
        ("src:h", [3, 4]),  # hotline
        ("src:ho", [3, 4]),
        ("src:m", [1, 2, 5]),  # monitoring, e-mail
        ("src:ma", [2, 5]),
        ("", [1, 2, 3, 4, 5]),
    ]:
        table.set_filter(text)
        assert table.visible_keys() == keys, text


def test_a_word_naming_nothing_is_explained() -> None:
    assert filter_problem("kind:xyz vpn") == (
        "no kind 'xyz' (say: incident, service request, maintenance, pick & pack, monitoring alert)"
    )
    assert filter_problem("src:mail P1 kind:") is None
