"""Settings of the waitlist package, composed into vkbot's Config under [waitlist]."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WaitlistSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
