"""Settings of the moderation package, composed into vkbot's Config under [moderation]."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ModerationSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
