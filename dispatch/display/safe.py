"""The one sanitising function: stored text never reaches a terminal as control sequences.

Ticket titles, descriptions, comments, names and server error details come from other
people (and, with mail intake, from strangers). An ESC in them could retitle the reader's
terminal, write their clipboard (OSC 52), plant links (OSC 8) or clear the screen. The
service refuses such characters on input; this is the second gate, for data written before
that check and for any server the console is pointed at.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and
# isolates that can make a line read differently from what it holds ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\t\n]+")


def clean(text: object) -> str:
    """`text` as a string without control characters; newlines and tabs stay."""
    value = text if isinstance(text, str) else ("" if text is None else str(text))
    return _UNSAFE.sub("", value)


def one_line(text: object) -> str:
    """`text` cleaned and folded onto one line (tabs and newlines become one space)."""
    return _BREAKS.sub(" ", clean(text))


def has_unsafe(text: str) -> bool:
    """Whether `text` holds a character `clean` would remove (the service's input check)."""
    return _UNSAFE.search(text) is not None
