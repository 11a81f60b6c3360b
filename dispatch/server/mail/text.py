"""Mail text made fit to store: decoded whatever the charset claims, HTML made readable,
control characters removed, lengths kept to the service's limits."""

from __future__ import annotations

import codecs
import contextlib
import re

from dispatch.display.safe import clean, one_line

FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
"""Tried in this order when a part's charset is missing, unknown or wrong; latin-1 decodes
every byte, so decoding never fails."""
TRUNCATED = "\n\n[... {n} more characters in the mail, cut here]"

_BLANK_RUNS = re.compile(r"\n{4,}")
_TRAILING = re.compile(r"[ \t]+\n")


def decode(data: bytes, charset: str | None) -> str:
    """`data` as text: the declared charset if it is known and fits, else the fallbacks."""
    tried: list[str] = []
    if charset:
        with contextlib.suppress(LookupError, ValueError):
            name = codecs.lookup(charset.strip().strip('"')).name
            # Mail labelled Latin-1 is nearly always Windows-1252 (as browsers assume):
            # read as Latin-1, its quotes, dashes and euro signs would be control codes.
            tried.append("cp1252" if name in ("iso8859-1", "latin-1") else name)
    for name in (*tried, *FALLBACK_CHARSETS):
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")  # unreachable: latin-1 above decodes every byte


def html_to_text(html: str) -> str:
    """Readable text of an HTML mail (inscriptis: tables, lists and line breaks kept,
    scripts and styles dropped); the markup itself if the converter gives up."""
    from inscriptis import get_text

    try:
        return str(get_text(html))
    except Exception:  # a converter bug must not stop the intake: keep the tags then
        return html


def storable(text: str) -> str:
    """`text` as valid Unicode: header bytes the parser could not decode (kept as lone
    surrogates) decoded with the fallbacks; any other lone surrogate replaced."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return decode(text.encode("utf-8", "surrogateescape"), None)
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def tidy(text: str) -> str:
    """Line endings made \n, control characters removed, runs of blank lines shortened."""
    text = storable(text).replace("\r\n", "\n").replace("\r", "\n")
    text = clean(text).replace("\ufeff", "")
    text = _TRAILING.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n\n", text).strip()


def fit(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with a marker saying how much was cut."""
    if len(text) <= limit:
        return text
    # The marker's own length depends on the number it names; reserve enough for any.
    room = limit - len(TRUNCATED.format(n=10**9))
    return text[:room] + TRUNCATED.format(n=len(text) - room)


def line(text: str, limit: int) -> str:
    """One line (header injection's CR/LF folded away), cut to `limit` with an ellipsis."""
    value = " ".join(one_line(storable(text)).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
