"""What the relative and the founder read about a call, with its buttons (payload key ``iv``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import i18n
from waitlist.effects import Button, Keyboard
from waitlist.interviews.models import WlInterview
from waitlist.interviews.slots import slot_key
from waitlist.interviews.words import time_words, zone_phrase, zone_words
from waitlist.models import WlOrder

__all__ = ["booked_message", "founder_note", "offer_message", "reminder_text"]


def _t(key: str, lang: str, **params: object) -> str:
    return i18n.text(f"interviews.{key}", lang, **params)


def _zone(interview: WlInterview, lang: str, at: datetime) -> str:
    return zone_phrase(interview.tz, interview.tz_assumed, lang, at)


def offer_message(
    interview: WlInterview,
    order: WlOrder,
    times: list[datetime],
    lang: str,
    now: datetime,
    lead: str = "",
    wording: str = "offer.text",
) -> tuple[str, Keyboard]:
    """Up to three times as buttons (numbered in the text too, for a phone that shows no buttons);
    ``wording``: the offer's text, or the follow-up's (``follow_up``) for an offer left unanswered."""
    tz = ZoneInfo(interview.tz)
    # Whole dates, never "tomorrow": an offer may be read (and its buttons pressed) a day later.
    listed = "\n".join(f"{i}) {time_words(t, tz, lang)}" for i, t in enumerate(times, start=1))
    text = _t(
        wording,
        lang,
        number=order.number or "",
        minutes=interview.minutes,
        zone=_zone(interview, lang, now),
        times=listed,
    )
    if lead:
        text = f"{lead}\n\n{text}"
    order_id = interview.order_id
    rows = [
        (Button(time_words(t, tz, lang), {"iv": "pick", "at": slot_key(t), "o": order_id}, "primary"),)
        for t in times
    ]
    rows.append((Button(_t("button.more", lang), {"iv": "more", "o": order_id}),))
    rows.append((Button(_t("button.write", lang), {"iv": "write", "o": order_id}),))
    return text, Keyboard(rows=tuple(rows), inline=True)


def booked_message(interview: WlInterview, order: WlOrder, lang: str, now: datetime) -> tuple[str, Keyboard]:
    assert interview.starts_at is not None
    tz = ZoneInfo(interview.tz)
    text = _t(
        "booked",
        lang,
        when=time_words(interview.starts_at, tz, lang),
        zone=_zone(interview, lang, now),
        contact=order.contact or _t("contact_vk", lang),
    )
    return text, _change_buttons(interview, lang)


def _change_buttons(interview: WlInterview, lang: str) -> Keyboard:
    order_id = interview.order_id
    return Keyboard(
        rows=(
            (
                Button(_t("button.move", lang), {"iv": "move", "o": order_id}),
                Button(_t("button.cancel", lang), {"iv": "cancel", "o": order_id}, "negative"),
            ),
        ),
        inline=True,
    )


def reminder_text(interview: WlInterview, kind: str, lang: str, now: datetime) -> tuple[str, Keyboard]:
    """The relative's reminder the day before (``day``) or an hour before (``hour``)."""
    assert interview.starts_at is not None
    tz = ZoneInfo(interview.tz)
    text = _t(
        f"remind.{kind}",
        lang,
        when=time_words(interview.starts_at, tz, lang, now),
        zone=zone_words(interview.tz, lang, now),  # the offer said the rest already
    )
    return text, _change_buttons(interview, lang)


def founder_note(
    interview: WlInterview, order: WlOrder, kind: str, lang: str, tz: ZoneInfo, now: datetime
) -> str:
    """Her message: a reminder (``day``/``hour``) or a request to write instead (``write_me``)."""
    when = time_words(interview.starts_at, tz, lang, now) if interview.starts_at is not None else ""
    return _t(
        f"founder.{kind}",
        lang,
        when=when,
        number=order.number or "",
        subject=order.subject_name or "—",
        contact=order.contact or "—",
        peer=interview.peer_id,
    )
