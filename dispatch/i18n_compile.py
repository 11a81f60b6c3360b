"""Turning a language's `*.po` files into the one `.mo` the running program reads.

Needs only Babel and the standard library, so the wheel's build hook (`hatch_build.py`) loads
this file by its path without installing dispatch first. A language's catalog is the union of
every `*.po` in its `LC_MESSAGES` directory (each helper of issue 22 wrote its own file); the
first file to translate a message wins, in name order (`dispatch.po` before `screens.po`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Message

DOMAIN = "dispatch"


def po_files(messages_dir: Path) -> list[Path]:
    """The `*.po` files of one language, in the order they are merged."""
    return sorted(messages_dir.glob("*.po"))


def mo_bytes(messages_dir: Path) -> bytes:
    """The compiled union of `messages_dir`'s `*.po` files (fuzzy entries left out, as
    msgfmt does: a guess is not a translation)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged: Catalog | None = None
    for path in po_files(messages_dir):
        with path.open("rb") as f:
            catalog = read_po(f, domain=DOMAIN)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            have = merged.get(message.id, message.context)  # a msgctxt is its own message
            if message.id and better(message, have):
                if have is not None:  # setting an existing id would merge the two
                    merged.delete(message.id, message.context)
                merged[message.id] = message
    out = io.BytesIO()
    if merged is not None:
        write_mo(out, merged, use_fuzzy=False)
    return out.getvalue()


def translated(message: Message | None) -> bool:
    """Whether `message` is a translation to use: present, not fuzzy, every form filled."""
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def better(message: Message, have: Message | None) -> bool:
    """Whether `message` of a later file replaces `have` (an empty or fuzzy entry of one file
    does not hide another file's translation): the rule that says which file a message is read
    from, for the compiled catalog and for `catalog update`."""
    return have is None or (translated(message) and not translated(have))


def compile_language(messages_dir: Path) -> Path:
    """Write `dispatch.mo` beside the `*.po` files; returns its path."""
    target = messages_dir / f"{DOMAIN}.mo"
    write_whole(target, mo_bytes(messages_dir))
    return target


def write_whole(target: Path, data: bytes) -> None:
    """Write `target` through a temporary file: a reader never sees half a catalog, and a
    failed run leaves the old file whole."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


def compile_all(locale_dir: Path) -> list[Path]:
    """Compile every language under `locale_dir` that has `*.po` files."""
    return [compile_language(d) for d in sorted(locale_dir.glob("*/LC_MESSAGES")) if po_files(d)]
