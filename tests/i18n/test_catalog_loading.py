"""The German catalog as the program reads it: the union of `de/LC_MESSAGES/*.po`, compiled to
the `.mo` the stdlib reads in a millisecond; a checkout compiles it on the first start after a
`.po` changed, a read-only install in memory. Babel's day and month names are kept as source
(`cldr_words`) and must say what Babel says."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispatch import catalog, i18n, i18n_compile
from dispatch.i18n import _


def po(entries: dict[str, str], fuzzy: frozenset[str] = frozenset()) -> str:
    head = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    return head + "".join(
        ("#, fuzzy\n" if k in fuzzy else "") + f'msgid "{k}"\nmsgstr "{v}"\n\n'
        for k, v in entries.items()
    )


@pytest.fixture
def locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A locale directory of the test's own, in place of the package's."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogs", {})
    messages = tmp_path / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    yield messages
    i18n.set_language("en")


def test_the_german_catalog_translates(german: None) -> None:
    assert _("Title") == "Titel"
    assert _("waiting for customer") == "Wartet auf Kunde"
    assert i18n.translate("Title", "en") == "Title"  # English is the source: no catalog


def test_every_po_file_of_a_language_is_read_and_a_translation_beats_an_empty_entry(
    locale: Path,
) -> None:
    (locale / "dispatch.po").write_text(po({"Queue": "", "Save": "Speichern"}))
    (locale / "screens.po").write_text(po({"Queue": "Warteschlange", "Quit": "Beenden"}))
    i18n.set_language("de")
    assert (_("Queue"), _("Save"), _("Quit")) == ("Warteschlange", "Speichern", "Beenden")
    assert (locale / "dispatch.mo").is_file()  # compiled once, read from now on


def test_a_fuzzy_entry_is_not_shown(locale: Path) -> None:
    (locale / "dispatch.po").write_text(po({"Queue": "Schlange?"}, fuzzy=frozenset({"Queue"})))
    i18n.set_language("de")
    assert _("Queue") == "Queue"


def test_a_changed_po_file_is_compiled_again_at_the_next_start(locale: Path) -> None:
    (locale / "dispatch.po").write_text(po({"Queue": "Schlange"}))
    i18n.set_language("de")
    assert _("Queue") == "Schlange"
    mo = locale / "dispatch.mo"
    built = mo.stat().st_mtime_ns
    (locale / "dispatch.po").write_text(po({"Queue": "Warteschlange"}))
    import os

    os.utime(locale / "dispatch.po", ns=(built + 10**9, built + 10**9))
    i18n._catalogs.clear()  # a new process
    i18n.set_language("de")
    assert _("Queue") == "Warteschlange"


def test_a_read_only_install_compiles_in_memory(
    locale: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (locale / "dispatch.po").write_text(po({"Queue": "Warteschlange"}))

    def read_only(messages: Path) -> Path:
        raise PermissionError(13, "Permission denied", str(messages / "dispatch.mo"))

    monkeypatch.setattr(i18n_compile, "compile_language", read_only)
    i18n.set_language("de")
    assert _("Queue") == "Warteschlange"
    assert not (locale / "dispatch.mo").exists()


def test_a_language_without_a_catalog_shows_english(locale: Path) -> None:
    (locale / "dispatch.po").unlink(missing_ok=True)
    i18n.set_language("de")
    assert _("Queue") == "Queue"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.set_language("fr")


def test_the_compiled_catalog_is_what_the_stdlib_reads(tmp_path: Path) -> None:
    messages = tmp_path / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "a.po").write_text(po({"Queue": "Warteschlange"}))
    i18n_compile.compile_all(tmp_path)
    found = gettext.translation("dispatch", tmp_path, languages=["de"])
    assert found.gettext("Queue") == "Warteschlange"


def test_the_day_and_month_names_are_babels() -> None:
    assert catalog.CLDR_MODULE.read_text(encoding="utf-8") == catalog.cldr_source()


def test_a_german_console_start_does_not_import_babel() -> None:
    """Babel costs 60-110 ms to import and parsing the .po files 1 s (bench/i18n_figures.py)
    against a 0.5 s cold start: a start reads the compiled catalog with the stdlib, and
    the day and month names come from `cldr_words`. Checked in a fresh interpreter."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from dispatch.i18n_choice import adopt\n"
        "adopt('de')\n"
        "import dispatch.app, dispatch.console, dispatch.screens.queue\n"
        "from dispatch.display import clock, labels\n"
        "from dispatch.i18n import _\n"
        "print(clock.moment('2026-12-07T08:00:00+00:00'), clock.duration(90), _('Title'))\n"
        "print('babel' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    shown, babel = done.stdout.splitlines()
    assert shown == "Mo 07.12. 09:00 1:30 Std. Titel"
    assert babel == "False"
