"""Settings of the waitlist package, composed into vkbot's Config under [waitlist]."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from waitlist.interviews.settings import InterviewSettings


class WaitlistSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Capacity: the founder's pace gives every estimate.
    clips_per_week: float = Field(default=3.0, gt=0)
    # More waiting orders than this and a new request goes on the sign-up list (no photos collected).
    queue_limit: int = Field(default=30, ge=1)
    # An order intake holds its place from its first answer, so a relative who started while there was
    # room is never turned away at the end, and the queue does not run past the limit. A dialog silent
    # this long gives the place back; if its writer returns later, they finish their order all the same
    # (the queue may then run over by such returns; with several processes on PostgreSQL, also by
    # intakes that start in the same instant, each seeing the last place free).
    place_hold_hours: float = Field(default=48.0, gt=0)
    # An invited writer who has not started their order this many days after hearing of it gives the place on.
    invitation_days: int = Field(default=14, ge=1)
    # What the founder asks for a clip, per language; shown by the "price" command.
    price_text: dict[str, str] = {
        "ru": "Ролик делается бесплатно. Если захотите, можно поддержать работу добровольным переводом.",
        "uk": "Ролик робиться безкоштовно. Якщо захочете, можна підтримати роботу добровільним переказом.",
        "en": "The clip is made free of charge. If you wish, you can support the work with a voluntary gift.",
    }

    # Consent to the processing of personal data: the version and the catalogue key of its wording.
    pd_consent_version: str = "2026-11-01"
    pd_consent_text_key: str = "intake.consent.pd_text"
    # Consent to publish the finished clip on the wall (a separate, explicit question).
    publication_consent_version: str = "2026-11-01"
    publication_consent_text_key: str = "intake.ask.publish"

    # Retention, in days.
    declined_consent_texts_days: int = Field(default=3, ge=0)
    abandoned_intake_days: int = Field(default=30, ge=1)
    cancelled_order_days: int = Field(default=30, ge=0)
    signup_days: int = Field(default=730, ge=1)
    files_after_delivery_days: int = Field(default=60, ge=0)
    processed_event_days: int = Field(default=14, ge=1)

    # The bot steps back this long after the founder writes in a conversation herself.
    founder_takeover_hours: float = Field(default=24.0, gt=0)
    # Meanwhile the writer hears "your message is passed on" at most this often (never silence).
    takeover_ack_hours: float = Field(default=3.0, gt=0)
    # The support line given with words of despair (vkbot's config fills in [moderation] support_line).
    support_line: str = "8-800-2000-122"

    # Downloads and the photo check.
    photo_max_bytes: int = Field(default=20_000_000, ge=1)
    voice_max_bytes: int = Field(default=20_000_000, ge=1)
    photo_min_side: int = Field(default=600, ge=1)
    photo_min_sharpness: float = Field(default=40.0, ge=0)
    photo_require_face: bool = True

    # Text bounds: a very long message is kept, cut at this many characters (the raw event keeps it all).
    max_text_chars: int = Field(default=20_000, ge=100)
    summary_story_chars: int = Field(default=300, ge=20)

    # Proactive messages only inside this local window (hours, [start, end)).
    sending_window_start_hour: int = Field(default=9, ge=0, le=23)
    sending_window_end_hour: int = Field(default=21, ge=1, le=24)
    timezone: str = "Europe/Moscow"
    # The relative is told unprompted when the estimate moves later by more than this.
    estimate_slip_margin_days: int = Field(default=7, ge=0)

    # The founder's calls with families ([waitlist.interviews]; see waitlist/interviews/settings.py).
    interviews: InterviewSettings = InterviewSettings()

    @model_validator(mode="after")
    def _window_ordered(self) -> WaitlistSettings:
        if self.sending_window_start_hour >= self.sending_window_end_hour:
            raise ValueError("sending_window_start_hour must be before sending_window_end_hour")
        for lang in ("ru", "uk", "en"):
            if lang not in self.price_text:
                raise ValueError(f"price_text needs a text for {lang!r}")
        return self
