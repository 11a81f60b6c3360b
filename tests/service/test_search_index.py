"""The `q` filter through the search index, and the list page built straight from columns.

On SQLite `q` may be answered from the FTS5 trigram index (migration 0004) when it has few
matches; on both databases the answer must be the plain case-insensitive substring filter.
Each test runs with the index path forced (every q with a word of 3+ characters is read by
id from the index) and with it off (the ordered LIKE walk), and both must agree.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from service.world import Json, World
from sqlalchemy import event, text
from sqlmodel import Session, select

from dispatch.models.user import ApiToken
from dispatch.server.http.deps import CALLERS
from dispatch.server.persistence import search
from dispatch.server.persistence.db import FifoLock


def _ids(world: World, **params: Any) -> list[int]:
    r = world.get("dana", "/tickets", **params)
    assert r.status_code == 200, r.text
    return [t["id"] for t in r.json()["items"]]


@pytest.fixture(params=["index", "scan"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, world: World) -> str:
    """`index`: any match count counts as few (SQLite), every trigram as rare (PostgreSQL: the
    index is asked for each word's rarest trigrams); `scan`: none does."""
    index = request.param == "index"
    monkeypatch.setattr(search, "FEW", 10**9 if index else 0)
    monkeypatch.setattr(search, "RARE_SHARE", 2.0 if index else 0.0)
    monkeypatch.setattr(search, "_common", {})
    search.refresh_trigram_counts(world.engine)
    return str(request.param)


def test_the_search_index_exists_on_sqlite(world: World) -> None:
    with world.engine.connect() as conn:
        if world.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL searches through its pg_trgm index")
        found = conn.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'ticket_fts'")
        ).scalar_one()
    assert found == 1


def test_a_word_inside_a_word_and_a_ticket_number_are_found(world: World, path: str) -> None:
    a = world.new_ticket(title="Exchange mailbox quota", tags=["exchange"])
    b = world.new_ticket(title="Switch port dead", description="Kabel im Serverraum")
    assert _ids(world, q="xchang") == [a["id"]]  # in the middle of a word
    assert _ids(world, q="ERRAUM") == [b["id"]]  # case does not matter
    assert _ids(world, q=str(b["number"])) == [b["id"]]
    # part of a number: every ticket whose number holds those digits (which others share
    # them depends on how many tickets the database made before these two)
    part = str(b["number"])[1:4]
    every = world.get("dana", "/tickets", limit=500).json()["items"]
    holding = sorted(t["id"] for t in every if part in str(t["number"]))
    assert b["id"] in holding
    assert sorted(_ids(world, q=part)) == holding
    assert _ids(world, q="quota xchange") == [a["id"]]  # every word, in any order
    assert _ids(world, q="quota switch") == []


def test_short_words_and_quotes_still_filter(world: World, path: str) -> None:
    a = world.new_ticket(title='Error "0x80" on boot', description="ab")
    b = world.new_ticket(title="Printer jam")
    assert _ids(world, q='"0x80"') == [a["id"]]  # quotes are text, not index syntax
    assert _ids(world, q='0x80" boot') == [a["id"]]
    assert _ids(world, q="ab") == [a["id"]]  # too short for a trigram: filtered by LIKE
    assert _ids(world, q="ab jam") == []
    assert _ids(world, q="jam") == [b["id"]]


def test_the_index_follows_every_change(world: World, path: str) -> None:
    a = world.new_ticket(title="Mail server full")
    assert _ids(world, q="mail") == [a["id"]]
    a = world.patch("dana", a, title="Calendar sync broken").json()
    assert _ids(world, q="mail") == []
    assert _ids(world, q="calendar") == [a["id"]]
    a = world.patch("dana", a, tags=["outlook"]).json()
    assert _ids(world, q="outlook calendar") == [a["id"]]
    a = world.patch("dana", a, priority="P1").json()  # search text unchanged
    assert _ids(world, q="calendar") == [a["id"]]
    b = world.new_ticket(title="Calendar invites lost")
    assert _ids(world, q="calendar") == [b["id"], a["id"]]  # newest first
    with world.engine.begin() as conn:  # gone from the table, gone from the index
        conn.execute(text("DELETE FROM ticket WHERE id = :id"), {"id": b["id"]})
    assert _ids(world, q="calendar") == [a["id"]]


def test_index_and_scan_give_the_same_pages(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    made = [
        world.new_ticket(title=f"VPN tunnel {i} down", description="Filiale Warendorf")
        for i in range(7)
    ]
    world.new_ticket(title="Printer offline", description="Filiale Münster")
    pages: dict[int, list[list[int]]] = {}
    for few in (0, 10**9):
        monkeypatch.setattr(search, "FEW", few)
        got, cursor = [], None
        while True:
            params: dict[str, Any] = {"q": "vpn warendorf", "limit": 3, "sort": "number"}
            if cursor:
                params["cursor"] = cursor
            page: Json = world.get("dana", "/tickets", **params).json()
            got.append([t["id"] for t in page["items"]])
            cursor = page["next_cursor"]
            if not cursor:
                break
        pages[few] = got
    assert pages[0] == pages[10**9]
    assert [i for page in pages[0] for i in page] == [t["id"] for t in made]


def test_a_list_item_is_the_ticket_as_the_single_view_shows_it(world: World) -> None:
    a = world.new_ticket(title="Mäil server full", tags=["exchange", "mail"], priority="P2")
    b = world.assigned_ticket("tina", title="Switch port dead")
    world.escalate(b)
    items = {t["id"]: t for t in world.get("dana", "/tickets").json()["items"]}
    for ticket in (a, b):
        single = world.ticket(ticket["id"])
        assert items[ticket["id"]] == {k: single[k] for k in items[ticket["id"]]}
        assert set(single) - set(items[ticket["id"]]) == {
            "history",
            "comments",
            "escalations",
            "appointments",
            "actor_names",
            # whom to call and where to go: the detail's, not the list's
            "contact_name",
            "contact_phone",
            "contact_email",
            "site_address",
            "site_city",
            "branch_name",
        }
    assert items[b["id"]]["assignee_name"] is not None
    assert items[a["id"]]["site_name"] is not None


def test_a_token_revoked_outside_the_api_is_refused_at_once(world: World) -> None:
    """The remembered caller is forgotten when this process changes tokens in any session."""
    assert world.get("dana", "/me").status_code == 200  # remembered now
    with Session(world.engine) as s:
        for token in s.exec(select(ApiToken)).all():
            token.revoked_at = token.created_at
            s.add(token)
        s.commit()
    assert world.get("dana", "/me").status_code == 401


def test_the_remembered_caller_is_forgotten_on_every_account_change(world: World) -> None:
    assert world.get("dana", "/me").status_code == 200
    generation = CALLERS.generation
    world.post("adam", "/users", {"name": "fritz", "display_name": "F", "role": "dispatcher"})
    assert CALLERS.generation > generation


def test_the_writers_lock_serves_in_order_of_arrival() -> None:
    lock = FifoLock()
    lock.acquire()
    order: list[int] = []
    threads = []
    for i in range(8):

        def take(i: int = i) -> None:
            lock.acquire()
            order.append(i)
            lock.release()

        thread = threading.Thread(target=take)
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 5
        while len(lock._waiters) < i + 1 and time.monotonic() < deadline:  # queued, in turn
            time.sleep(0.001)
    lock.release()
    for thread in threads:
        thread.join(5)
    assert order == list(range(8))
    assert not lock.locked()
    assert lock.acquire(timeout=0.01)
    assert not FifoLock().locked()
    waiter = threading.Thread(target=lambda: order.append(lock.acquire(timeout=0.05)))
    waiter.start()
    waiter.join(5)
    assert order[-1] is False  # gave up after its timeout, and left the queue
    assert not lock._waiters
    lock.release()
    assert not lock.locked()


def test_a_common_term_is_walked_without_asking_the_index_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the path is remembered: a ticket made after the term was found common is found."""
    if world.engine.dialect.name != "sqlite":
        pytest.skip("the trigram index is SQLite's; PostgreSQL has no such choice to make")
    monkeypatch.setattr(search, "FEW", 2)
    monkeypatch.setattr(search, "_common", {})
    made = [world.new_ticket(title=f"Drucker {i} druckt nicht") for i in range(3)]
    fts_reads: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "MATCH" in statement:
            fts_reads.append(statement)

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        assert set(_ids(world, q="drucker")) == {t["id"] for t in made}
        assert len(fts_reads) == 1  # asked once, found common
        later = world.new_ticket(title="Noch ein Drucker")
        assert _ids(world, q="drucker")[0] == later["id"]
        assert len(fts_reads) == 1  # walked, not asked again
        monkeypatch.setattr(search, "COMMON_SECONDS", 0.0)
        search._common.clear()
        _ids(world, q="drucker")
        assert len(fts_reads) == 2
    finally:
        event.remove(world.engine, "before_cursor_execute", count)


def test_trigrams_of_a_word_spread_over_a_ticket_do_not_find_it(world: World, path: str) -> None:
    """The index is asked for a word's rarest trigrams only; holding those is not enough."""
    apart = world.new_ticket(title="qzxa and zxyw")  # qzx, zxa, zxy, xyw: every trigram of
    whole = world.new_ticket(title="qzxyw")  # "qzxyw", but only here in one piece
    assert _ids(world, q="qzxyw") == [whole["id"]]
    assert set(_ids(world, q="zxy")) == {apart["id"], whole["id"]}
    assert _ids(world, q="qzxyw zxa") == []


def test_the_index_is_asked_for_the_rarest_trigrams_of_each_word(world: World) -> None:
    if world.engine.dialect.name != "sqlite":
        pytest.skip("the trigram index is SQLite's")
    for title in ("fire wall", "Fire walls", "Warendorf", "Warendorf Ende", "Gartenende"):
        world.new_ticket(title=title)
    world.new_ticket(title="Firewall in Warendorf")
    search.refresh_trigram_counts(world.engine)
    counts = search._trigram_counts[world.engine.url]
    words = ["firewall", "warendorf"]
    terms = search._rare_trigrams(words, counts).split(" AND ")
    assert len(terms) == 2 * search.TRIGRAMS_PER_WORD
    for word in words:
        grams = {f'"{word[i : i + 3]}"': counts[word[i : i + 3]] for i in range(len(word) - 2)}
        chosen = [grams[t] for t in terms if t in grams]
        others = [n for t, n in grams.items() if t not in terms]
        assert len(chosen) >= search.TRIGRAMS_PER_WORD
        assert max(chosen) <= min(others), (word, terms, grams)
    assert '"end"' not in terms and '"wal"' not in terms
    found = world.get("dana", "/tickets", q="firewall warendorf").json()["items"]
    assert [t["title"] for t in found] == ["Firewall in Warendorf"]


def test_tickets_made_after_the_counts_were_read_are_found(world: World, path: str) -> None:
    """Counts only steer which trigrams are asked for: a new trigram counts 0, still found."""
    if world.engine.dialect.name != "sqlite":
        pytest.skip("the trigram index is SQLite's")
    world.new_ticket(title="Kühlschrank leer")
    search.refresh_trigram_counts(world.engine)
    later = world.new_ticket(title="Quokkazähler defekt")  # trigrams the counts never saw
    also = world.new_ticket(title="Kühlschrank quokkazähler")
    assert set(_ids(world, q="quokkazähler")) == {later["id"], also["id"]}
    assert _ids(world, q="kühlschrank quokka") == [also["id"]]


def test_the_service_reads_the_trigram_counts_when_it_starts(world: World) -> None:
    if world.engine.dialect.name != "sqlite":
        pytest.skip("the trigram index is SQLite's")
    assert world.engine.url in search._trigram_counts


def test_postgres_asks_its_index_for_the_rarest_trigrams_only_when_one_is_rare(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if world.engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    monkeypatch.setattr(search, "RARE_SHARE", 0.1)  # 1 of 31 tickets is rare, 31 of 31 not
    for i in range(30):
        world.new_ticket(title=f"Firewall Wartung {i}")
    hit = world.new_ticket(title="Firewall in Warendorf", description="it's \\\\fs01\\\\ down")
    search.refresh_trigram_counts(world.engine)
    counts = search._trigram_counts[world.engine.url]
    assert counts[search._SAMPLED] >= 31 and counts["fir"] >= 31 and counts["orf"] == 1
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "LIKE" in statement:
            seen.append(statement.replace("%%", "%"))  # psycopg's escaped percent signs

    event.listen(world.engine, "before_cursor_execute", note)
    try:
        assert _ids(world, q="firewall warendorf") == [hit["id"]]  # "orf": rare
        rare = seen.pop()
        assert _ids(world, q="it's \\\\fs01 firewall") == [hit["id"]]  # "fs0": rare
        quoted = seen.pop()
        assert len(_ids(world, q="firewall")) == 31  # every trigram common: as it was
        common = seen.pop()
    finally:
        event.remove(world.engine, "before_cursor_execute", note)
    asked = {
        g for g in search._grams("firewall") | search._grams("warendorf") if f"'%{g}%'" in rare
    }
    assert asked == {"all", "ewa", "are", "dor"}  # each word's two rarest (ties by name)
    assert "(ticket.search || '') LIKE '%firewall%'" in rare
    assert "(ticket.search || '') LIKE '%it''s%'" in quoted
    assert "(ticket.search || '')" not in common and "ticket.search LIKE '%firewall%'" in common
