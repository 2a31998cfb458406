"""Slot arithmetic: the next free publishing slot after a moment, in the community's local time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from publishing.settings import PublishingSettings

__all__ = ["local_day", "next_free_slot", "slots_on"]


def _times(settings: PublishingSettings) -> list[time]:
    return [time(int(t[:2]), int(t[3:])) for t in settings.slot_times]


def local_day(settings: PublishingSettings, moment: datetime) -> date:
    """The community's calendar day of an aware moment (the daily cap counts per local day)."""
    return moment.astimezone(settings.zone()).date()


def slots_on(settings: PublishingSettings, day: date) -> list[datetime]:
    """The day's slots as aware UTC moments (none on a weekday without slots)."""
    if day.weekday() not in settings.slot_weekdays:
        return []
    zone = settings.zone()
    # Local wall-clock times: with DST, 19:00 stays 19:00 local and moves in UTC.
    return [datetime.combine(day, t, tzinfo=zone).astimezone(UTC) for t in _times(settings)]


def next_free_slot(
    settings: PublishingSettings, after: datetime, taken: Iterable[datetime]
) -> datetime | None:
    """The earliest slot strictly after ``after`` that no post holds, within the day's cap.

    ``taken`` are the slots of posts already planned (any status that keeps its place). Returns
    None when nothing is free within ``settings.horizon_days``.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    held = {moment.astimezone(UTC) for moment in taken}
    per_day = Counter(local_day(settings, moment) for moment in held)
    first = local_day(settings, after)
    for offset in range(settings.horizon_days):
        day = first + timedelta(days=offset)
        if per_day[day] >= settings.max_posts_per_day:
            continue
        for slot in slots_on(settings, day):
            if slot > after and slot not in held:
                return slot
    return None
