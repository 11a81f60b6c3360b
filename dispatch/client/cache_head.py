"""The cache's head index: what the first screen needs to pick its rows without reading
every ticket body (see `HeadIndex.head_tickets`)."""

from __future__ import annotations

import heapq
import sqlite3
from datetime import UTC, datetime
from typing import Any

from dispatch.domain.countdown import sla_clock, urgency
from dispatch.domain.types import OPEN_STATUSES

Json = dict[str, Any]

# What the first screen needs to pick its rows without reading every ticket body: the
# queue's urgency order (`dispatch.domain.countdown.sla_clock`) as plain columns. `rank` is a
# lower bound of a ticket's seconds left plus now, so the most urgent are found by walking an
# index (see `head_tickets`).
TICKET_HEAD = """
CREATE TABLE ticket_head (
    id INTEGER PRIMARY KEY,
    open INTEGER NOT NULL,
    escalated INTEGER NOT NULL,
    paused INTEGER NOT NULL,
    responded INTEGER NOT NULL,
    first_response_due REAL,
    resolution_due REAL,
    rank REAL NOT NULL,
    priority TEXT NOT NULL,
    number INTEGER NOT NULL,
    assignee_id INTEGER,
    status TEXT NOT NULL
);
CREATE INDEX ticket_head_rank ON ticket_head (open, escalated, rank);
CREATE INDEX ticket_head_assignee ON ticket_head (assignee_id);
CREATE INDEX ticket_head_breached
    ON ticket_head (open, escalated, paused, priority, resolution_due);
CREATE INDEX ticket_head_late
    ON ticket_head (open, escalated, paused, responded, priority, first_response_due);
"""
# `sla_clock`'s overdue states on an open head row, each in the queue's order within one
# priority (`countdown.urgency`): BREACH (resolution due passed), the oldest first, then LATE
# (first response due passed, not answered). Paused clocks are neither. Each reads only the
# rows it returns off its index; every other row's rank is at or after now (a paused
# clock's rank is its due time plus 31 years), so the rank walk starts there.
_BREACHED = """
SELECT id FROM ticket_head
WHERE open = 1 AND escalated = :escalated AND paused = 0 AND priority = :priority
  AND resolution_due < :now
ORDER BY resolution_due, number LIMIT :wanted
"""
_LATE = """
SELECT id FROM ticket_head
WHERE open = 1 AND escalated = :escalated AND paused = 0 AND responded = 0
  AND priority = :priority AND first_response_due < :now
  AND (resolution_due IS NULL OR resolution_due >= :now)
ORDER BY first_response_due, number LIMIT :wanted
"""
_FIRST_PRIORITY = """
SELECT min(priority) FROM ticket_head WHERE open = 1 AND escalated = :escalated AND paused = 0
"""
_NEXT_PRIORITY = _FIRST_PRIORITY.strip() + " AND priority > :priority"
NEVER = 1e18  # the rank of a clock without a due time
INSERT_HEAD = (
    "INSERT OR REPLACE INTO ticket_head (id, open, escalated, paused, responded, "
    "first_response_due, resolution_due, rank, priority, number, assignee_id, status) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class HeadIndex:
    """The most urgent tickets, or one technician's, read off the `ticket_head` index."""

    db: sqlite3.Connection

    def _bodies(self, ids: list[int]) -> list[Json]:
        raise NotImplementedError  # the cache reads the bodies of the rows chosen here

    def head_tickets(
        self, limit: int, now: datetime, *, assignee_id: int | None = None
    ) -> list[Json]:
        """The `limit` most urgent open tickets (the queue's first screen), or all of one
        technician's tickets but closed ones (their "my work"), without reading the rest.

        Urgency is the queue's order: escalated first, then seconds left on the SLA clock
        (`sla_clock`), priority, number. `rank` never exceeds now + seconds left, so walking
        the rank index may stop once a rank is later than the `limit`-th best found so far.
        """
        if assignee_id is not None:
            ids = [
                row[0]
                for row in self.db.execute(
                    "SELECT id FROM ticket_head WHERE assignee_id = ? AND status != 'closed'",
                    (assignee_id,),
                )
            ]
            return self._bodies(ids)
        stamp = now.timestamp()
        chosen: list[int] = []
        for escalated in (1, 0):
            wanted = limit - len(chosen)
            if wanted <= 0:
                break
            chosen += self._overdue_head(escalated, stamp, wanted)
            wanted = limit - len(chosen)
            if wanted <= 0:
                break
            found: list[tuple[tuple[Any, ...], int]] = []
            worst: list[float] = []  # the `wanted` smallest seconds left, negated (a max-heap)
            rows = self.db.execute(
                "SELECT id, status, paused, responded, first_response_due, resolution_due, "
                "rank, priority, number FROM ticket_head WHERE open = 1 AND escalated = ? "
                "AND rank >= ? ORDER BY rank",
                (escalated, stamp),
            )
            for ticket_id, status, paused, responded, frd, res, rank, priority, number in rows:
                if len(worst) == wanted and rank - stamp > -worst[0]:
                    break
                clock = sla_clock(
                    now,
                    status=status,
                    first_response_due=_when(frd),
                    resolution_due=_when(res),
                    responded_at=now if responded else None,
                    paused=bool(paused),
                )
                left = clock.seconds_left
                found.append(((*urgency(clock, priority), number), ticket_id))
                if len(worst) < wanted:
                    heapq.heappush(worst, -left)
                elif left < -worst[0]:
                    heapq.heapreplace(worst, -left)
            chosen += [ticket_id for _, ticket_id in sorted(found)[:wanted]]
        return self._bodies(chosen)

    def _overdue_head(self, escalated: int, stamp: float, wanted: int) -> list[int]:
        """The first `wanted` overdue tickets in the queue's order: by priority, breached
        before late, the longest overdue first (a walk over every overdue ticket instead delayed
        the first frame when many were overdue). The epoch REALs keep the
        microseconds, so these comparisons are the clock's own."""
        chosen: list[int] = []
        args: dict[str, Any] = {"escalated": escalated, "now": stamp}
        priority = self.db.execute(_FIRST_PRIORITY, args).fetchone()[0]
        while priority is not None and len(chosen) < wanted:
            args.update(priority=priority)
            for query in (_BREACHED, _LATE):
                args["wanted"] = wanted - len(chosen)
                chosen += [row[0] for row in self.db.execute(query, args)]
            priority = self.db.execute(_NEXT_PRIORITY, args).fetchone()[0]
        return chosen


def _epoch(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def _when(stamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(stamp, UTC) if stamp is not None else None


def head_row(t: Json) -> tuple[Any, ...]:
    """A ticket's `ticket_head` row; its rank is a lower bound of now + seconds left."""
    frd, res = _epoch(t.get("first_response_due")), _epoch(t.get("resolution_due"))
    paused = t.get("sla_paused_at") is not None
    responded = t.get("responded_at") is not None
    if paused:
        due = res if res is not None else frd
        rank = due + 1e9 if due is not None else NEVER
    elif responded:
        rank = res if res is not None else NEVER
    else:  # first response due, or the resolution due if that is earlier and passes first
        rank = min((d for d in (frd, res) if d is not None), default=NEVER)
    return (
        t["id"],
        t.get("status") in OPEN_STATUSES,
        bool(t.get("escalated")),
        paused,
        responded,
        frd,
        res,
        rank,
        t.get("priority") or "",
        t.get("number") or 0,
        t.get("assignee_id"),
        t.get("status") or "",
    )
