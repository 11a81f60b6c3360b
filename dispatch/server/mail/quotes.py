"""What a customer wrote in a reply, without the thread their mail client quoted under it.

Mail clients put the earlier mails below the answer (or, bottom-posting, above it):
- `>`-quoted lines, labelled by an attribution ("On <date>, <name> wrote:", "Am <date> schrieb
  <name>:"), which Gmail wraps over two or three lines;
- Outlook's "-----Original Message-----" / "-----Ursprüngliche Nachricht-----" or a line of
  underscores, and a "From:/Sent:" ("Von:/Gesendet:") header block with the old mail below it,
  unquoted: nothing below such a block can be told apart from it, so all of it goes, and so
  does everything below an attribution that no `>` quote follows (an HTML quote made text);
- the sender's signature after "-- ".

`new_text` keeps the customer's own lines, in order; every line it returns is a line of its
input. An inline answer (own text between quoted lines) keeps the quoted lines between its own
ones: they are the questions it answers. When nothing of the customer's own is left (a reply that
is only a quote, or text these rules cannot tell apart) the text comes back whole, and a forward
keeps the mail it forwards: that mail is what it brings. This was written for this service rather
than taken from a library: the maintained ones (quotequail, mail-parser-reply) cut everything
below the first attribution, which loses an inline answer.
"""

from __future__ import annotations

import re
from enum import Enum

from dispatch.models.mail import MAX_MAIL_TEXT
from dispatch.server.mail.parse import FORWARDED


class Kind(Enum):
    OWN = "own"
    BLANK = "blank"
    QUOTE = "quote"
    DROP = "drop"
    """An attribution or the signature: neither the customer's text nor the thread."""


MAX_ATTRIBUTION = 400
"""Characters an attribution line can have (its wrapped lines joined); longer is text."""
ATTRIBUTION_LINES = 3
MAX_READ = 10 * MAX_MAIL_TEXT
"""Characters of a text read for quotes. The comment keeps MAX_MAIL_TEXT of it, and a mail
of megabytes of text must not hold up the intake (this reads some 1 MB a second)."""
HEADER_LINES = 8
"""Lines of an Outlook header block looked at: From, Sent, To, Cc, Subject and wrapped ones."""

_FORWARD_SUBJECT = re.compile(r"\s*(fwd?|wg)\s*:", re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"(on\s.+\swrote|am\s.+\sschrieb\s.+|.+\sschrieb\sam\s.+)\s*:", re.IGNORECASE | re.DOTALL
)
_WRAPPED_START = re.compile(r"(on|am)\s", re.IGNORECASE)
_LABEL = re.compile(r".+\s(wrote|schrieb)(\sam\s.+)?\s*:", re.IGNORECASE | re.DOTALL)
_SEPARATOR = re.compile(
    r"\s*-{2,}\s*(original message|ursprüngliche nachricht|originalnachricht)\s*-{2,}\s*",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"\s*_{10,}\s*")
_HEADER = re.compile(
    r"\s*\*?(from|von|sent|gesendet|date|datum|to|an|cc|subject|betreff)\*?\s*:", re.IGNORECASE
)
_DATE = re.compile(r"\d{1,2}:\d{2}|\d{4}")
_SIGNATURE = re.compile(r"--\s*")


def is_forward(subject: str) -> bool:
    return _FORWARD_SUBJECT.match(subject) is not None


def new_text(text: str, subject: str = "") -> str:
    """The customer's own text of a reply (see the module); `text` whole when none is left."""
    if is_forward(subject):
        return text
    if len(text) > MAX_READ:
        head = text[: text.rfind("\n", 0, MAX_READ) + 1 or MAX_READ]
        new = _new_text(head)
        return text if new == head else new
    return _new_text(text)


def _new_text(text: str) -> str:
    body, marker, forwarded = text.partition("\n" + FORWARDED + "\n")
    if not marker and text.startswith(FORWARDED + "\n"):
        return text  # the mail is only a forward: all of it is content
    lines = body.split("\n")
    kinds = _classify(lines)
    own = [i for i, kind in enumerate(kinds) if kind is Kind.OWN]
    if not own or not {Kind.QUOTE, Kind.DROP} & set(kinds):
        return text  # nothing of the customer's own, or nothing to cut
    start = own[0] if _segments(kinds) == 1 else _question_before(kinds, own[0])
    kept: list[str] = []
    for i in range(start, own[-1] + 1):
        if kinds[i] is Kind.DROP or (kinds[i] is Kind.BLANK and kept and not kept[-1].strip()):
            continue
        kept.append(lines[i])
    if marker:
        kept += ["", FORWARDED, *forwarded.split("\n")]
    return "\n".join(kept)


def _classify(lines: list[str]) -> list[Kind]:
    """Each line's kind; everything from the first mark of an unquoted old mail is QUOTE."""
    kinds = [_plain_kind(line) for line in lines]
    i = 0
    while i < len(lines):
        if kinds[i] is not Kind.OWN:
            i += 1
            continue
        label = _attribution_end(lines, kinds, i)
        if label is not None:
            if _quote_follows(kinds, label + 1):
                kinds[i : label + 1] = [Kind.DROP] * (label + 1 - i)
                i = label + 1
                continue
            if _is_attribution(_joined(lines, i, label)):
                return _old_mail_from(lines, kinds, i)
        if _SEPARATOR.fullmatch(lines[i]) or _header_block(lines, i):
            return _old_mail_from(lines, kinds, i)
        if _SIGNATURE.fullmatch(lines[i]):
            i = _signature(kinds, i)
            continue
        i += 1
    return kinds


def _plain_kind(line: str) -> Kind:
    stripped = line.lstrip()
    if not stripped:
        return Kind.BLANK
    return Kind.QUOTE if stripped.startswith(">") else Kind.OWN


def _attribution_end(lines: list[str], kinds: list[Kind], i: int) -> int | None:
    """The last line of an attribution starting at `i`, or None. Only "On ..." and "Am ..."
    are followed over wrapped lines (Gmail's); other labels are one line, or a greeting above
    "my colleague wrote:" would go with it."""
    wraps = ATTRIBUTION_LINES if _WRAPPED_START.match(lines[i].lstrip()) else 1
    for end in range(i, min(i + wraps, len(lines))):
        if kinds[end] is not Kind.OWN:
            return None
        joined = _joined(lines, i, end)
        if len(joined) > MAX_ATTRIBUTION:
            return None
        if joined.endswith(":") and (_LABEL.fullmatch(joined) or _ATTRIBUTION.fullmatch(joined)):
            return end
    return None


def _is_attribution(joined: str) -> bool:
    """An attribution with a date or time in it: "On Monday you wrote:" may be the customer's
    own sentence, and what follows it theirs."""
    return _ATTRIBUTION.fullmatch(joined) is not None and _DATE.search(joined) is not None


def _joined(lines: list[str], start: int, end: int) -> str:
    return " ".join(line.strip() for line in lines[start : end + 1])


def _quote_follows(kinds: list[Kind], i: int) -> bool:
    while i < len(kinds) and kinds[i] is Kind.BLANK:
        i += 1
    return i < len(kinds) and kinds[i] is Kind.QUOTE


def _header_block(lines: list[str], i: int) -> bool:
    """Whether an Outlook header block (From/Von first, then Sent or Date, and To or
    Subject) starts at line `i`."""
    names: list[str] = []
    for line in lines[i : i + HEADER_LINES]:
        if not line.strip():
            break
        match = _HEADER.match(line)
        if match:
            names.append(match.group(1).lower())
    return (
        bool(names)
        and names[0] in ("from", "von")
        and bool({"sent", "gesendet", "date", "datum"} & set(names))
        and bool({"to", "an", "subject", "betreff"} & set(names))
    )


def _old_mail_from(lines: list[str], kinds: list[Kind], i: int) -> list[Kind]:
    """`kinds` with line `i` and all below it the old mail; a line of underscores just above
    (Outlook's rule over its header block) goes with it."""
    j = i - 1
    while j >= 0 and kinds[j] is Kind.BLANK:
        j -= 1
    if j >= 0 and kinds[j] is Kind.OWN and _UNDERSCORES.fullmatch(lines[j]):
        i = j
    return kinds[:i] + [Kind.QUOTE] * (len(kinds) - i)


def _signature(kinds: list[Kind], i: int) -> int:
    """Drop the signature from its "-- " line to the next quote; the index after it."""
    while i < len(kinds) and kinds[i] is not Kind.QUOTE:
        kinds[i] = Kind.DROP
        i += 1
    return i


def _segments(kinds: list[Kind]) -> int:
    """How many runs of own lines the quotes separate (more than one: an inline answer)."""
    count, quoted = 0, True
    for kind in kinds:
        if kind is Kind.OWN and quoted:
            count, quoted = count + 1, False
        elif kind is Kind.QUOTE:
            quoted = True
    return count


def _question_before(kinds: list[Kind], first: int) -> int:
    """Where an inline answer starts: with the quote its first own line answers, if any."""
    start = first
    while start > 0 and kinds[start - 1] in (Kind.QUOTE, Kind.BLANK):
        start -= 1
    while kinds[start] is Kind.BLANK:
        start += 1
    return start
