"""What the console reads of the settings, without pydantic: a protocol, the console's fields
with their defaults, and a reader of them from the same sources as `Settings`.

`dispatch.settings.Settings` (pydantic-settings) has every field of the CLI and the service;
importing it costs about 0.3 s of CPU and 10-15 MB, paid before the first row by every
console that builds one. An SSH session reads its few fields from the gateway's config
(`dispatch.ssh.console_settings`); `dispatch` itself reads them here (`load`) when nothing
but these fields is set, and `Settings` takes its defaults for them from `ConsoleValues`:
one definition each. A `Settings` satisfies the protocol as it is.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from dispatch.display.clock import DEFAULT_ZONE
from dispatch.i18n import _
from dispatch.setting_problems import BadSettings, SettingProblem, env_name, in_file

APP_NAME = "dispatch"
_TRUE = frozenset(("1", "true", "yes", "on", "t", "y"))
_FALSE = frozenset(("0", "false", "no", "off", "f", "n"))
NOT_SETTINGS = frozenset(("dispatch_config", "dispatch_trace_start"))
"""DISPATCH_* variables read before or beside the settings; `Settings` ignores them."""


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


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the TOML config lives: `DISPATCH_CONFIG` (the SSH gateway's `--config`), else
    the user's (platformdirs); `environ` is the process's unless given (`i18n_choice`)."""
    given = (os.environ if environ is None else environ).get("DISPATCH_CONFIG")
    if given:
        return Path(given)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    """Where embedded databases and caches live (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def default_database_url() -> str:
    """The embedded SQLite file in the user's data directory."""
    return f"sqlite:///{data_dir() / 'dispatch.db'}"


@dataclass(frozen=True, slots=True)
class ConsoleValues:
    """The settings `dispatch` reads to open its console. The defaults here are `Settings`'
    for the same fields (it reads them from here)."""

    server: str | None = None
    token: str | None = None
    token_file: Path | None = None
    insecure: bool = False
    ca_file: Path | None = None
    database_url: str = field(default_factory=default_database_url)
    keymap: dict[str, str] = field(default_factory=dict)
    timezone: str = DEFAULT_ZONE
    bell: bool = False
    language: str | None = None
    given: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """What the command line gave: `full()` gives it to `Settings` again."""

    def with_token(self, token: str) -> ConsoleValues:
        return replace(self, token=token)

    def full_arguments(self) -> dict[str, Any]:
        """What `Settings(**...)` needs to give every setting (pydantic) for the embedded
        service, after the first frame: built by `console._full`, since `settings` imports
        this module for its defaults."""
        token = {"token": self.token} if self.token is not None else {}
        return {**self.given, **token}


FIELDS = frozenset(ConsoleValues.__dataclass_fields__) - {"given"}


def default(name: str) -> Any:
    """The default of console setting `name` (for `Settings`' field of the same name)."""
    return ConsoleValues.__dataclass_fields__[name].default


def flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise SettingProblem(name, value, "bool_parsing")


def zone(name: str, field: str = "timezone") -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingProblem(
            field,
            name,
            "value_error",
            message=_("unknown time zone (an IANA name like Europe/Berlin)"),
        ) from None
    return name


def keymap(value: Any) -> dict[str, str]:
    given = value
    if isinstance(value, str):  # from the environment: JSON, as pydantic-settings reads it
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise SettingProblem(
                "keymap", given, "value_error", message=_("not a JSON object of binding id -> keys")
            ) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise SettingProblem(
            "keymap", given, "value_error", message=_("not a table of binding id -> keys")
        )
    return dict(value)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SettingProblem(name, value, "string_type")
    return value


def _language(value: Any) -> str:
    from dispatch.i18n import LANGUAGES

    if _text("language", value) not in LANGUAGES:
        raise SettingProblem("language", value, "literal_error", {"allowed": LANGUAGES})
    return str(value)


def _path(name: str, value: Any) -> Path:
    return Path(_text(name, value))


def _zone(name: str, value: Any) -> str:
    return zone(_text(name, value), name)


_CHECK: dict[str, Callable[[str, Any], Any]] = {
    "server": _text,
    "token": _text,
    "token_file": _path,
    "ca_file": _path,
    "insecure": flag,
    "bell": flag,
    "database_url": _text,
    "timezone": _zone,
    "language": lambda _name, value: _language(value),
}


def _sources() -> tuple[dict[str, str], dict[str, Any]] | None:
    """The environment (names lowercased, as pydantic-settings matches them) and the config
    file; None when either holds a setting this module does not check, or the file is
    broken: `Settings` reads those and names the mistake."""
    env = {name.lower(): value for name, value in os.environ.items()}
    ours = {name for name in env if name.startswith("dispatch_")} - NOT_SETTINGS
    if {name.removeprefix("dispatch_") for name in ours} - FIELDS:
        return None
    if "forwarded_allow_ips" in env:  # trusted_proxies' other name
        return None
    try:
        with config_file().open("rb") as f:
            toml = tomllib.load(f)
    except FileNotFoundError:
        toml = {}
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if set(toml) - FIELDS:
        return None
    return env, toml


def _checked(
    check: Callable[[str, Any], Any], name: str, value: Any, where: str, problems: list[str]
) -> Any:
    """`check(name, value)`, or None with the problem's line, naming `where`, in `problems`."""
    try:
        return check(name, value)
    except SettingProblem as problem:
        problems.append(problem.at(where))
        return None


def _keymaps(env: dict[str, str], toml: dict[str, Any], problems: list[str]) -> dict[str, str]:
    """The environment's keys over the file's, merged as pydantic-settings merges them."""
    file: Any = toml.get("keymap") or {}
    variable: Any = env.get("dispatch_keymap") or {}
    here = in_file(config_file(), "keymap")
    there = env_name("dispatch_keymap") or "DISPATCH_KEYMAP"
    return {
        **(_checked(lambda _n, v: keymap(v), "keymap", file, here, problems) or {}),
        **(_checked(lambda _n, v: keymap(v), "keymap", variable, there, problems) or {}),
    }


def load(**given: Any) -> ConsoleValues | None:
    """The console's settings from `given` (the command line), DISPATCH_* and config.toml,
    in that order; None when `Settings` must read them. BadSettings names each bad value,
    where it was written, a line each (`setting_problems`)."""
    given = {name: value for name, value in given.items() if value is not None}
    sources = _sources()
    if sources is None:
        return None
    env, toml = sources
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in sorted(FIELDS - {"keymap"}):
        names = ("database_url", "dispatch_database_url") if name == "database_url" else ()
        found = [each for each in (*names, f"dispatch_{name}") if each in env]
        if name in given:
            values[name] = given[name] if name != "ca_file" else Path(given[name])
        elif found:
            where = env_name(found[0]) or found[0]
            values[name] = _checked(_CHECK[name], name, env[found[0]], where, problems)
        elif name in toml:
            where = in_file(config_file(), name)
            values[name] = _checked(_CHECK[name], name, toml[name], where, problems)
    values["keymap"] = _keymaps(env, toml, problems)
    if problems:
        raise BadSettings(problems)
    return ConsoleValues(**values, given=given)
