"""The console in German for tests: `set_language("de")`, and English again afterwards.

i18n-screens keeps its German in `locale/de/LC_MESSAGES/screens.po` until the lead merges
it into `dispatch.po`, and the loader that reads every `*.po` there is i18n-core's. Until
both are on one branch, the language set here may not know the console's words: then this
reads `screens.po` itself and puts it in front of whatever the loader found. Once the
loader reads it (or the file is merged away), `set_language("de")` alone is used.
"""

from __future__ import annotations

import ast
import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from dispatch import i18n

SCREENS_PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "screens.po"


def read_po(text: str) -> dict[str | tuple[str, int], str]:
    """msgid (or (msgid, plural index)) -> msgstr of a .po file's non-fuzzy entries."""
    entries: dict[str | tuple[str, int], str] = {}
    fields: dict[str, str] = {}
    current = ""
    fuzzy = False

    def flush() -> None:
        msgid = fields.get("msgid", "")
        if msgid and not fuzzy:
            for key, value in fields.items():
                if key == "msgstr" and value:
                    entries[msgid] = value
                elif key.startswith("msgstr[") and value:
                    entries[(msgid, int(key[7:-1]))] = value
        fields.clear()

    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if fields and not line.startswith('"'):
                flush()
                fuzzy = False
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        if line.startswith('"'):
            fields[current] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        if key == "msgid" and "msgid" in fields:
            flush()
        current = key
        fields[key] = ast.literal_eval(value)
    return entries


class PoTranslations(gettext.NullTranslations):
    """A catalog read from a .po file (German plural rule: one, other)."""

    def __init__(
        self, entries: dict[str | tuple[str, int], str], behind: gettext.NullTranslations
    ) -> None:
        super().__init__()
        self.entries = entries
        self.behind = behind  # what the loader found: the rest of the catalog

    def gettext(self, message: str) -> str:
        found = self.entries.get(message)
        return self.behind.gettext(message) if found is None else found

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = self.entries.get((msgid1, 0 if n == 1 else 1))
        return self.behind.ngettext(msgid1, msgid2, n) if found is None else found


@contextmanager
def in_german() -> Iterator[None]:
    """German from here to the end of the block, the console's own words included."""
    i18n.set_language("de")
    try:
        if i18n._("Queue") == "Queue":  # the loader does not read screens.po (yet)
            entries = read_po(SCREENS_PO.read_text(encoding="utf-8"))
            i18n._translation = PoTranslations(entries, i18n._translation)
        yield
    finally:
        i18n.set_language("en")
