"""Call times in plain words, in the reader's zone and language: "среда, 9 декабря, 14:00"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import i18n

__all__ = ["call_words", "day_words", "time_words", "zone_phrase", "zone_words"]


def day_words(moment: datetime, tz: ZoneInfo, lang: str, now: datetime | None = None) -> str:
    """ "сегодня" / "завтра" / "среда, 9 декабря" for the local day of ``moment``."""
    local = moment.astimezone(tz)
    if now is not None:
        today = now.astimezone(tz).date()
        if local.date() == today:
            return i18n.text("interviews.when.today", lang)
        if local.date() == today + timedelta(days=1):
            return i18n.text("interviews.when.tomorrow", lang)
    return i18n.text(
        "interviews.when.date",
        lang,
        weekday=i18n.text(f"interviews.weekday.{local.weekday()}", lang),
        day=local.day,
        month=i18n.text(f"interviews.month.{local.month}", lang),
    )


def time_words(moment: datetime, tz: ZoneInfo, lang: str, now: datetime | None = None) -> str:
    local = moment.astimezone(tz)
    return i18n.text("interviews.when.at", lang, day=day_words(moment, tz, lang, now), time=f"{local:%H:%M}")


def zone_words(tz_name: str, lang: str, at: datetime) -> str:
    """A zone as people say it ("по московскому времени"), or its offset from UTC when it has no name here."""
    key = f"interviews.zone.{tz_name}"
    if i18n.has(key, lang):
        return i18n.text(key, lang)
    offset = at.astimezone(ZoneInfo(tz_name)).utcoffset() or timedelta()
    total = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(total), 60)
    minutes = f":{rest:02d}" if rest else ""
    return i18n.text("interviews.zone.offset", lang, offset=f"UTC{'-' if total < 0 else '+'}{hours}{minutes}")


def zone_phrase(tz_name: str, assumed: bool, lang: str, at: datetime) -> str:
    """The zone as a relative's message names it; an assumed one asks them to mind the difference."""
    words = zone_words(tz_name, lang, at)
    return i18n.text("interviews.offer.zone_assumed", lang, zone=words) if assumed else words


def call_words(params: dict[str, object], lang: str) -> dict[str, str]:
    """A stored notice's call time (``call_at``, ``call_tz``, ``assumed``) as ``when`` and ``zone`` words,
    in the language of the moment it is sent (whole dates: it may be read a day later)."""
    at = datetime.fromisoformat(str(params["call_at"]))
    tz_name = str(params["call_tz"])
    return {
        "when": time_words(at, ZoneInfo(tz_name), lang),
        "zone": zone_phrase(tz_name, bool(params.get("assumed")), lang, at),
    }
