"""Dates as she says them: in her time zone and in words ("сегодня, 14:30", "вчера, 9:05", "5 декабря").

The one formatting helper every page uses (``render`` hands it to the templates as ``when``), so a
date never shows up as raw ISO UTC anywhere. ``sentence`` gives the form that fits inside a sentence
("обновлён сегодня в 9:12").
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import i18n

__all__ = ["parse_moment", "when_in_words"]


def parse_moment(value: object) -> datetime | None:
    """A moment from a report (an aware datetime or its ISO text); None for anything else."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def when_in_words(
    moment: datetime | None, now: datetime, tz: ZoneInfo, lang: str, *, sentence: bool = False
) -> str:
    """Today, yesterday and tomorrow by name with the time; older days by date (with the year when not this one)."""
    if moment is None:
        return ""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    time = f"{local.hour}:{local.minute:02d}"
    days = (today - local.date()).days
    form = "_at" if sentence else ""
    if days == 0:
        return i18n.text(f"dashboard.when.today{form}", lang, time=time)
    if days == 1:
        return i18n.text(f"dashboard.when.yesterday{form}", lang, time=time)
    if days == -1:  # the end of a step-back, the end of her quiet hours
        return i18n.text(f"dashboard.when.tomorrow{form}", lang, time=time)
    month = i18n.text(f"dashboard.when.month.m{local.month}", lang)
    if local.year == today.year:
        return i18n.text(f"dashboard.when.date{form}", lang, day=local.day, month=month)
    return i18n.text(f"dashboard.when.date_year{form}", lang, day=local.day, month=month, year=local.year)
