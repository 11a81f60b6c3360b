"""`python -m dispatch.catalog update` for a language kept in several `*.po` files.

pybabel update knows one file per domain, but a language here is the union of the `*.po`
files of its `LC_MESSAGES` (`i18n_compile`). So the union is updated as one catalog, by
Babel's own merge and fuzzy matching (`Catalog.update`, what pybabel update runs), and each
message goes back to the file it came from:

- a message one of the files has stays in that file: translation, comments, flags and place
  kept; its `#:` lines follow the template where the entry had any (screens.po has none);
- a message new to the template goes to `dispatch.po`, empty, or fuzzy with the translation of
  the closest old message of any file; `dispatch.po` is in the template's order, as pybabel
  keeps it;
- a message the template no longer has leaves every file, not kept as `#~`: a translator reads
  the files by hand, and the old update (`--ignore-obsolete`) dropped them too;
- `libraries.po` is read (its messages live there) but never written: extraction never sees
  Typer's and Click's texts, so the template would drop them all.

A file whose messages did not change is not written, so an update with nothing new leaves the
tree as it was. The files are written at the project's line length, at which they were wrapped.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from dispatch.i18n_compile import DOMAIN, better, po_files, write_whole

HOME = f"{DOMAIN}.po"  # where a message new to the template goes
WIDTH = 100  # the project's line length (pyproject's ruff), at which the files are wrapped

Key = tuple[str, str | None]  # a message's msgid (a plural's singular) within its context


@dataclass(frozen=True)
class Origin:
    """Where a message of the union was before the update: its file and place in it."""

    file: str
    place: int
    message: Message


def _key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (msgid, message.context)


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def _render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, ignore_obsolete=True)
    return out.getvalue()


def _started(template: Path, language: str) -> Catalog:
    """A new `dispatch.po` as pybabel init starts one: the template's header, no messages."""
    catalog = _read(template, language)
    catalog.revision_date = datetime.now(UTC)
    catalog.fuzzy = False
    _clear(catalog)
    return catalog


def _clear(catalog: Catalog) -> None:
    for message in [m for m in catalog if m.id]:
        catalog.delete(message.id, message.context)
    catalog.obsolete.clear()


def origins(files: dict[str, Catalog]) -> dict[Key, Origin]:
    """Each message's file: the first, in name order, that translates it, else the first that
    has it; the rule by which `i18n_compile` merges the files, so the entry kept is the one read."""
    found: dict[Key, Origin] = {}
    for name in sorted(files):
        for place, message in enumerate(m for m in files[name] if m.id):
            key = _key(message)
            have = found.get(key)
            if better(message, have.message if have is not None else None):
                found[key] = Origin(name, place, message)
    return found


def updated_union(
    template: Catalog, found: dict[Key, Origin], language: str, *, fuzzy: bool = True
) -> Catalog:
    """The union of the files brought up to `template` by Babel, in the template's order."""
    union = Catalog(locale=language, domain=DOMAIN)
    for origin in found.values():
        union[origin.message.id] = origin.message
    union.update(template, no_fuzzy_matching=not fuzzy, update_creation_date=False)
    return union


def placed(union: Catalog, found: dict[Key, Origin]) -> dict[str, list[Message]]:
    """The union's messages per file, in the order each file is written."""
    ranked: dict[str, list[tuple[int, Message]]] = {}
    for index, message in enumerate(m for m in union if m.id):
        origin = found.get(_key(message))
        if origin is not None and not origin.message.locations:
            message.locations = []  # an entry written without `#:` lines stays without
        name = origin.file if origin is not None else HOME
        place = origin.place if origin is not None and name != HOME else index
        ranked.setdefault(name, []).append((place, message))
    return {
        name: [m for _, m in sorted(pairs, key=lambda p: p[0])] for name, pairs in ranked.items()
    }


def update_language(
    template_path: Path,
    messages_dir: Path,
    language: str,
    *,
    keep: Collection[str] = ("libraries.po",),
    fuzzy: bool = True,
) -> list[Path]:
    """Bring the `*.po` files of `messages_dir` up to the template; the files written. The
    files named in `keep` are read, never written."""
    with template_path.open("rb") as f:
        template = read_po(f)
    files = {path.name: _read(path, language) for path in po_files(messages_dir)}
    if HOME not in files:
        files[HOME] = _started(template_path, language)
    before = {name: _render(catalog) for name, catalog in files.items()}
    found = origins(files)
    messages = placed(updated_union(template, found, language, fuzzy=fuzzy), found)
    written = []
    for name, catalog in sorted(files.items()):
        if name in keep:
            continue
        _clear(catalog)
        for message in messages.get(name, []):
            catalog[message.id] = message
        target = messages_dir / name
        if _render(catalog) == before[name] and target.is_file():
            continue  # compared with its old POT-Creation-Date: a new template alone is no change
        catalog.creation_date = template.creation_date
        write_whole(target, _render(catalog))
        written.append(target)
    return written
