"""``[dashboard]``: whether the founder's dashboard runs, where it listens, and its password (secret)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

# Shorter passwords are refused at start: the dashboard shows relatives' stories and contacts.
MIN_PASSWORD_CHARS = 8


class DashboardSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    host: str = "127.0.0.1"  # loopback: the dashboard speaks plain HTTP
    port: int = Field(8082, ge=0, le=65535)
    # Only from VKBOT_DASHBOARD__PASSWORD or the secrets file (load_config refuses it in the config file).
    password: SecretStr = SecretStr("")
    session_hours: float = Field(12.0, gt=0, le=24 * 30)
    # The largest finished clip the order page accepts (streamed to disk; the rest of the app takes 64 KB).
    clip_max_mb: int = Field(1024, ge=1, le=16 * 1024)
