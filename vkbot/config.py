"""Typed, frozen configuration: a TOML file, then an optional secrets file, then the environment.

Precedence (later wins): defaults < ``--config`` TOML < ``[secrets] file`` TOML < ``VKBOT_SECTION__KEY`` env.
Errors name the key and what is wrong with it (see ``ConfigError``).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from moderation.settings import ModerationSettings
from publishing.settings import PublishingSettings
from vkbot.auth.settings import AuthSettings
from vkbot.dashboard.settings import DashboardSettings
from vkbot.ops.settings import AlertSettings, HealthSettings
from waitlist.settings import WaitlistSettings

ENV_PREFIX = "VKBOT_"


class ConfigError(Exception):
    """A configuration problem; each line of ``problems`` names one key."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VkSettings(_Frozen):
    api_base_url: str = "https://api.vk.ru/method/"
    api_version: str = "5.199"
    group_id: int = Field(0, ge=0)
    # The community token. Never in the file you commit: use VKBOT_VK__TOKEN or the secrets file.
    token: SecretStr = SecretStr("")
    rate_per_s: int = Field(20, ge=1, le=1000)
    longpoll_wait: int = Field(25, ge=0, le=90)
    request_timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(5, ge=0)
    backoff_base_s: float = Field(0.5, gt=0)
    backoff_max_s: float = Field(30.0, gt=0)
    flood_pause_s: float = Field(60.0, ge=0)
    execute_batch: bool = True
    # A history fill after a long-poll gap reaches back no further than this before the last saved ts
    # (an edit carries its message's original date, which may be years old).
    gap_fill_max_window_h: float = Field(72.0, gt=0)
    oauth_base_url: str = "https://id.vk.com/"
    app_client_id: str = ""
    redirect_uri: str = ""


class StorageSettings(_Frozen):
    database_url: str = "sqlite:///vkbot-data/vkbot.db"
    files_dir: Path = Path("vkbot-data/files")


class OutboxSettings(_Frozen):
    # Rows claimed at once: four full execute requests. 25 left the limiter idle between claims;
    # 500 and 1,000 measured slower than 100 (bench/outbox.py, 2026-11-25: shares 0.82, 0.80, 0.88).
    batch_size: int = Field(100, ge=1, le=100)
    idle_poll_s: float = Field(0.5, gt=0)
    max_attempts: int = Field(8, ge=1)
    # How long a sender owns the rows it claimed; after a crash another sender takes them after this.
    lease_s: float = Field(30.0, gt=0)


class SecretsSettings(_Frozen):
    # A TOML file outside the repository holding the secret keys (same sections as this file).
    file: Path | None = None


class LogSettings(_Frozen):
    level: str = "INFO"


class Config(_Frozen):
    vk: VkSettings = VkSettings()
    storage: StorageSettings = StorageSettings()
    outbox: OutboxSettings = OutboxSettings()
    secrets: SecretsSettings = SecretsSettings()
    log: LogSettings = LogSettings()
    auth: AuthSettings = AuthSettings()
    health: HealthSettings = HealthSettings()
    dashboard: DashboardSettings = DashboardSettings()
    alerts: AlertSettings = AlertSettings()
    waitlist: WaitlistSettings = WaitlistSettings()
    moderation: ModerationSettings = ModerationSettings()
    publishing: PublishingSettings = PublishingSettings()

    @model_validator(mode="after")
    def _one_support_line(self) -> Config:
        """The intake gives the support line now; it is [moderation]'s unless [waitlist] names its own."""
        if "support_line" in self.waitlist.model_fields_set:
            return self
        waitlist = self.waitlist.model_copy(update={"support_line": self.moderation.support_line})
        return self.model_copy(update={"waitlist": waitlist})


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    """``VKBOT_VK__TOKEN=x`` becomes ``{"vk": {"token": "x"}}``; values stay strings, pydantic coerces."""
    tree: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return tree


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError([f"{what}: file {path} does not exist"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{what}: {path} is not valid TOML: {exc}"]) from exc


def _describe(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]


def load_config(path: Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Load and validate; raises ``ConfigError`` listing every bad key."""
    environ = dict(os.environ) if environ is None else environ
    data: dict[str, Any] = _read_toml(path, "--config") if path else {}
    if "password" in (data.get("dashboard") or {}):
        # The file may be committed or shared; the dashboard's password is a secret like the token.
        raise ConfigError(
            ["dashboard.password: not in the config file; use VKBOT_DASHBOARD__PASSWORD or the secrets file"]
        )
    env = _env_overrides(environ)
    secrets_file = env.get("secrets", {}).get("file") or data.get("secrets", {}).get("file")
    if secrets_file:
        data = _deep_merge(data, _read_toml(Path(secrets_file), "secrets.file"))
    data = _deep_merge(data, env)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from exc
