"""Click's own words ("Usage:", the --help line, the usage errors) in the language shown.

Typer 0.29 vendors Click (`typer._click`) without Click's gettext calls: its usage prefix, the
help option's text and its error messages are English literals there. Only Typer's own texts
("No such command", the panel titles) still go through gettext's global domain, which
`i18n_choice.adopt` points at dispatch's catalog. So dispatch's commands are Typer's classes
with three overrides of public Click methods (`DispatchTyper` makes every group and command
one of them): `format_usage` writes the prefix, `get_help_option` the help line, and a usage
error on its way out is raised again in the language shown.

An error is recognised by its English text, matched against the messages below, spelled as the
vendored Click prints them (with `{fields}` in place of what varies): Click's exception
classes carry no message id, and a plain `UsageError` (extra arguments) only its text. The
German is in `locale/de/LC_MESSAGES/libraries.po`, whose messages extraction never sees
(they are Typer's and Click's): `catalog check` checks that file on its own, and a test checks
every message below is in it. An English process re-raises nothing: Click's text stays as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandFunctionType

from dispatch import i18n

# as the vendored Click and Typer print them; a more specific one before one it contains
USAGE = "Usage: "
HELP = "Show this message and exit."
METAVARS = ("[OPTIONS]", "COMMAND [ARGS]...")  # the usage line's placeholders
MESSAGES = (
    "{message} (Possible options: {possibilities})",
    "{message}. Did you mean {suggestions}?",
    "Invalid value for {param_hint}: {message}",
    "Invalid value: {message}",
    "Missing {param_type} {param_hint}.",
    "No such option: {name}",
    "No such command {name!r}.",
    "Missing command.",
    "Got unexpected extra argument(s) ({extra_args})",
    "Option {name!r} does not take a value.",
    "Option {name!r} requires an argument.",
    "Argument {name!r} takes {nargs} values.",
    # what Typer's coercion (pydantic) says of a word where a number belongs
    "Input should be a valid integer, unable to parse string as an integer",
    # the kinds of parameter in "Missing {param_type} ..."
    "argument",
    "option",
    "parameter",
)
FIELD = re.compile(r"\{(\w+)(?:![rsa])?\}")


def library_text(message: str) -> str:
    """`message` (one of Click's or Typer's) in the language shown. Not `_`: extraction would
    copy these into dispatch.po beside libraries.po, where they are kept."""
    return i18n.translate(message, i18n.language())


def _pattern(message: str) -> re.Pattern[str]:
    parts = FIELD.split(message)  # text, field, text, field, ..., text
    regex = "".join(
        f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )
    return re.compile(f"{regex}$", re.DOTALL)


_PATTERNS = tuple((_pattern(m), m) for m in MESSAGES)


def translated(text: str) -> str:
    """Click's English `text` in the language shown; as it is when no message matches."""
    for pattern, message in _PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        values = dict(found.groupdict())
        for field in ("message", "param_type"):
            if field in values:
                values[field] = _inner(values[field])
        # the fields were printed already: `{name!r}` must not quote them twice
        return FIELD.sub(r"{\1}", library_text(message)).format(**values)
    return text


def _inner(text: str) -> str:
    """A message inside another: Typer strips the full stop before "Did you mean"."""
    done = translated(text)
    if done == text and not text.endswith("."):
        return translated(f"{text}.").removesuffix(".")
    return done


class _German(UsageError):
    """A usage error already in the language shown (raised once, passed on as it is)."""


def _again(exc: UsageError) -> UsageError:
    if i18n.language() == i18n.DEFAULT or isinstance(exc, _German):
        return exc
    german = _German(translated(exc.format_message()), exc.ctx)
    german.exit_code = exc.exit_code
    return german


class _Words:
    """The overrides both classes share (a mixin before Typer's class)."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [
            library_text(p) if p in METAVARS else p
            for p in self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        ]
        formatter.write_usage(ctx.command_path, " ".join(pieces), library_text(USAGE))

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = library_text(HELP)
        return option

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except UsageError as exc:
            raise _again(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except UsageError as exc:
            raise _again(exc) from None


class DispatchCommand(_Words, TyperCommand):
    pass


class DispatchGroup(_Words, TyperGroup):
    pass


class DispatchTyper(typer.Typer):
    """`typer.Typer` whose groups and commands speak the language shown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", DispatchGroup)
        super().__init__(**kwargs)

    def command(  # Typer's keywords, passed on as they are
        self, name: str | None = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        kwargs.setdefault("cls", DispatchCommand)
        return super().command(name, **kwargs)
