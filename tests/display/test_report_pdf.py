"""The report's PDF read back with pypdf: German text round-trips, controls never reach it,
a character the core font cannot hold becomes "?", and a long month runs over pages."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from dispatch.display.report_pdf import Contingent, ReportContent, ReportLine, printable, render


def _line(i: int, **changes: object) -> ReportLine:
    values: dict[str, object] = {
        "entry_id": i,
        "started_at": datetime(2026, 11, 3, 8, tzinfo=UTC),
        "ticket_number": 100_000 + i,
        "ticket_title": "Drucker",
        "technician": "Tina Müller",
        "on_site": True,
        "service_role": "it_technician",
        "raw_minutes": 35,
        "billed_minutes": 120,
        "billable": True,
        "nonbillable_reason": None,
        "nonbillable_text": None,
        "note": "",
    }
    values.update(changes)
    return ReportLine(**values)  # type: ignore[arg-type]


def _content(lines: tuple[ReportLine, ...], **changes: object) -> ReportContent:
    values: dict[str, object] = {
        "number": "SR-2026-00042",
        "language": "de",
        "provider": "netgo Mitte GmbH\nWarendorf",
        "customer_number": "K-1",
        "customer_name": "Müller GmbH",
        "period_first": date(2026, 11, 1),
        "period_last": date(2026, 11, 30),
        "created_at": datetime(2026, 12, 1, 9, tzinfo=UTC),
        "lines": lines,
    }
    values.update(changes)
    return ReportContent(**values)  # type: ignore[arg-type]


def _text(data: bytes) -> tuple[int, str]:
    pages = PdfReader(io.BytesIO(data)).pages
    return len(pages), "\n".join(page.extract_text() for page in pages)


def test_german_text_round_trips() -> None:
    note = "Größe geändert \u2013 „Straße“ für 5 €"  # an en dash, German quotes, the euro
    lines = (_line(1, note=note),)
    _pages, text = _text(render(_content(lines)))
    assert "Kunde K-1  Müller GmbH" in text
    assert note in text
    assert "netgo Mitte GmbH" in text and "Warendorf" in text
    assert "Tina Müller" in text


def test_what_the_font_cannot_hold_becomes_a_question_mark() -> None:
    assert printable("Łukasz 🙂 Müller\x1b[31m") == "?ukasz ? Müller[31m"
    _pages, text = _text(render(_content((_line(1, technician="Łukasz Nowak"),))))
    assert "?ukasz Nowak" in text


def test_a_long_month_runs_over_pages_with_every_entry() -> None:
    lines = tuple(_line(i, note="Patches eingespielt. " * 20) for i in range(60))
    pages, text = _text(render(_content(lines, contingent=Contingent(0, 600, 7200, 0, -6600))))
    assert pages > 2
    assert all(str(100_000 + i) in text for i in range(60))
    assert "Summe: Zeit 35:00 Std., Berechnet 120:00 Std. (60 Einträge)" in text
    assert "Stand am Ende -110:00 Std." in text
    assert "überzogen: eine Korrekturabrechnung folgt" in text
    assert f"SR-2026-00042 - Seite {pages}/{pages}" in text


def test_an_empty_period_says_so() -> None:
    _pages, text = _text(render(_content((), language="en")))
    assert "No approved work was logged in this period." in text
    assert "Total: Time 0:00 h, Billed 0:00 h (0 entries)" in text


def test_cells_wrap_within_their_column() -> None:
    from fpdf import FPDF

    from dispatch.display.pdf_table import measure, wrap

    pdf = FPDF()
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    pdf.set_font("helvetica", size=8)
    text = "Größe geändert " * 6 + "x" * 80 + "\nzweite Zeile"
    lines = wrap(pdf, text, 30)
    assert len(lines) > 4 and lines[-1] == "zweite Zeile"
    assert all(measure(pdf)(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert abs(measure(pdf)("Müller \u2013 €") - pdf.get_string_width("Müller \u2013 €")) < 1e-9
