"""Settings of the publishing package, composed into vkbot's Config under [publishing]."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["PublishingSettings"]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PublishingSettings(BaseModel):
    """When clips go on the wall and how their captions read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    # Local times of day ("HH:MM") in ``timezone`` and the weekdays (0 = Monday) they apply to.
    slot_times: tuple[str, ...] = ("19:00",)
    slot_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    timezone: str = "Europe/Moscow"
    # VK refuses more than 50 wall.post a day (error 214); we never plan past our own cap.
    max_posts_per_day: int = Field(default=50, ge=1, le=50)
    # The wall is the community's: captions and the founder's hand-off read in its language.
    lang: str = "ru"
    caption_key: str = "publishing.caption"
    # A slot missed by more than this (the suite was down) moves to the next free slot
    # instead of posting late, so a restart never posts a burst of clips at once.
    late_grace_minutes: int = Field(default=120, ge=0)
    # The family is asked to approve the exact post; no answer in this many days means not published.
    approval_days: int = Field(default=7, ge=1)
    # Minutes a drafted caption waits before the family sees it, so the founder can change it first
    # (`vkbot schedule caption`); 0 asks at once.
    review_minutes: int = Field(default=0, ge=0)
    # Comments under every memorial post closed (wall.post close_comments); otherwise each family chooses
    # in the approval dialog, and open comments are moderated with the stricter memorial threshold.
    close_comments: bool = False
    # Hand each approved post to VK as a postponed post (wall.post publish_date) once its slot is within
    # ``postpone_ahead_hours``, so the wall keeps its schedule while the suite is down. A post the
    # founder moves, pauses or changes is taken back from VK's postponed list and handed again.
    postpone_on_vk: bool = False
    postpone_ahead_hours: int = Field(default=24, ge=1, le=24 * 14)
    # How far ahead the slot search looks before giving up (a full calendar stays visible, not lost).
    horizon_days: int = Field(default=400, ge=1)

    @field_validator("slot_times", "slot_weekdays", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        # Environment overrides arrive as one string: "19:00,21:00" or "0,2,4".
        return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value

    @field_validator("slot_times")
    @classmethod
    def _times(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("needs at least one time")
        bad = [t for t in value if not _HHMM.match(t)]
        if bad:
            raise ValueError(f"times must be HH:MM (24 h), got {bad}")
        return tuple(sorted(set(value)))

    @field_validator("slot_weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 0 <= d <= 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday), at least one")
        return tuple(sorted(set(value)))

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
