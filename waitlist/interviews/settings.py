"""``[waitlist.interviews]``: the founder's interviews with families (free hours, call length, offers)."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["WEEKDAYS", "InterviewSettings"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class InterviewSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Off until she turns it on and has free hours: nobody is offered a call she did not plan.
    enabled: bool = False
    # Her time zone; empty: the community's ([waitlist] timezone).
    timezone: str = ""
    call_minutes: int = Field(default=45, ge=10, le=240)
    # A breath between two calls (a call may run over; she writes notes).
    gap_minutes: int = Field(default=15, ge=0, le=240)
    # Her usual free hours, in her zone: {"mon": ["11:00-13:00", "15:00-18:00"], ...}.
    # `vkbot interviews free` stores her changes (and days off, extra hours) in the database.
    weekly: dict[str, list[str]] = {}
    # An order this many places from the front (or nearer) is offered a call.
    offer_places_ahead: int = Field(default=3, ge=1)
    offer_count: int = Field(default=3, ge=1, le=4)
    # The earliest call offered is this far from now; the latest this many days ahead.
    min_notice_hours: float = Field(default=20.0, ge=0)
    horizon_days: int = Field(default=21, ge=1, le=120)
    # An offer left unanswered this long gets one gentle follow-up (inside the sending window)...
    follow_up_hours: float = Field(default=48.0, gt=0)
    # ...and this long after it, the offer lapses: the order keeps its place, «звонок» asks again.
    lapse_hours: float = Field(default=48.0, gt=0)
    # The secret in the calendar feed's address (/interviews/feed/<token>.ics); empty: no feed.
    feed_token: SecretStr = SecretStr("")

    @field_validator("weekly", mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        """The environment gives text: ``{"mon": ["10:00-13:00"]}`` as JSON, or ``..._WEEKLY__MON=10:00-13:00,15:00-18:00``."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        if isinstance(value, dict):
            return {k: v.split(",") if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("weekly")
    @classmethod
    def _known_days(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from waitlist.interviews.hours import parse_range  # the one parser of "HH:MM-HH:MM"

        for day, ranges in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}: use {', '.join(WEEKDAYS)}")
            for text in ranges:
                parse_range(text)
        return value

    @field_validator("feed_token")
    @classmethod
    def _long_token(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if secret and (len(secret) < 24 or not secret.replace("-", "").replace("_", "").isalnum()):
            raise ValueError("feed_token must be at least 24 letters, digits, '-' or '_' (it is a password)")
        return value
