"""The one place a person's text is translated: `_("Queue")` is "Warteschlange" in German.

The language is chosen once per process (`set_language`), before the first screen is drawn;
English is the source language, so a missing catalog or message shows the English text.
`N_` marks a module-level constant for extraction; translate it with `_()` where it is shown.
`pgettext` translates a message within a context (msgctxt) where one English word has two
German ones.

A language's catalog is every `*.po` in `locale/<code>/LC_MESSAGES`, read through the compiled
`dispatch.mo` beside them (the stdlib reads a `.mo` in about a millisecond; parsing the `.po`
with Babel at every start costs 100 ms of the 0.5 s cold start). The wheel's build hook
compiles it; a source checkout compiles it on the first start after a `.po` changed
(`i18n_compile`), or in memory when the package directory is read-only.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

LANGUAGES = ("en", "de")
DEFAULT = "en"
DOMAIN = "dispatch"
LOCALE_DIR = Path(__file__).parent / "locale"

_language = DEFAULT
_translation: gettext.NullTranslations = gettext.NullTranslations()
_catalogs: dict[str, gettext.NullTranslations] = {}


class LanguageError(ValueError):
    """A language asked for by name (option, setting) that dispatch does not speak."""


def checked(code: str, where: str) -> str:
    """`code` when dispatch speaks it; a sentence naming `where` it was asked for otherwise."""
    if code not in LANGUAGES:
        raise LanguageError(
            f"{where}: unknown language {code!r}; choose one of {', '.join(LANGUAGES)}"
        )
    return code


def _stale(pos: list[Path], mo: Path) -> bool:
    """Whether `mo` is missing or older than one of the `*.po` files it is made of."""
    try:
        built = mo.stat().st_mtime_ns
    except FileNotFoundError:
        return True
    return any(po.stat().st_mtime_ns > built for po in pos)


def _load(code: str) -> gettext.NullTranslations:
    """The catalog of `code`, or no translation for English and a language without one."""
    if code == DEFAULT:
        return gettext.NullTranslations()
    messages = LOCALE_DIR / code / "LC_MESSAGES"
    mo = messages / f"{DOMAIN}.mo"
    pos = sorted(messages.glob("*.po"))
    if pos and _stale(pos, mo):
        from dispatch import i18n_compile

        try:
            i18n_compile.compile_language(messages)
        except OSError:  # an installed, read-only package: compile it for this process
            return gettext.GNUTranslations(io.BytesIO(i18n_compile.mo_bytes(messages)))
    if not mo.is_file():
        return gettext.NullTranslations()
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)


def set_language(code: str) -> None:
    """Show text in `code` ("en" or "de") from now on; other codes raise ValueError."""
    global _language, _translation
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    _translation = _catalog(code)
    _language = code


def _catalog(code: str) -> gettext.NullTranslations:
    found = _catalogs.get(code)
    if found is None:
        found = _catalogs[code] = _load(code)
    return found


def translate(message: str, code: str) -> str:
    """`message` in the language `code`, whatever the process's language (the service's own
    words stay English in a console that shows German)."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    return _catalog(code).gettext(message)


def language() -> str:
    """The language text is shown in."""
    return _language


def _(message: str) -> str:
    """`message` in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for `n`, in the chosen language."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the chosen language, as meant in `context`: one English word that reads
    two ways in German ("done" is "erl." in a five-cell column and "erledigt" on a clock)."""
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it here."""
    return message
