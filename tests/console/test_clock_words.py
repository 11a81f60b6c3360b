"""The SLA clock's words in the language shown: the domain says "BREACH", "paused", "done";
the queue, my work and the ticket view read them in German, in a column that fits them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from console.german import in_german
from console.test_ticket_rows import NOW, ticket
from rich.cells import cell_len

from dispatch.client.shapes import StoreTicket
from dispatch.domain.countdown import clock_of
from dispatch.screens.ticket_text import sla_text
from dispatch.widgets.fast_table import column_widths
from dispatch.widgets.rows import QUEUE_COLUMNS, fit_language, ticket_row

BREACHED = ticket(1, "P1", resolution_due=-2)
PAUSED = ticket(2, "P2", sla_paused_at=(NOW - timedelta(hours=1)).isoformat())
DONE = ticket(3, "P3", status="resolved")


def clock_cell(t: dict[str, Any]) -> str:
    return ticket_row(cast("StoreTicket", t), NOW).cells[1]


def test_the_queue_reads_a_stopped_clock_in_german() -> None:
    with in_german():
        assert [clock_cell(t) for t in (BREACHED, PAUSED, DONE)] == [
            "VERLETZT",
            "pausiert",
            "erledigt",
        ]
    assert [clock_cell(t) for t in (BREACHED, PAUSED, DONE)] == ["BREACH", "paused", "done"]


def test_the_ticket_view_reads_it_in_german_too() -> None:
    with in_german():
        for t, word, english in ((BREACHED, "VERLETZT", "BREACH"), (DONE, "erledigt", "done")):
            text = sla_text(cast(Any, t), clock_of(t, NOW))
            assert text.startswith(word) and english not in text, text


def test_the_sla_column_shrinks_no_narrower_than_its_words() -> None:
    """Measured in the language shown: English keeps its 7 cells, German needs 8."""
    assert next(c for c in fit_language(QUEUE_COLUMNS) if c.key == "sla").shrink_to == 7
    with in_german():
        columns = fit_language(QUEUE_COLUMNS)
        sla = next(c for c in columns if c.key == "sla")
        assert sla.shrink_to == max(cell_len(w) for w in ("VERLETZT", "pausiert", "erledigt"))
        widths = dict(zip([c.key for c in columns], column_widths(columns, 80), strict=True))
        assert widths["sla"] >= cell_len("VERLETZT"), widths
