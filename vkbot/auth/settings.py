"""Settings of the admin user token, composed into vkbot's Config under [auth]."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

# VK ID scope names are space-separated; which of them VK grants a given app is UNCONFIRMED (vk-api.md):
# wall (posting, comment removal), groups (bans), video (clip upload), photos (wall photos).
DEFAULT_SCOPE = "wall groups video photos"


class AuthSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: str = DEFAULT_SCOPE
    # Refresh this long before VK's one-hour access token ends, so no call meets an expired token.
    refresh_margin_s: int = Field(default=300, ge=0, le=3000)
    # The Fernet key for tokens at rest, when not in the VKBOT_SECRET_KEY environment variable
    # (put it in the secrets file, never in the committed config).
    secret_key: SecretStr = SecretStr("")
    # How long a printed authorize link stays usable (VK ID codes themselves live ten minutes).
    pending_ttl_s: int = Field(default=1800, ge=60)
    request_timeout_s: float = Field(default=30.0, gt=0)
