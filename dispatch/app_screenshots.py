"""Textual's screenshot command, switched off where it would write into someone else's
directory: over SSH a screenshot would land in the service account's working directory,
where the person who took it can never fetch it, and beside every other person's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.screen import Screen

from dispatch.i18n import N_, _
from dispatch.screens.palette import DispatchPalette

OFF = N_("Screenshots are off in an SSH session (use your terminal's own).")
# Textual's own palette entries (titles and help), marked here so the catalog holds them.
SYSTEM_WORDS = (
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)
PALETTE_PLACEHOLDER = N_("Search for commands…")


class ScreenshotPolicy(App[None]):
    """An App whose screenshots (palette entry, `action_screenshot`) can be switched off."""

    screenshots = True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if self.screenshots or command.title != "Screenshot":
                # Textual's English words, in the console's language (the same text when a
                # later Textual changes them: the catalog then simply has no entry)
                yield command._replace(
                    title=_(command.title), help=_(command.help) if command.help else ""
                )

    def action_command_palette(self) -> None:
        """Textual's palette, with its words in the console's language (`DispatchPalette`)."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                DispatchPalette(placeholder=_(PALETTE_PLACEHOLDER), id="--command-palette")
            )

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        if not self.screenshots:
            self.notify(_(OFF), severity="warning")
            return None
        return super().deliver_screenshot(filename, path, time_format)
