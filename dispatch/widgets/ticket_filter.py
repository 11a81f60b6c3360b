"""The ticket lists' filter words: `kind:alert`, `src:mail` (or `source:phone`) and `P1`..`P4`.

A ticket row's search text ends in three markers, one per field, made of a control character
no typed text holds and a one-letter code of the value (`marks`). The words above become
those markers, or alternatives of them when a word names several values (`src:hotline`: the
phone hotline or the VIP hotline); other words stay free text. So the table's filter still
runs C-level substring scans, and free text can never match a kind by accident (`p1` in
"HP1020" is not priority P1).

A kind or source word is read the way the display layer names the values: the enum value
(`monitoring`, `vip_hotline`), the label ("monitoring alert", "VIP hotline") or the start of
one of their words (`alert`, `vip`, `mail` for "e-mail").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dispatch.display.labels import KIND, SOURCE
from dispatch.display.safe import one_line
from dispatch.domain.types import Priority, Source, TicketKind
from dispatch.i18n import N_, _
from dispatch.widgets.fast_table import Term, fold

KIND_MARK = "\x1a"
SOURCE_MARK = "\x1b"
PRIORITY_MARK = "\x1c"
NOTHING = ("\x1e",)  # a term no search text holds: a word that names no value
_UNKNOWN = "?"  # the code of a value this console does not know (a newer service's)


def _codes(values: list[str]) -> dict[str, str]:
    return {value: chr(ord("a") + index) for index, value in enumerate(values)}


KIND_CODES = _codes([k.value for k in TicketKind])
SOURCE_CODES = _codes([s.value for s in Source])
PRIORITIES = frozenset(fold(p.value) for p in Priority)
FIELDS: Mapping[str, tuple[str, Mapping[str, str], Mapping[str, str]]] = {
    "kind": (KIND_MARK, KIND_CODES, KIND),
    "src": (SOURCE_MARK, SOURCE_CODES, SOURCE),
    "source": (SOURCE_MARK, SOURCE_CODES, SOURCE),
}
FIELD_NOUN = {"kind": N_("kind"), "src": N_("source"), "source": N_("source")}


def marks(kind: str | None, source: str | None, priority: str) -> str:
    """What a ticket row's search text ends in, so the words above can find it."""
    return (
        KIND_MARK
        + KIND_CODES.get(kind or "", _UNKNOWN)
        + SOURCE_MARK
        + SOURCE_CODES.get(source or "", _UNKNOWN)
        + PRIORITY_MARK
        + (priority[-1:] if fold(priority) in PRIORITIES else _UNKNOWN)
    )


def _words(value: str, label: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", fold(f"{value} {label}")) if w]


def values_named(word: str, labels: Mapping[str, str]) -> list[str]:
    """The values (of `labels`) that a folded `word` names, in the order of `labels`."""
    named = []
    for value, label in labels.items():
        if word in (fold(value), fold(label)) or any(
            w.startswith(word) for w in _words(value, label)
        ):
            named.append(value)
    return named


def _field_word(word: str) -> tuple[str, str] | None:
    """(field, value) of a `field:value` word with a field of `FIELDS`, else None."""
    name, colon, value = word.partition(":")
    return (name, value) if colon and name in FIELDS else None


def ticket_terms(text: str) -> tuple[Term, ...]:
    """The terms a ticket list's filter text means (see the module's docstring)."""
    terms: list[Term] = []
    for word in fold(text).split():
        if word in PRIORITIES:
            terms.append(PRIORITY_MARK + word[-1])
            continue
        field = _field_word(word)
        if field is None:
            terms.append(word)
            continue
        name, value = field
        if not value:  # still being typed: `kind:` alone filters nothing yet
            continue
        mark, codes, labels = FIELDS[name]
        named = values_named(value, labels)
        terms.append(tuple(mark + codes[v] for v in named) if named else NOTHING)
    return tuple(terms)


def filter_problem(text: str) -> str | None:
    """What is wrong with the filter text's first `kind:`/`src:` word that names no value
    (with the words that would), or None."""
    for word in fold(text).split():
        field = _field_word(word)
        if field is None or not field[1]:
            continue
        name, value = field
        labels = FIELDS[name][2]
        if not values_named(value, labels):
            known = ", ".join(labels.values())
            return _("no {field} {value} (say: {known})").format(
                field=_(FIELD_NOUN[name]), value=repr(one_line(value)), known=known
            )
    return None
