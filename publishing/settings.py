"""Settings of the publishing package, composed into vkbot's Config under [publishing]."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PublishingSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
