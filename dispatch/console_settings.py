"""What the console reads of the settings: a protocol, so an SSH session can start it without
pydantic.

`dispatch.settings.Settings` (pydantic-settings) has every field of the CLI and the service;
importing it costs about 0.3 s of CPU and 10 MB, paid by every technician's SSH session
before its first row. The session reads these few from the gateway's config instead
(`dispatch.ssh.console_settings`); a `Settings` satisfies the protocol as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class ConsoleSettings(Protocol):
    @property
    def server(self) -> str | None: ...
    @property
    def token(self) -> str | None: ...
    @property
    def insecure(self) -> bool: ...
    @property
    def ca_file(self) -> Path | None: ...
    @property
    def database_url(self) -> str: ...
    @property
    def keymap(self) -> dict[str, str]: ...
    @property
    def timezone(self) -> str: ...
    @property
    def bell(self) -> bool: ...
