"""The key a hint names is the key that does it for this user.

The config file's `[keymap]` may move any binding (`"app.outbox" = "f5"`). A hint that
spelled its key ("press 5", "ctrl+s save") would then send the user to a key that does
nothing, or to another action. So a hint never spells a key of ours: it names the binding,
and this module spells the key bound to it now. Keys that are a widget's own (tab between
fields, the arrows of a list) are not in the keymap and stay written in the hint.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import format_key

# How a hint has always written these keys; everything else as Textual's footer shows it
# ("question_mark" is "?"), so a default key reads as it did before keymaps were asked.
WORDS = {"escape": "esc", "enter": "enter", "space": "space", "tab": "tab"}


def spelled(key: str) -> str:
    """One key as a hint writes it: `ctrl+s`, `esc`, `5`, `?`."""
    *modifiers, last = key.strip().split("+")
    return "+".join([*modifiers, WORDS.get(last) or format_key(last)])


def key_of(app: App[Any], binding: Binding) -> str:
    """The keys that do `binding` for this user, `/` between them: `5`, `y/enter`."""
    # Textual keeps the keymap it applies on the app only; set_keymap normalised its keys
    keymap = app._keymap
    keys = keymap.get(binding.id) if binding.id else None
    return "/".join(spelled(key) for key in (keys or binding.key).split(",") if key.strip())


def bindings_of(node: type[DOMNode]) -> list[tuple[str, Binding]]:
    """Every (key, binding) of a screen's or widget's class, its bases' included, as Textual
    merges them (a binding of several keys once per key); the keymap's check reads them too."""
    merged = node._merge_bindings()
    return [(key, b) for key, bindings in merged.key_to_bindings.items() for b in bindings]


def own_key(node: DOMNode, binding_id: str) -> str:
    """`key_of` a binding of `node` (a screen's, a dialog's) or of the app, by id."""
    return class_key(node.app, type(node), binding_id)


def class_key(app: App[Any], cls: type[DOMNode], binding_id: str) -> str:
    """`key_of` a binding of `cls` or of the app, by id: for a hint about a dialog that is
    not open yet."""
    for owner in (cls, type(app)):
        keys = list(dict.fromkeys(key for key, b in bindings_of(owner) if b.id == binding_id))
        if keys:
            return key_of(app, Binding(",".join(keys), "", id=binding_id))
    raise LookupError(f"no binding {binding_id!r} on {cls.__name__} or the app")
