"""What one PATCH asks the database: each row it needs, once."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from service.world import World
from sqlalchemy import event


def test_a_patch_reads_the_customer_site_and_branch_once(world: World) -> None:
    t = world.new_ticket()
    reads: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            for table in re.findall(r"\bFROM (\w+)|\bJOIN (\w+)", statement):
                reads[next(name for name in table if name)] += 1

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        r = world.patch("dana", t, priority="P1")
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text
    assert r.json()["customer_name"] and r.json()["site_name"]
    assert (reads["customer"], reads["site"], reads["branch"]) == (1, 1, 1), reads
