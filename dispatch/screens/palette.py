"""Textual's command palette with its own words in the console's language.

Textual (8.2) translates nothing: the placeholder is a constructor argument (the app passes
it translated), but "No matches found" is a literal inside `_start_no_matches_countdown`,
with no attribute, message or hook to change it. The least private way found is to override
that one method with Textual's own body and the translated text: the same timer, the same
option id (`_NO_MATCHES`, which the palette itself uses to find and remove the option), the
same `_list_visible` flag. Subclassing the `CommandList` or rewriting the option after it
appeared would need as many private names and a race with Textual's timer besides. Should
a later Textual rename the method, this override is dead and the German Pilot test
(tests/console/test_german.py) sees English again and fails.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from dispatch.i18n import N_, _

NO_MATCHES = N_("No matches found")


class DispatchPalette(CommandPalette):
    """The command palette; its "no matches" line in the console's language."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:  # discovering (nothing typed) finds nothing to say "none" of
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_(NO_MATCHES), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
