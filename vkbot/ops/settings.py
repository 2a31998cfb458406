"""The ``[alerts]`` and ``[health]`` settings: plain validated values, importing nothing from ``vkbot``.

They live apart from the workers that use them so ``vkbot.config`` can compose them without importing
the workers (which import the status report, which imports the config: the loop issue 13 found).
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["AlertSettings", "HealthSettings", "SmtpSettings"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SmtpSettings(_Frozen):
    """``[alerts.smtp]``; the password comes from ``VKBOT_ALERTS__SMTP__PASSWORD`` or the secrets file."""

    host: str = ""  # empty: no e-mail alerts
    port: int = Field(587, ge=1, le=65535)
    from_addr: str = ""
    to: list[str] = []
    starttls: bool = True
    username: str = ""
    password: SecretStr = SecretStr("")
    timeout_s: float = Field(20.0, gt=0)


class AlertSettings(_Frozen):
    """``[alerts]``: who is told and when."""

    enabled: bool = True
    founder_user_id: int = Field(0, ge=0)  # 0: no VK message
    language: Literal["ru", "uk", "en"] = "ru"  # of what the bot tells her: alerts, the daily reconciliation
    stall_after_s: float = Field(120.0, gt=0)
    check_every_s: float = Field(10.0, gt=0)
    smtp: SmtpSettings = SmtpSettings()
    # Her quiet hours, in her time zone (``timezone``, else [waitlist] timezone): a request for a person
    # waits until they end; words of despair never wait. Unset (or equal): no quiet hours.
    quiet_from_hour: int | None = Field(None, ge=0, le=23)
    quiet_until_hour: int | None = Field(None, ge=0, le=23)
    timezone: str = ""

    @model_validator(mode="after")
    def _quiet_hours_whole(self) -> AlertSettings:
        if (self.quiet_from_hour is None) != (self.quiet_until_hour is None):
            raise ValueError("set both quiet_from_hour and quiet_until_hour, or neither")
        if self.timezone:  # an unknown zone fails at start, not at the first alert
            try:
                ZoneInfo(self.timezone)
            except (KeyError, ValueError) as exc:
                raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        return self


class HealthSettings(_Frozen):
    """``[health]``: where the endpoint listens and when the listener counts as stalled."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8081, ge=0, le=65535)
    # Longer than a long-poll wait (25 s) plus its timeout, so a quiet community is not "stalled".
    stall_after_s: float = Field(90.0, gt=0)
