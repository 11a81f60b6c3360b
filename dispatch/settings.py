"""One settings object: CLI flags override environment, environment overrides the TOML file."""

from __future__ import annotations

import os
import tomllib
from ipaddress import ip_network
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from dispatch.console_settings import (
    APP_NAME,
    config_file,
    data_dir,
    default,
    default_database_url,
    keymap,
    zone,
)
from dispatch.i18n import _
from dispatch.setting_problems import BadSettings, SettingProblem, env_name, in_file, line

__all__ = [
    "APP_NAME",
    "BadSettings",
    "Settings",
    "build",
    "config_file",
    "data_dir",
    "default_database_url",
    "proxy_list",
]


def proxy_list(value: str) -> list[str]:
    """`trusted_proxies` as a list (uvicorn's `forwarded_allow_ips`)."""
    return [item.strip() for item in value.split(",") if item.strip()]


class Settings(BaseSettings):
    """Settings for the console, the CLI and the service."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")

    server: str | None = Field(
        default=default("server"),
        description="URL of a running dispatch service; unset = embedded service",
    )
    token: str | None = Field(default=default("token"), description="Bearer token for the service")
    token_file: Path | None = Field(
        default=default("token_file"),
        description="File holding the bearer token (owner-only); used when no token is given",
    )
    """Keeps the token out of argv, shell history and config.toml (`client/token_file.py`)."""
    insecure: bool = Field(
        default=default("insecure"),
        description="Send the token over plain http:// to another host (a network you trust)",
    )
    ca_file: Path | None = Field(
        default=default("ca_file"),
        description="PEM file of the CAs to verify https:// with (default: the system's)",
    )
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
        default=default("bell"),
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
    trusted_proxies: str = Field(
        default="",
        validation_alias=AliasChoices(
            "DISPATCH_TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS", "trusted_proxies"
        ),
        description="Reverse proxies (IPs or networks, comma-separated) whose X-Forwarded-For "
        "and X-Forwarded-Proto the service believes; empty = none",
    )
    """Behind a proxy every request comes from the proxy's address: trusted, its
    X-Forwarded-For names the client that the failed-login limit counts, and the connection
    cap per address leaves it alone (the proxy limits its clients' connections itself).
    uvicorn's own FORWARDED_ALLOW_IPS, which earlier versions documented, is read too."""
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="Binding id -> keys, e.g. {'ticket.comment': 'n'} (ids: `?` in the console)",
    )
    imap_host: str | None = Field(
        default=None, description="IMAP server of the support mailbox (unset: no mail intake)"
    )
    imap_port: int = Field(default=993, ge=1, le=65535, description="IMAP server's port")
    imap_security: Literal["ssl", "starttls", "none"] = Field(
        default="ssl",
        description="ssl (IMAPS), starttls, or none (allowed only for a loopback host)",
    )
    imap_user: str | None = Field(default=None, description="Login of the support mailbox")
    imap_password: SecretStr | None = Field(
        default=None, description="Password of the support mailbox"
    )
    imap_folder: str = Field(default="INBOX", description="Folder the intake reads")
    imap_done_folder: str | None = Field(
        default=None,
        description="Folder taken mail is moved to (unset: it stays, flagged \\Seen and "
        "$DispatchTaken)",
    )
    imap_poll_seconds: float = Field(
        default=60,
        ge=0,
        description="`dispatch serve` fetches this often (IDLE wakes it sooner; 0 = off)",
    )
    imap_ca_file: str | None = Field(
        default=None,
        description="CA certificates (PEM) to trust for the IMAP server instead of the system's",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for the mails to customers; unset = mail off"
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="starttls (port 587), ssl (port 465) or none"
    )
    smtp_user: str | None = Field(default=None, description="SMTP AUTH user (unset: no AUTH)")
    smtp_password: str | None = Field(default=None, description="SMTP AUTH password")
    smtp_ca_file: str | None = Field(
        default=None,
        description="CA bundle to check the SMTP server's certificate with (unset: the system's)",
    )
    smtp_timeout_seconds: float = Field(
        default=30, gt=0, description="Longest wait for the SMTP server at each step"
    )
    mail_from: str | None = Field(
        default=None, description="Sender of the mails to customers, e.g. support@provider.example"
    )
    mail_reply_to: str | None = Field(
        default=None, description="Where customers' replies go: the support mailbox"
    )
    mail_domain: str | None = Field(
        default=None, description="Domain of our Message-IDs (unset: the domain of mail_from)"
    )
    smtp_poll_seconds: float = Field(
        default=5,
        ge=0,
        description="How often this process sends the mails due (0: it sends none; another does)",
    )
    mail_max_attempts: int = Field(
        default=8, ge=1, description="Tries of one mail before it is marked failed"
    )
    report_header: str = Field(
        default="IT-Service",
        max_length=400,
        description="The provider's name and address atop every service report (lines "
        "separated by newlines, at most four)",
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
    language: Literal["en", "de"] | None = Field(
        default=default("language"),
        description="Language of the console and the CLI (en, de); unset = the locale's (LANG)",
    )
    """Read before the settings are (`i18n_choice`), so `--help` is in it too; here so a
    wrong value in config.toml is refused with the rest of its mistakes."""
    timezone: str = Field(
        default=default("timezone"),
        description="IANA zone every time a person reads is shown in (the provider's zone)",
    )
    """Not the machine's zone: a console over SSH on a server in UTC still shows Berlin."""
    mail_attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=0,
        description="Largest mail attachment kept; larger ones are listed, not kept",
    )
    mail_attachments_max_bytes: int = Field(
        default=25 * 1024 * 1024,
        ge=0,
        description="Most attachment bytes kept of one mail; past it the rest are only listed",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        return zone(name)

    @field_validator("keymap", mode="before")
    @classmethod
    def _binding_keys(cls, value: Any) -> dict[str, str]:
        return keymap(value)  # the light start's check: its words for a bad one

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for item in proxy_list(value):
            try:
                ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    _(
                        "{item} is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/24)"
                    ).format(item=item)
                ) from None
        return value

    @model_validator(mode="after")
    def _mail_needs_a_sender(self) -> Settings:
        if self.smtp_host and not self.mail_from:
            raise ValueError(_("mail_from is required when smtp_host is set (the mails' sender)"))
        if self.smtp_password and not self.smtp_user:
            raise ValueError(_("smtp_password needs smtp_user"))
        return self

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
            _LenientEnv(settings_cls),
            TomlConfigSettingsSource(settings_cls, toml_file=config_file()),
        )


class _LenientEnv(EnvSettingsSource):
    """The environment, with a variable that is not the JSON its field wants (DISPATCH_KEYMAP)
    left as text: the field's validator names the mistake, where pydantic-settings would
    raise its own SettingsError, which names no variable."""

    def decode_complex_value(self, field_name: str, field: Any, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            return value


def build(**given: Any) -> Settings:
    """`Settings(**given)` (the command line's values); BadSettings names each bad setting
    in the words of the light start, a line each."""
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise BadSettings([_problem(error, given) for error in exc.errors()]) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadSettings([in_file(config_file(), str(exc))]) from None


def _aliases(field: str) -> tuple[str, ...]:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    return tuple(str(each) for each in alias.choices) if isinstance(alias, AliasChoices) else ()


def _field(name: str) -> str:
    """The field a pydantic error's location names: a field, or one of its other names."""
    return next((f for f in Settings.model_fields if name in (f, *_aliases(f))), name)


def _where(field: str, given: dict[str, Any], value: Any) -> tuple[str, Any]:
    """Where the value pydantic read came from, as the user wrote it, and the value as given
    there (a variable's text, not the JSON pydantic-settings made of it): the command line,
    then the environment, then config.toml (pydantic-settings' order)."""
    if field in given:
        return "--" + field.replace("_", "-"), value
    variable = env_name(*(_aliases(field) or (f"DISPATCH_{field}",)))
    if variable is not None:
        return variable, os.environ[variable]
    return in_file(config_file(), field), value


def _allowed(field: str) -> tuple[Any, ...]:
    """The values a `Literal` field takes (pydantic's own list of them is English prose)."""
    info = Settings.model_fields.get(field)
    annotation = info.annotation if info is not None else None
    for each in (annotation, *get_args(annotation)):
        if get_origin(each) is Literal:
            return get_args(each)
    return ()


def _problem(error: Any, given: dict[str, Any]) -> str:
    """One of pydantic's errors as the line the light start would print for it."""
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    cause = ctx.get("error")
    message = str(cause) if kind == "value_error" and cause is not None else error["msg"]
    if not error["loc"]:  # a rule over several settings: its own sentence names them
        return message
    field = _field(str(error["loc"][0]))
    if isinstance(cause, SettingProblem):
        kind, ctx, message = cause.kind, cause.ctx, cause.message
    if kind == "literal_error":
        ctx["allowed"] = _allowed(field)
    where, value = _where(field, given, error["input"])
    return line(where, value, kind, ctx, message)
