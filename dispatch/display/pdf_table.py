"""A plain table drawn line by line onto an fpdf2 page: wrapped cells, a rule under each
row, the header again on every page.

fpdf2's own `table()` lays every cell out with `multi_cell` and its character-by-character
line breaker: 30 to 70 ms a row, seconds for a month of entries, and a report is made while
the service's write lock is held. Wrapping words by their widths and placing each line with
`text()`, measuring with the core font's own width table, does the same here in well
under a millisecond a row. Texts are given ready to print (sanitised and in the font's
encoding, `ENCODING`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fpdf import FPDF

ENCODING = "windows-1252"

PAD = 1.0  # mm inside a cell, left and right
LINE = 3.6  # mm per line of 8 pt text


def measure(pdf: FPDF) -> Callable[[str], float]:
    """The width (mm) of a text in the current font and size: summed from a core font's
    width table (fpdf2's `get_string_width` takes a tenth of a millisecond a call)."""
    table = getattr(pdf.current_font, "cw", None)
    if not isinstance(table, dict):
        return pdf.get_string_width
    widths: dict[str, int] = table
    scale = float(pdf.font_size) / 1000

    def width(text: str) -> float:
        raw = text.encode(ENCODING, "replace").decode("latin-1")
        return sum(widths.get(char, 500) for char in raw) * scale

    return width


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` (mm) in the current font; a word
    wider than a line is cut by characters. Explicit newlines are kept."""
    size_of = measure(pdf)
    space = size_of(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):
            size = size_of(word)
            if line and used + space + size <= width:
                line, used = f"{line} {word}", used + space + size
                continue
            if line:
                lines.append(line)
            while size > width and len(word) > 1:  # a word longer than the column
                cut = _fit(size_of, word, width)
                lines.append(word[:cut])
                word = word[cut:]
                size = size_of(word)
            line, used = word, size
        lines.append(line)
    return lines


def _fit(size_of: Callable[[str], float], word: str, width: float) -> int:
    """How many leading characters of `word` fit in `width` (at least one)."""
    used = 0.0
    for i, char in enumerate(word):
        used += size_of(char)
        if used > width:
            return max(1, i)
    return len(word)


def draw(
    pdf: FPDF, widths: Sequence[float], header: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    """The table at the current position, from the left margin; the page breaks between
    rows (a row taller than a page is cut at its bottom, which a note of at most 600
    characters never is)."""
    _header(pdf, widths, header)
    for cells in rows:
        wrapped = _wrapped(pdf, widths, cells)
        if pdf.get_y() + max(map(len, wrapped)) * LINE > pdf.page_break_trigger:
            pdf.add_page()
            _header(pdf, widths, header)
        _row(pdf, widths, wrapped)


def _wrapped(pdf: FPDF, widths: Sequence[float], cells: Sequence[str]) -> list[list[str]]:
    return [wrap(pdf, c, w - 2 * PAD) for c, w in zip(cells, widths, strict=True)]


def _header(pdf: FPDF, widths: Sequence[float], header: Sequence[str]) -> None:
    size = pdf.font_size_pt
    pdf.set_font(pdf.font_family, "B", size)
    _row(pdf, widths, _wrapped(pdf, widths, header))
    pdf.set_font(pdf.font_family, "", size)


def _row(pdf: FPDF, widths: Sequence[float], wrapped: list[list[str]]) -> None:
    """One row, emitted a visual line at a time across the cells, so a text extractor reads
    a row's first line as one line (date, ticket, technician, ...)."""
    top = pdf.get_y()
    lines = max(len(cell) for cell in wrapped)
    for index in range(lines):
        x = pdf.l_margin
        baseline = top + index * LINE + LINE * 0.75
        for cell, width in zip(wrapped, widths, strict=True):
            if index < len(cell) and cell[index]:
                pdf.text(x + PAD, baseline, cell[index])
            x += width
    bottom = top + lines * LINE + 0.6
    pdf.line(pdf.l_margin, bottom, pdf.l_margin + sum(widths), bottom)
    pdf.set_y(bottom + 0.6)
