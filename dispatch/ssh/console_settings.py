"""The settings an SSH session's console reads (`ConsoleSettings`), without pydantic.

`dispatch.settings.Settings` would cost every session about 0.3 s of CPU and 10 MB before
its first row for the eight fields the console reads. Read here from the same sources in the
same order (environment `DISPATCH_*`, then the gateway's TOML config) and checked the same way:
a bad value is one line naming it, and the session does not start.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dispatch.console_settings import default
from dispatch.console_settings import flag as _flag
from dispatch.console_settings import keymap as _keymap
from dispatch.console_settings import zone as _zone
from dispatch.setting_problems import SettingProblem, in_file
from dispatch.ssh.config import GateConfig, read_toml


@dataclass(frozen=True, slots=True)
class SessionSettings:
    server: str | None
    database_url: str
    timezone: str = default("timezone")  # `ConsoleValues`' defaults, as `Settings`' are
    keymap: dict[str, str] = field(default_factory=dict)
    insecure: bool = default("insecure")
    ca_file: Path | None = default("ca_file")  # noqa: RUF009 (None, read once)
    bell: bool = default("bell")
    token: str | None = default("token")
    """Never from the config: the session's own token is handed to the console apart."""


def load(cfg: GateConfig) -> SessionSettings:
    """The console's settings for the gateway `cfg`; ValueError names a bad value where it
    was written, in the words of `dispatch`'s own start (`setting_problems`)."""
    toml = read_toml(cfg.path)

    def pick(key: str) -> Any:
        given = os.environ.get(f"DISPATCH_{key.upper()}")
        return given if given else toml.get(key)

    def checked(key: str, check: Callable[[Any], Any], file: bool = False) -> Any:
        variable = f"DISPATCH_{key.upper()}"
        try:
            return check(pick(key))
        except SettingProblem as problem:
            in_env = os.environ.get(variable) and not file
            raise ValueError(problem.at(variable if in_env else in_file(cfg.path, key))) from None

    ca_file = pick("ca_file")
    return SessionSettings(
        server=cfg.server,
        database_url=cfg.database_url,
        timezone=checked("timezone", lambda v: _zone(str(v or default("timezone")))),
        # the environment's keys over the file's, merged as pydantic-settings merges them
        keymap={
            **checked("keymap", lambda _v: _keymap(toml.get("keymap") or {}), file=True),
            **checked("keymap", lambda _v: _keymap(os.environ.get("DISPATCH_KEYMAP") or {})),
        },
        insecure=checked("insecure", lambda v: _flag("insecure", v or default("insecure"))),
        ca_file=Path(ca_file) if ca_file else None,
        bell=checked("bell", lambda v: _flag("bell", v or default("bell"))),
    )
