"""The one place a person's text is translated: `_("Queue")` is "Warteschlange" in German.

The language is chosen once per process (`set_language`), before the first screen is drawn;
English is the source language, so a missing catalog or message shows the English text.
`N_` marks a module-level constant for extraction; translate it with `_()` where it is shown.
"""

from __future__ import annotations

import gettext
from pathlib import Path

LANGUAGES = ("en", "de")
DEFAULT = "en"
DOMAIN = "dispatch"
LOCALE_DIR = Path(__file__).parent / "locale"

_language = DEFAULT
_translation: gettext.NullTranslations = gettext.NullTranslations()


def _load(code: str) -> gettext.NullTranslations:
    """The catalog of `code`, or no translation for English and unknown codes."""
    if code == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def set_language(code: str) -> None:
    """Show text in `code` ("en" or "de") from now on; other codes raise ValueError."""
    global _language, _translation
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    _translation = _load(code)
    _language = code


def language() -> str:
    """The language text is shown in."""
    return _language


def _(message: str) -> str:
    """`message` in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for `n`, in the chosen language."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it here."""
    return message
