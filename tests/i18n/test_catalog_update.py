"""`python -m dispatch.catalog update` on a language kept in several `*.po` files: a message
new to the template goes to `dispatch.po` alone; one that lives in `screens.po` stays there,
translated, and is not copied into `dispatch.po`; one the code dropped leaves every file; a
changed one comes back fuzzy with the old translation; plurals, contexts and headers survive;
`libraries.po` is never written; a second update changes nothing. On a copy of the real tree,
every message stays in the file it was in and `check` passes."""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from dispatch import catalog
from dispatch.catalog_update import Key, _key

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Language: de\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""

DISPATCH_PO = (
    "# German translations for dispatch.\n"
    + HEADER
    + """#: app.py:1
msgid "Queue"
msgstr "Warteschlange"

#: app.py:2
msgid "Save the ticket {number}"
msgstr "Ticket {number} speichern"
"""
)

LONG = (
    "a message long enough that Babel would wrap it at its own width, which this file was not "
    "written at"
)
LONG_DE = (
    "eine Nachricht, so lang, dass Babel sie umbrechen würde, bei einer Breite, mit der diese "
    "Datei nicht geschrieben ist"
)

# written by hand: no `#:` lines, its own order and a line longer than Babel would wrap
SCREENS_PO = (
    "# The console's German, kept by hand.\n"
    + HEADER
    + """# The SLA clock's words.
msgctxt "SLA clock"
msgid "BREACH"
msgstr "VERLETZT"

msgid "{n} ticket"
msgid_plural "{n} tickets"
msgstr[0] "{n} Ticket"
msgstr[1] "{n} Tickets"

msgid "Calendar"
msgstr "Kalender"

"""
    + f'msgid "{LONG}"\nmsgstr "{LONG_DE}"\n'
)


def template(*extra: str, drop: tuple[str, ...] = (), renamed: bool = False) -> Catalog:
    """Today's template: the two files' messages, without `drop`, with `extra`."""
    pot = Catalog(project="dispatch")
    save = "Save ticket {number}" if renamed else "Save the ticket {number}"
    for line, msgid in enumerate(("Queue", save, "Calendar", LONG, *extra), start=1):
        if msgid not in drop:
            pot.add(msgid, locations=[("app.py", line)])
    pot.add("BREACH", context="SLA clock", locations=[("clock.py", 1)])
    pot.add(("{n} ticket", "{n} tickets"), locations=[("rows.py", 1)])
    return pot


def locale_with(tmp_path: Path, pot: Catalog, *, libraries: str = "") -> Path:
    locale = tmp_path / "locale"
    messages = locale / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "dispatch.po").write_text(DISPATCH_PO, encoding="utf-8")
    (messages / "screens.po").write_text(SCREENS_PO, encoding="utf-8")
    if libraries:
        (messages / "libraries.po").write_text(HEADER + libraries, encoding="utf-8")
    write_template(locale, pot)
    return locale


def write_template(locale: Path, pot: Catalog) -> None:
    with (locale / "dispatch.pot").open("wb") as f:
        write_po(f, pot)


def read(locale: Path, name: str) -> Catalog:
    with (locale / "de" / "LC_MESSAGES" / name).open("rb") as f:
        return read_po(f, locale="de")


def keys(locale: Path, name: str) -> set[Key]:
    return {_key(m) for m in read(locale, name) if m.id}


def texts(locale: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((locale / "de" / "LC_MESSAGES").glob("*.po"))}


def update(locale: Path) -> list[str]:
    return [p.name for p in catalog.update(locale / "dispatch.pot", locale)]


def test_a_new_message_goes_to_dispatch_po_only_and_empty(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template("Escalations"))
    assert update(locale) == ["dispatch.po"]
    new = read(locale, "dispatch.po").get("Escalations")
    assert new is not None and new.string == "" and not new.fuzzy
    assert new.locations == [("app.py", 5)]
    assert ("Escalations", None) not in keys(locale, "screens.po")


def test_a_message_of_screens_po_stays_there_translated_and_is_not_copied(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template("Escalations"))
    update(locale)
    screens = read(locale, "screens.po")
    calendar = screens.get("Calendar")
    assert calendar is not None and calendar.string == "Kalender"
    assert keys(locale, "dispatch.po") == {
        ("Queue", None),
        ("Save the ticket {number}", None),
        ("Escalations", None),
    }
    plural = screens.get("{n} ticket")
    assert plural is not None and plural.string == ("{n} Ticket", "{n} Tickets")
    assert plural.id == ("{n} ticket", "{n} tickets")
    clock = screens.get("BREACH", "SLA clock")
    assert clock is not None and clock.string == "VERLETZT"
    assert clock.user_comments == ["The SLA clock's words."]


def test_the_empty_copies_the_old_update_made_leave_dispatch_po(tmp_path: Path) -> None:
    """pybabel update on dispatch.po alone added screens.po's messages to it, empty: the
    translated entry is the one kept, in its file, as `i18n_compile` reads them."""
    locale = locale_with(tmp_path, template())
    dispatch_po = locale / "de" / "LC_MESSAGES" / "dispatch.po"
    copy = '\n#: app.py:3\nmsgid "Calendar"\nmsgstr ""\n'
    dispatch_po.write_text(DISPATCH_PO + copy, encoding="utf-8")
    assert update(locale) == ["dispatch.po"]
    assert ("Calendar", None) not in keys(locale, "dispatch.po")
    assert texts(locale)["screens.po"] == SCREENS_PO.encode()


def test_a_dropped_message_leaves_every_file(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template(drop=("Calendar", "Queue")))
    assert sorted(update(locale)) == ["dispatch.po", "screens.po"]
    for name in ("dispatch.po", "screens.po"):
        assert ("Calendar", None) not in keys(locale, name)
        assert ("Queue", None) not in keys(locale, name)
        text = (locale / "de" / "LC_MESSAGES" / name).read_text(encoding="utf-8")
        assert "Kalender" not in text and "Warteschlange" not in text  # no `#~` left behind
    # written by Babel now, but as it was kept: no `#:` lines, its own order
    screens = [m.id for m in read(locale, "screens.po") if m.id]
    assert screens == ["BREACH", ("{n} ticket", "{n} tickets"), LONG]
    assert "#:" not in (locale / "de" / "LC_MESSAGES" / "screens.po").read_text(encoding="utf-8")


def test_a_changed_msgid_comes_back_fuzzy_with_the_old_translation(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template(renamed=True))
    update(locale)
    changed = read(locale, "dispatch.po").get("Save ticket {number}")
    assert changed is not None and changed.fuzzy
    assert changed.string == "Ticket {number} speichern"
    assert ("Save the ticket {number}", None) not in keys(locale, "dispatch.po")
    assert catalog.catalog_problems(locale / "dispatch.pot", locale / "de" / "LC_MESSAGES") == [
        "fuzzy: 'Save ticket {number}' (app.py:2)"
    ]


def test_a_changed_msgid_of_screens_po_is_matched_across_files(tmp_path: Path) -> None:
    """Babel's fuzzy matching sees the old messages of every file, as pybabel sees its one."""
    locale = locale_with(tmp_path, template("Calendars", drop=("Calendar",)))
    update(locale)
    changed = read(locale, "dispatch.po").get("Calendars")
    assert changed is not None and changed.fuzzy and changed.string == "Kalender"
    assert ("Calendar", None) not in keys(locale, "screens.po")


def test_headers_stay_and_an_untouched_file_keeps_its_bytes(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template("Escalations"))
    update(locale)
    assert texts(locale)["screens.po"] == SCREENS_PO.encode()  # nothing of it changed
    dispatch_po = read(locale, "dispatch.po")
    assert dispatch_po.header_comment.startswith("# German translations for dispatch.")
    assert dispatch_po.plural_forms == "nplurals=2; plural=(n != 1);"


def test_a_second_update_changes_nothing(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template("Escalations", drop=("Calendar",), renamed=True))
    assert update(locale) != []
    after = texts(locale)
    write_template(locale, template("Escalations", drop=("Calendar",), renamed=True))
    assert update(locale) == []  # a template written again (a new date) is no change
    assert texts(locale) == after


def test_libraries_po_is_read_never_written(tmp_path: Path) -> None:
    libraries = 'msgid "Options"\nmsgstr "Optionen"\n\nmsgid "Usage:"\nmsgstr "Aufruf:"\n'
    locale = locale_with(tmp_path, template("Options"), libraries=libraries)
    update(locale)
    assert texts(locale)["libraries.po"] == (HEADER + libraries).encode()
    assert ("Options", None) not in keys(locale, "dispatch.po")


def test_dispatch_po_is_started_when_missing(tmp_path: Path) -> None:
    locale = locale_with(tmp_path, template("Escalations"))
    (locale / "de" / "LC_MESSAGES" / "dispatch.po").unlink()
    assert update(locale) == ["dispatch.po"]
    started = read(locale, "dispatch.po")
    assert keys(locale, "dispatch.po") == {
        ("Queue", None),
        ("Save the ticket {number}", None),
        ("Escalations", None),
    }
    assert not started.fuzzy and started.project == "dispatch"


def test_on_the_real_tree_every_message_stays_in_its_file(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(catalog.LOCALE, locale, ignore=shutil.ignore_patterns("*.mo"))
    with (locale / "dispatch.pot").open("rb") as f:
        wanted = {_key(m) for m in read_po(f) if m.id}
    names = sorted(texts(locale))
    before = {name: keys(locale, name) for name in names}
    update(locale)
    after = {name: keys(locale, name) for name in names}
    new = wanted - set().union(*before.values())  # none while `check` passes
    for name in names:
        kept = before[name] if name == catalog.LIBRARIES else before[name] & wanted
        assert after[name] == (kept | new if name == "dispatch.po" else kept), name
    assert set().union(*after.values()) >= wanted
    second = texts(locale)
    assert update(locale) == []
    assert texts(locale) == second
    assert catalog.catalog_problems(locale / "dispatch.pot", locale / "de" / "LC_MESSAGES") == []
    assert catalog.msgfmt_problems((locale / "de" / "LC_MESSAGES").glob("*.po")) == []
