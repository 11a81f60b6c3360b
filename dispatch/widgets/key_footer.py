"""The key line at the bottom: the most important keys that fit the width, and always `?`.

Textual's Footer lays every shown binding out in order and cuts the rest off, so at 80
columns the queue's line ended after `1`: `?`, the other panes and `q` were never seen.
This one ranks the keys and drops the least important until the line fits: `?` always
stays, then the pane switch keys (as `1-5 Panes` when their names do not fit), then the
pane's own keys in their order, then quit, refresh and the command palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from dispatch.i18n import _

GAP = ""  # a FooterKey pads its key and words itself


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of the line: the keys shown, the words, the key a click presses."""

    keys: str
    words: str
    press: str
    action: str
    enabled: bool = True

    @property
    def width(self) -> int:
        """Cells of its FooterKey: ` key words `."""
        return cell_len(self.keys) + cell_len(self.words) + 3


def _panes_item(panes: list[Item]) -> Item:
    """The pane switch keys as one entry: `1-5 Panes` (or `1/3/x Panes` after a remap)."""
    keys = [p.keys for p in panes]
    digits = all(k.isdigit() and len(k) == 1 for k in keys)
    if digits and [int(k) for k in keys] == list(range(int(keys[0]), int(keys[0]) + len(keys))):
        label = f"{keys[0]}-{keys[-1]}" if len(keys) > 1 else keys[0]
    else:
        label = "/".join(keys)
    return Item(label, _("Panes"), panes[0].press, panes[0].action)


def choose(
    width: int, help_: Item | None, panes: list[Item], own: list[Item], rest: list[Item]
) -> list[Item]:
    """The entries to show in `width` cells, in display order (own keys, panes, help, rest)."""
    group = _panes_item(panes) if panes else None
    ranked: list[Item] = [i for i in (help_, group) if i is not None] + own + rest
    chosen: set[Item] = set()
    used = -len(GAP)
    for item in ranked:
        if item is help_ or used + len(GAP) + item.width <= width:
            chosen.add(item)
            used += len(GAP) + item.width
    panes_shown = list(panes)
    if group in chosen:  # room for every pane's name instead of `1-5 Panes`?
        named = sum(len(GAP) + p.width for p in panes) - len(GAP)
        if used - group.width + named <= width:
            chosen.discard(group)
        else:
            panes_shown = [group]
    else:
        panes_shown = []
    order = [i for i in own if i in chosen] + [p for p in panes_shown]
    order += [i for i in (help_,) if i is not None] + [i for i in rest if i in chosen]
    return order


class KeyFooter(Footer):
    """Textual's Footer (its key look, clicks and re-compose on binding changes) with the
    keys chosen by `choose` for its width, composed again when the width changes."""

    def __init__(self) -> None:
        # the palette's key is one of the ranked keys here, not docked over the line's end
        super().__init__(show_command_palette=False)
        self._composed_width = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._composed_width = self.size.width or self.app.size.width
        for item in self.items(self._composed_width):
            yield FooterKey(
                item.press, item.keys, item.words, item.action, disabled=not item.enabled
            ).data_bind(compact=Footer.compact)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)

    def items(self, width: int) -> list[Item]:
        """What fits `width` cells, in display order."""
        help_: Item | None = None
        panes: list[Item] = []
        own: list[Item] = []
        rest: list[Item] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding: Binding = active.binding
            shown = binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
            if not shown or binding.action in seen:
                continue
            seen.add(binding.action)  # one entry per action, with its first key
            item = Item(
                self.app.get_key_display(binding),
                # descriptions are class attributes marked with N_: translated when shown
                # (`_("")` would be the catalog's header, so an empty one stays empty)
                _(binding.description) if binding.description else "",
                binding.key,
                binding.action,
                active.enabled,  # shown dimmed: the key exists, just not for this row
            )
            if binding.action == "help":
                help_ = item
            elif binding.action.startswith("pane("):
                panes.append(item)
            elif active.node is self.app:
                rest.append(item)
            else:
                own.append(item)
        return choose(width, help_, panes, own, rest)
