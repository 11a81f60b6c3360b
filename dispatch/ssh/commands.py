"""What may follow `ssh dispatch@host`: nothing (the console) or one read-only command.

`SSH_ORIGINAL_COMMAND` is whatever the person typed after the host name. It is matched
against this short grammar and never handed to a shell, `exec` or `eval`; anything else is
refused in one line, without echoing it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dispatch.i18n import N_, _

Kind = Literal["console", "today", "week", "ticket"]

_GRAMMAR = re.compile(r"(today|week|ticket[ ]+([0-9]{1,9}))", re.ASCII)
REFUSAL = N_(
    "dispatch: over SSH you may run 'today', 'week' or 'ticket NUMBER'; "
    "without a command you get the console"
)


class Refused(ValueError):
    """Not a command the gateway runs."""


@dataclass(frozen=True, slots=True)
class Request:
    kind: Kind
    number: int | None = None


def parse(original: str | None) -> Request:
    """The request `original` (SSH_ORIGINAL_COMMAND) makes; Refused for anything else."""
    if original is None or not original.strip(" "):
        return Request("console")
    match = _GRAMMAR.fullmatch(original.strip(" "))
    if match is None:
        raise Refused(_(REFUSAL))
    if match[2] is not None:
        return Request("ticket", int(match[2]))
    kind: Kind = "today" if match[1] == "today" else "week"
    return Request(kind)
