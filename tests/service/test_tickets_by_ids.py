"""GET /tickets?ids=1,2,3: the changed tickets of a feed page in one slim request."""

from __future__ import annotations

import pytest
from service.world import World

from dispatch.server.http.routes.tickets import MAX_IDS


def test_ids_lists_exactly_those_tickets_in_one_page(world: World) -> None:
    made = [world.new_ticket(title=f"t{i}") for i in range(5)]
    wanted = [made[3]["id"], made[0]["id"], made[4]["id"]]
    r = world.get("dana", "/tickets", ids=",".join(map(str, wanted)), limit=1)
    assert r.status_code == 200, r.text
    page = r.json()
    # `limit` does not cut the list short: the ids are the page
    assert sorted(t["id"] for t in page["items"]) == sorted(wanted)
    assert page["next_cursor"] is None
    # slim: the list's shape, no history or comments
    assert all("history" not in t and "comments" not in t for t in page["items"])
    listed = {t["id"]: t for t in world.get("dana", "/tickets").json()["items"]}
    assert all(t == listed[t["id"]] for t in page["items"])


def test_ids_a_technician_may_not_see_are_left_out(world: World) -> None:
    mine = world.assigned_ticket("tina")
    theirs = world.assigned_ticket("otto")
    loose = world.new_ticket()
    ids = f"{mine['id']},{theirs['id']},{loose['id']}"
    items = world.get("tina", "/tickets", ids=ids).json()["items"]
    assert [t["id"] for t in items] == [mine["id"]]
    assert len(world.get("dana", "/tickets", ids=ids).json()["items"]) == 3


def test_ids_combine_with_the_other_filters(world: World) -> None:
    a = world.new_ticket(priority="P1")
    b = world.new_ticket(priority="P3")
    items = world.get("dana", "/tickets", ids=f"{a['id']},{b['id']}", priority="P1").json()
    assert [t["id"] for t in items["items"]] == [a["id"]]


@pytest.mark.parametrize(
    "ids",
    [
        "",
        "1,,2",
        "1, 2",
        "+1",
        "-1",
        "0",
        "1.5",
        "abc",
        "1_000",
        "\u0661",  # an Arabic-Indic one: int() would take it
        str(2**31),
        "9" * 30,
        ",".join(str(i) for i in range(1, MAX_IDS + 2)),
    ],
)
def test_bad_ids_are_refused_with_a_clear_422(world: World, ids: str) -> None:
    world.new_ticket()
    r = world.get("dana", "/tickets", ids=ids)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"].endswith("ids")


def test_the_most_ids_are_accepted_and_duplicates_count_once(world: World) -> None:
    t = world.new_ticket()
    many = ",".join([str(t["id"])] * 2 + [str(i) for i in range(10_000, 10_000 + MAX_IDS - 2)])
    r = world.get("dana", "/tickets", ids=many)
    assert r.status_code == 200, r.text
    assert [x["id"] for x in r.json()["items"]] == [t["id"]]
