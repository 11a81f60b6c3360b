"""A service report as a PDF (fpdf2): header, customer, period, every entry, totals, and the
contingent's movement for contingent customers.

Every text from the database passes `display.safe` before it is placed. The font is the PDF
core font Helvetica in the Windows-1252 encoding: German text (umlauts, ß, German quotes,
dashes, the euro sign) renders and is extracted again as written, the file embeds no font
and stays small; a character
outside that encoding (a Polish Ł, an emoji) is printed as "?" rather than refused, so a
stray character in a note never stops a month's report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from dispatch.display import pdf_table
from dispatch.display import report_words as w
from dispatch.display.pdf_table import ENCODING
from dispatch.display.safe import clean, one_line
from dispatch.domain.sla import BERLIN

_WIDTHS = (18, 52, 28, 34, 11, 14, 60, 60)  # mm; A4 landscape leaves 277 between margins
_MAX_NOTE = 600
"""The longest note printed per entry; the rest is in the console (a report stays readable)."""


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One approved time entry as the report shows it (texts as stored: cleaned here)."""

    entry_id: int
    started_at: datetime
    ticket_number: int
    ticket_title: str
    technician: str
    on_site: bool
    service_role: str
    raw_minutes: int
    billed_minutes: int
    billable: bool
    nonbillable_reason: str | None
    nonbillable_text: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Contingent:
    opening: int
    credited: int
    debited: int
    expired: int
    closing: int


@dataclass(frozen=True, slots=True)
class ReportContent:
    number: str
    language: str
    provider: str
    customer_number: str
    customer_name: str
    period_first: date
    period_last: date
    created_at: datetime
    lines: tuple[ReportLine, ...]
    contingent: Contingent | None = None
    ticket: str | None = None  # "100042 Printer ..." for a ticket's report

    @property
    def raw_minutes(self) -> int:
        return sum(line.raw_minutes for line in self.lines)

    @property
    def billed_minutes(self) -> int:
        return sum(line.billed_minutes for line in self.lines if line.billable)


def printable(text: object) -> str:
    """Stored text as the PDF can hold it: cleaned, and in the core font's encoding."""
    return clean(text).encode(ENCODING, "replace").decode(ENCODING)


def _line(text: object) -> str:
    return printable(one_line(text).strip())


class _Pdf(FPDF):
    def __init__(self, content: ReportContent) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.content = content
        self.core_fonts_encoding = ENCODING
        self.set_auto_page_break(True, margin=14)
        self.set_title(f"{w.word(content.language, 'title')} {content.number}")
        self.set_creator("dispatch")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("helvetica", size=7)
        lang = self.content.language
        self.cell(0, 4, f"{self.content.number} - {w.word(lang, 'page')} {self.page_no()}/{{nb}}")


def render(content: ReportContent) -> bytes:
    """The report's PDF."""
    pdf = _Pdf(content)
    pdf.add_page()
    _head(pdf, content)
    _entries(pdf, content)
    _totals(pdf, content)
    if content.contingent is not None:
        _contingent(pdf, content.language, content.contingent)
    return bytes(pdf.output())


def _pair(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(45, 5, printable(label))
    pdf.set_font("helvetica", size=9)
    pdf.cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _head(pdf: FPDF, c: ReportContent) -> None:
    lang = c.language
    pdf.set_font("helvetica", size=8)
    for row in clean(c.provider).splitlines()[:4]:
        pdf.cell(0, 4, _line(row), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(
        0, 9, printable(f"{w.word(lang, 'title')} {c.number}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    _pair(pdf, w.word(lang, "report"), c.number)
    _pair(pdf, w.word(lang, "customer"), f"{_line(c.customer_number)}  {_line(c.customer_name)}")
    period = f"{w.day(lang, c.period_first)} - {w.day(lang, c.period_last)}"
    _pair(pdf, w.word(lang, "period"), period)
    if c.ticket is not None:
        _pair(pdf, w.word(lang, "ticket"), _line(c.ticket))
    _pair(pdf, w.word(lang, "created"), w.day(lang, c.created_at.astimezone(BERLIN).date()))
    pdf.ln(3)


def _cells(lang: str, line: ReportLine) -> tuple[str, ...]:
    mode = w.word(lang, "on_site" if line.on_site else "remote")
    if line.billable:
        billing = w.word(lang, "billable")
    else:
        reason = w.reason(lang, line.nonbillable_reason, line.nonbillable_text)
        billing = f"{w.word(lang, 'not_billable')} ({reason})"
    note = clean(line.note).strip()
    if len(note) > _MAX_NOTE:
        note = note[: _MAX_NOTE - 3].rstrip() + "..."
    return (
        w.day(lang, line.started_at.astimezone(BERLIN).date()),
        f"{line.ticket_number} {one_line(line.ticket_title).strip()}",
        one_line(line.technician).strip(),
        f"{mode}, {w.role(lang, line.service_role)}",
        w.minutes(line.raw_minutes),
        w.minutes(line.billed_minutes),
        billing,
        note,
    )


def _entries(pdf: FPDF, c: ReportContent) -> None:
    lang = c.language
    if not c.lines:
        pdf.set_font("helvetica", "I", 9)
        pdf.cell(0, 6, printable(w.word(lang, "no_entries")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.set_font("helvetica", size=8)
    heads = ("date", "ticket", "technician", "work", "raw", "billed", "billing", "note")
    pdf_table.draw(
        pdf,
        _WIDTHS,
        [printable(w.word(lang, h)) for h in heads],
        [[printable(cell) for cell in _cells(lang, line)] for line in c.lines],
    )
    pdf.ln(2)


def _totals(pdf: FPDF, c: ReportContent) -> None:
    lang = c.language
    count = f"{len(c.lines)} {w.word(lang, 'entries')}"
    text = (
        f"{w.word(lang, 'totals')}: {w.word(lang, 'raw')} {w.minutes(c.raw_minutes)} "
        f"{w.word(lang, 'hours')}, {w.word(lang, 'billed')} {w.minutes(c.billed_minutes)} "
        f"{w.word(lang, 'hours')} ({count})"
    )
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 7, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _contingent(pdf: FPDF, lang: str, k: Contingent) -> None:
    pdf.ln(2)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 6, printable(w.word(lang, "contingent")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    hours = w.word(lang, "hours")
    for key, value in (
        ("opening", k.opening),
        ("credited", k.credited),
        ("debited", k.debited),
        ("expired", k.expired),
        ("closing", k.closing),
    ):
        _pair(pdf, w.word(lang, key), f"{w.minutes(value)} {hours}")
    if k.closing < 0:
        _pair(pdf, "", printable(w.word(lang, "overdrawn")))
    pdf.set_font("helvetica", "I", 8)
    pdf.cell(0, 5, printable(w.word(lang, "debits_note")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
