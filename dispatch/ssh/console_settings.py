"""The settings an SSH session's console reads (`ConsoleSettings`), without pydantic.

`dispatch.settings.Settings` would cost every session about 0.3 s of CPU and 10 MB before
its first row for the eight fields the console reads. Read here from the same sources in the
same order (environment `DISPATCH_*`, then the gateway's TOML config) and checked the same way:
a bad value is one line naming it, and the session does not start.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dispatch.display.clock import DEFAULT_ZONE
from dispatch.ssh.config import GateConfig, read_toml

_TRUE = frozenset(("1", "true", "yes", "on", "t", "y"))
_FALSE = frozenset(("0", "false", "no", "off", "f", "n"))


@dataclass(frozen=True, slots=True)
class SessionSettings:
    server: str | None
    database_url: str
    timezone: str = DEFAULT_ZONE
    keymap: dict[str, str] = field(default_factory=dict)
    insecure: bool = False
    ca_file: Path | None = None
    bell: bool = False
    token: str | None = None
    """Never from the config: the session's own token is handed to the console apart."""


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"{name}: {value!r} is not true or false")


def _zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name like Europe/Berlin)") from None
    return name


def _keymap(value: Any) -> dict[str, str]:
    if isinstance(value, str):  # from the environment: JSON, as pydantic-settings reads it
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError("keymap: not a JSON object of binding id -> keys") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("keymap: not a table of binding id -> keys")
    return dict(value)


def load(cfg: GateConfig) -> SessionSettings:
    """The console's settings for the gateway `cfg`; ValueError names a bad value."""
    toml = read_toml(cfg.path)

    def pick(key: str) -> Any:
        given = os.environ.get(f"DISPATCH_{key.upper()}")
        return given if given else toml.get(key)

    ca_file = pick("ca_file")
    return SessionSettings(
        server=cfg.server,
        database_url=cfg.database_url,
        timezone=_zone(str(pick("timezone") or DEFAULT_ZONE)),
        # the environment's keys over the file's, merged as pydantic-settings merges them
        keymap={
            **_keymap(toml.get("keymap") or {}),
            **_keymap(os.environ.get("DISPATCH_KEYMAP") or {}),
        },
        insecure=_flag("insecure", pick("insecure") or False),
        ca_file=Path(ca_file) if ca_file else None,
        bell=_flag("bell", pick("bell") or False),
    )
