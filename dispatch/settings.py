"""One settings object: CLI flags override environment, environment overrides the TOML file."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_config_dir, user_data_dir
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from dispatch.display.clock import DEFAULT_ZONE

APP_NAME = "dispatch"


def config_file() -> Path:
    """Where the TOML config lives: `DISPATCH_CONFIG` (the SSH gateway's `--config`), else
    the user's (platformdirs)."""
    given = os.environ.get("DISPATCH_CONFIG")
    return Path(given) if given else Path(user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    """Where embedded databases and caches live (platformdirs)."""
    return Path(user_data_dir(APP_NAME))


def default_database_url() -> str:
    """The embedded SQLite file in the user's data directory."""
    return f"sqlite:///{data_dir() / 'dispatch.db'}"


class Settings(BaseSettings):
    """Settings for the console, the CLI and the service."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")

    server: str | None = Field(
        default=None, description="URL of a running dispatch service; unset = embedded service"
    )
    token: str | None = Field(default=None, description="Bearer token for the service")
    database_url: str = Field(
        default_factory=default_database_url,
        validation_alias=AliasChoices("DATABASE_URL", "DISPATCH_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL of the service's database (SQLite file or PostgreSQL)",
    )
    max_page_size: int = Field(default=500, description="Largest `limit` a list accepts")
    max_body_bytes: int = Field(default=1024 * 1024, description="Largest request body accepted")
    feed_retention_hours: float = Field(
        default=24 * 7,
        description="How far back GET /changes serves; older `since` values get 410",
    )
    idempotency_hours: float = Field(default=48, description="How long idempotency keys are kept")
    max_wait_seconds: float = Field(default=60, description="Longest long-poll of GET /changes")
    long_polls_per_token: int = Field(
        default=4, ge=0, description="Long-polls of GET /changes one token may hold open at once"
    )
    long_polls_per_process: int = Field(
        default=2000, ge=0, description="Long-polls one service process holds open at once"
    )
    bell: bool = Field(
        default=False,
        description="Ring the terminal bell on a new escalation or P1 (the console, live only)",
    )
    rate_limit_per_minute: float = Field(
        default=1200,
        description="Requests a minute one bearer token may send (0 = no limit); per process",
    )
    """Sustained rate of the per-token limiter; each service process counts on its own."""
    rate_limit_burst: int = Field(
        default=200, ge=1, description="Requests one token may send at once before the rate applies"
    )
    """Size of each token's bucket: a burst up to this passes, then `rate_limit_per_minute`."""
    auth_failures_per_minute: float = Field(
        default=30,
        description="Failed authentications a minute one client address may make (0 = no limit)",
    )
    """Refill rate of each address's bucket of failed authentications; past it, requests
    from that address with a token not seen live just before are 429 (DESIGN.md)."""
    auth_failure_burst: int = Field(
        default=20, ge=1, description="Failed authentications one address may make at once"
    )
    header_timeout_seconds: float = Field(
        default=10, gt=0, description="Time a client has to send a request's headers"
    )
    body_timeout_seconds: float = Field(
        default=30, gt=0, description="Time a client has to send a request's whole body"
    )
    max_connections_per_address: int = Field(
        default=64, ge=1, description="Open connections one client address may hold"
    )
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="Binding id -> keys, e.g. {'ticket.comment': 'n'} (ids: `?` in the console)",
    )
    ssh_user: str = Field(
        default="dispatch", description="The account technicians log in to over SSH"
    )
    ssh_cache_dir: Path | None = Field(
        default=None, description="Where SSH sessions keep each person's cache (data dir/ssh)"
    )
    ssh_check_seconds: float = Field(
        default=20, gt=0, description="How often an SSH session checks its key is still valid"
    )
    timezone: str = Field(
        default=DEFAULT_ZONE,
        description="IANA zone every time a person reads is shown in (the provider's zone)",
    )
    """Not the machine's zone: a console over SSH on a server in UTC still shows Berlin."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r} (an IANA name like Europe/Berlin)"
            ) from None
        return name

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=config_file()),
        )
