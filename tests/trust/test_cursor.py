"""A list cursor is opaque: one the service did not hand out is 422, never a 500.

`["-received_at", "2026-01-01T00:00:00Z", true]` got through (JSON true is a Python int)
and the database choked on it, on every sort order and both databases.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service.world import PROBLEM, MakeWorld, World

from dispatch.server.http.routes.tickets import Sort

SORTS = [s.value for s in Sort]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(parts: Any) -> str:
    return _b64(json.dumps(parts).encode())


def _walk(w: World, sort: str) -> list[int]:
    """Every ticket id, a page of 2 at a time along the cursors the service gives."""
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = w.get("dana", "/tickets", **params)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01", "P1", "P4", "", "1", "1e400"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
CURSORS = (
    st.tuples(st.sampled_from(SORTS), JSON_VALUES, JSON_VALUES).map(lambda t: _cursor(list(t)))
    | st.lists(JSON_VALUES, max_size=4).map(_cursor)
    | JSON_VALUES.map(_cursor)
    | st.binary(max_size=60).map(_b64)
    | st.text(max_size=60)
)


def test_tampered_cursors_are_422_on_every_sort(
    make_trust_world: MakeWorld, figure: Callable[[str], None]
) -> None:
    w = make_trust_world(rate_limit_per_minute=0)  # many requests on purpose
    made = [w.new_ticket(title=f"t{i}") for i in range(5)]
    # The cursors the service gives out still walk the whole list, in every order.
    for sort in SORTS:
        assert sorted(_walk(w, sort)) == sorted(t["id"] for t in made), sort
    # The example, and its siblings, on every sort order.
    # Each is wrong for every sort order (the first is the issue's).
    bad: list[list[Any]] = [
        ["-received_at", "2026-01-01T00:00:00Z", True],
        ["-received_at", "2026-01-01T00:00:00Z", 1.0],
        ["-received_at", "2026-01-01T00:00:00Z", 0],
        ["-received_at", "2026-01-01T00:00:00Z", 2**31],
        ["-received_at", True, 1],
        ["-received_at", 1.5, 1],
        ["-received_at", None, 1],
        ["-received_at", ["P1"], 1],
        ["-received_at", {"P1": 1}, 1],
        ["-received_at", "P9", 1],
        ["-received_at", "2026-01-01T00:00:00", 1],  # no offset
        ["-received_at", "P1", 1, "extra"],
    ]
    answers = []
    for sort in SORTS:
        for parts in bad:
            tampered = [sort, *parts[1:]]
            r = w.get("dana", "/tickets", sort=sort, cursor=_cursor(tampered))
            answers.append(r.status_code)
            assert r.status_code == 422, (tampered, r.text)
            assert r.headers["content-type"] == PROBLEM
            assert r.json()["errors"][0]["field"] == "query.cursor"
    # A good cursor of another sort order is not one for this.
    first = w.get("dana", "/tickets", sort="number", limit=1).json()["next_cursor"]
    assert w.get("dana", "/tickets", sort="-number", cursor=first).status_code == 422
    statuses: dict[int, int] = {}

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(sort=st.sampled_from(SORTS), cursor=CURSORS)
    def fuzz(sort: str, cursor: str) -> None:
        r = w.get("dana", "/tickets", sort=sort, cursor=cursor)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code in (200, 422), (sort, cursor, r.text)

    fuzz()
    figure(
        f"cursors [{w.engine.dialect.name}]: {len(answers)} tampered cursors over "
        f"{len(SORTS)} sort orders -> all 422; {sum(statuses.values())} fuzzed -> {statuses}"
    )
