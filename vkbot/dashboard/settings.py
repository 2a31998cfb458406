"""``[dashboard]``: whether the founder's dashboard runs, where it listens, her password (secret), and
what it trusts when it is reached through a TLS reverse proxy."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# Shorter passwords are refused (hers at start, a helper's when set): the dashboard shows relatives'
# stories and contacts.
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
    # Host names the browser may use to reach it, besides the loopback ones (a DNS-rebinding page
    # names its own host and is refused); e.g. ["dashboard.example.org"] behind a proxy.
    allowed_hosts: list[str] = []
    # Addresses (or networks, "10.0.0.0/8") of reverse proxies whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: list[str] = []
    # Cookies only over HTTPS; also set by itself for a request that arrived over HTTPS.
    secure_cookies: bool = False
    # The audit trail (who did what) keeps this many days; the daily sweep forgets older rows.
    audit_keep_days: int = Field(365, ge=1)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError names the bad entry
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [host.strip().lower() for host in value if host.strip()]
