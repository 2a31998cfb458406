"""Free call times: her free hours cut into calls, without the calls booked, on real clocks (DST-safe).

Pure functions of the hours, the settings and the booked times; the database keeps a booked time unique
(``wl_interview_slot``), so two relatives picking the same time at once cannot both have it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from waitlist.interviews.hours import FreeHours

__all__ = ["free_slots", "slot_key", "starts_in_free_hours"]


def slot_key(start: datetime) -> str:
    """A call time as the unique key it is booked under: UTC to the minute."""
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _local(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """``day`` at local ``at`` as aware UTC; None when that wall time does not exist (spring forward)."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != naive:
        return None
    return aware.astimezone(UTC)


def _candidates(
    hours: FreeHours, tz: ZoneInfo, day: date, call: timedelta, step: timedelta
) -> Iterator[datetime]:
    for start, end in hours.on(day):
        begin, finish = _local(day, start, tz), _local(day, end, tz)
        if begin is None or finish is None:
            continue  # a range starting or ending in the hour skipped that night does not exist that day
        at = begin
        # Stepped in real time: a call is call_minutes long even on the night the clocks change.
        while at + call <= finish:
            yield at
            at += step


def free_slots(
    hours: FreeHours,
    tz: ZoneInfo,
    *,
    call_minutes: int,
    gap_minutes: int,
    after: datetime,
    until: datetime,
    booked: Iterable[datetime],
) -> list[datetime]:
    """Every call start in ``[after, until)`` inside her free hours that overlaps no booked call (UTC)."""
    call, step = timedelta(minutes=call_minutes), timedelta(minutes=call_minutes + gap_minutes)
    busy = sorted(booked)
    found: list[datetime] = []
    day = after.astimezone(tz).date() - timedelta(days=1)
    last = until.astimezone(tz).date()
    while day <= last:
        for at in _candidates(hours, tz, day, call, step):
            if not after <= at < until:
                continue
            # A booked call and its breath keep this one off, whichever side it is on.
            if any(b - step < at < b + step for b in busy):
                continue
            found.append(at)
        day += timedelta(days=1)
    return sorted(set(found))


def starts_in_free_hours(
    hours: FreeHours, tz: ZoneInfo, start: datetime, *, call_minutes: int, gap_minutes: int
) -> bool:
    """Whether ``start`` is one of her call times (a button pressed days later may name an old one)."""
    day = start.astimezone(tz).date()
    call, step = timedelta(minutes=call_minutes), timedelta(minutes=call_minutes + gap_minutes)
    return any(at == start for at in _candidates(hours, tz, day, call, step))
