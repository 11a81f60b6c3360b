"""A bad setting is one line: where it was written, the value as given, what is wanted.

Both starts use these words. The console's light start (`console_settings`, no pydantic)
raises `SettingProblem` with the error type pydantic would give; a command that builds
`Settings` turns each of pydantic's errors into the same (`settings.build`). Translated by
the error's type, never by pydantic's English text; a type not known here keeps pydantic's
message. Each line passes through `one_line`: values, variable names and paths come from
the environment and files, and may hold control characters.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dispatch.display.safe import one_line
from dispatch.i18n import N_, _

SHOWN = 60
"""Characters of a value a line shows; a longer one (a report header) ends in an ellipsis."""

_PLAIN = {
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "bool_parsing": N_("must be true or false"),
    "bool_type": N_("must be true or false"),
    "string_type": N_("must be text"),
}
_LIMITS = {
    "greater_than_equal": ("ge", N_("must be at least {limit}")),
    "greater_than": ("gt", N_("must be more than {limit}")),
    "less_than_equal": ("le", N_("must be at most {limit}")),
    "less_than": ("lt", N_("must be less than {limit}")),
    "string_too_long": ("max_length", N_("must be at most {limit} characters long")),
}


def wanted(kind: str, ctx: Mapping[str, Any], message: str) -> str:
    """What a setting wants, in the language shown, by pydantic's error type `kind`; for
    `value_error`, and a type not known here, `message` (dispatch's own, translated where
    it was raised, or pydantic's)."""
    if kind in _PLAIN:
        return _(_PLAIN[kind])
    if kind in _LIMITS and _LIMITS[kind][0] in ctx:
        key, text = _LIMITS[kind]
        limit = ctx[key]  # a float field's limit is 0.0 to pydantic; 0 as the user writes it
        whole = isinstance(limit, float) and limit.is_integer()
        return _(text).format(limit=int(limit) if whole else limit)
    if kind == "literal_error" and ctx.get("allowed"):
        # sorted: a `Literal`'s own order is not to be trusted (typing caches Literal["en", "de"]
        # and Literal["de", "en"] as one, whichever a process made first)
        allowed = ", ".join(f'"{each}"' for each in sorted(ctx["allowed"], key=str))
        return _("must be one of {allowed}").format(allowed=allowed)
    return message


def shown(value: Any) -> str:
    """`value` as given: text in quotes, anything else (from config.toml) as TOML writes it."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > SHOWN:
        text = text[: SHOWN - 1] + "…"
    return f'"{text}"' if isinstance(value, str) else text


def line(setting: str, value: Any, kind: str, ctx: Mapping[str, Any], message: str) -> str:
    """The one line saying `setting` (as the user wrote it) is bad."""
    return one_line(
        _("{setting} = {value}: {wanted}").format(
            setting=setting, value=shown(value), wanted=wanted(kind, ctx, message)
        )
    )


class SettingProblem(ValueError):
    """Setting `field`'s value is bad, described as pydantic types its errors (`kind`, its
    context `ctx`, dispatch's own `message` for a `value_error`)."""

    def __init__(
        self,
        field: str,
        value: Any,
        kind: str,
        ctx: Mapping[str, Any] | None = None,
        message: str = "",
    ) -> None:
        self.field, self.value, self.kind = field, value, kind
        self.ctx = dict(ctx or {})
        self.message = message
        super().__init__(self.at(field))

    def at(self, setting: str) -> str:
        """The line, naming the setting as `setting` (a variable, or a file's key)."""
        return line(setting, self.value, self.kind, self.ctx, self.message)


class BadSettings(ValueError):
    """Every bad setting of one start, a line each."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = [one_line(each) for each in lines]
        super().__init__("\n".join(self.lines))


def env_name(*names: str) -> str | None:
    """The first of `names` set in the environment, spelt as it is there (pydantic-settings
    matches names whatever their case); None when none is."""
    for name in names:
        for key in os.environ:
            if key.lower() == name.lower():
                return key
    return None


def in_file(path: Path, key: str) -> str:
    """A config file's key, as a line names it."""
    return f"{path}: {key}"


def refusal(problem: BadSettings) -> list[str]:
    """What a start prints to stderr for `problem` before it exits with 2: a line each."""
    return [_("error: {message}").format(message=each) for each in problem.lines]
