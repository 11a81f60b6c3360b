"""Textual's screenshot command, switched off where it would write into someone else's
directory: over SSH a screenshot would land in the service account's working directory,
where the person who took it can never fetch it, and beside every other person's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

OFF = "Screenshots are off in an SSH session (use your terminal's own)."


class ScreenshotPolicy(App[None]):
    """An App whose screenshots (palette entry, `action_screenshot`) can be switched off."""

    screenshots = True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if self.screenshots or command.title != "Screenshot":
                yield command

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        if not self.screenshots:
            self.notify(OFF, severity="warning")
            return None
        return super().deliver_screenshot(filename, path, time_format)
