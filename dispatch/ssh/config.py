"""The few settings the SSH gateway needs, read without pydantic (it runs at every login).

The same sources as `dispatch.settings.Settings` in the same order: environment, then the
TOML config file (`DISPATCH_CONFIG`, or `dispatch ssh --config`, else the user's). sshd gives
an `AuthorizedKeysCommand` no environment beyond PATH, USER, LOGNAME and HOME, so the
service account's config file is where the database URL lives.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

APP_NAME = "dispatch"
CONFIG_ENV = "DISPATCH_CONFIG"
SESSION_HOURS = 12.0
"""The longest an SSH session's token lives; it is revoked at the session's end before that."""


def config_path() -> Path:
    given = os.environ.get(CONFIG_ENV)
    if given:
        return Path(given)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "config.toml"


def data_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


class GateConfig(NamedTuple):  # not a dataclass: see `domain.ssh_keys.PublicKey`
    database_url: str
    ssh_user: str
    server: str | None
    check_seconds: float
    cache_dir: Path
    path: Path


def _file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}


def read_toml(path: Path) -> dict[str, Any]:
    """The config file's table ({} when there is none); ValueError when it is unreadable."""
    try:
        return _file(path)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None


def load() -> GateConfig:
    """The gateway's settings; ValueError when the config file is unreadable."""
    path = config_path()
    toml = read_toml(path)
    env = os.environ

    def pick(key: str, *names: str) -> Any:
        for name in names:
            if env.get(name):
                return env[name]
        return toml.get(key)

    url = pick("database_url", "DATABASE_URL", "DISPATCH_DATABASE_URL")
    cache = pick("ssh_cache_dir", "DISPATCH_SSH_CACHE_DIR")
    return GateConfig(
        database_url=str(url or f"sqlite:///{data_path() / 'dispatch.db'}"),
        ssh_user=str(pick("ssh_user", "DISPATCH_SSH_USER") or "dispatch"),
        server=pick("server", "DISPATCH_SERVER"),
        check_seconds=float(pick("ssh_check_seconds", "DISPATCH_SSH_CHECK_SECONDS") or 20),
        cache_dir=Path(cache) if cache else data_path() / "ssh",
        path=path,
    )
