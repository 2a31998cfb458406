"""The founder's free hours: a weekly pattern with exceptions (days off, extra hours), in her zone.

Her changes (`vkbot interviews free`) are kept as one JSON value in ``wl_flag``; until she makes any,
the weekly pattern of the config is hers and there are no exceptions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel import Session

from waitlist.interviews.settings import WEEKDAYS, InterviewSettings
from waitlist.models import WlFlag

__all__ = [
    "FREE_HOURS_FLAG",
    "FreeHours",
    "HoursError",
    "Range",
    "edit_hours",
    "format_range",
    "load_hours",
    "parse_day",
    "parse_range",
    "save_hours",
]

FREE_HOURS_FLAG = "interviews.free_hours"

Range = tuple[time, time]


class HoursError(ValueError):
    """A time range or date that cannot be read; the message says which."""


def parse_range(text: str) -> Range:
    """ "10:00-13:30" -> (10:00, 13:30); the end after the start, within one day."""
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError as exc:
        raise HoursError(f"{text!r} is not a time range like 10:00-13:00") from exc
    if end <= start:
        raise HoursError(f"{text!r}: the end must be after the start")
    return start, end


def format_range(span: Range) -> str:
    return f"{span[0]:%H:%M}-{span[1]:%H:%M}"


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise HoursError(f"{text!r} is not a date like 2026-12-31") from exc


def _ranges(texts: list[str]) -> tuple[Range, ...]:
    return tuple(sorted(parse_range(t) for t in texts))


@dataclass(frozen=True)
class FreeHours:
    """``weekly[0]`` is Monday. ``off[d]``: hours taken away that day (empty: the whole day off).
    ``extra[d]``: hours added that day."""

    weekly: dict[int, tuple[Range, ...]] = field(default_factory=dict)
    off: dict[date, tuple[Range, ...]] = field(default_factory=dict)
    extra: dict[date, tuple[Range, ...]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, dict[str, list[str]]]) -> FreeHours:
        weekly = {WEEKDAYS.index(day): _ranges(r) for day, r in data.get("weekly", {}).items() if r}
        off = {parse_day(d): _ranges(r) for d, r in data.get("off", {}).items()}
        extra = {parse_day(d): _ranges(r) for d, r in data.get("extra", {}).items() if r}
        return cls(weekly, off, extra)

    def to_json(self) -> dict[str, dict[str, list[str]]]:
        return {
            "weekly": {WEEKDAYS[d]: [format_range(r) for r in self.weekly[d]] for d in sorted(self.weekly)},
            "off": {d.isoformat(): [format_range(r) for r in self.off[d]] for d in sorted(self.off)},
            "extra": {d.isoformat(): [format_range(r) for r in self.extra[d]] for d in sorted(self.extra)},
        }

    def on(self, day: date) -> tuple[Range, ...]:
        """Her free ranges on ``day`` (local): the weekday's, less the hours off, plus the extra."""
        ranges = list(self.weekly.get(day.weekday(), ()))
        if day in self.off:
            taken = self.off[day]
            ranges = [] if not taken else [piece for r in ranges for piece in _subtract(r, taken)]
        return tuple(sorted([*ranges, *self.extra.get(day, ())]))

    def forget_before(self, day: date) -> FreeHours:
        """Exceptions for days gone by are dropped when she changes something (the value stays short)."""
        return FreeHours(
            self.weekly,
            {d: r for d, r in self.off.items() if d >= day},
            {d: r for d, r in self.extra.items() if d >= day},
        )


def _subtract(span: Range, taken: tuple[Range, ...]) -> list[Range]:
    pieces = [span]
    for cut_start, cut_end in taken:
        rest: list[Range] = []
        for start, end in pieces:
            if cut_end <= start or cut_start >= end:
                rest.append((start, end))
                continue
            if start < cut_start:
                rest.append((start, cut_start))
            if cut_end < end:
                rest.append((cut_end, end))
        pieces = rest
    return pieces


def load_hours(session: Session, settings: InterviewSettings) -> FreeHours:
    flag = session.get(WlFlag, FREE_HOURS_FLAG)
    if flag is None or not flag.value:
        return FreeHours.from_json({"weekly": settings.weekly})
    return FreeHours.from_json(json.loads(flag.value))


def save_hours(session: Session, hours: FreeHours, at: datetime) -> None:
    flag = session.get(WlFlag, FREE_HOURS_FLAG) or WlFlag(name=FREE_HOURS_FLAG, updated_at=at)
    flag.value, flag.updated_at = json.dumps(hours.to_json(), ensure_ascii=False), at
    session.add(flag)


def _spec_ranges(text: str) -> tuple[Range, ...]:
    return _ranges([part for part in text.split(",") if part.strip()])


def edit_hours(
    hours: FreeHours,
    *,
    weekly: Sequence[str] = (),
    off: Sequence[str] = (),
    extra: Sequence[str] = (),
    clear: Sequence[str] = (),
) -> FreeHours:
    """Her changes, as typed: ``mon=10:00-13:00,15:00-18:00`` (``mon=``: no calls that day),
    ``2026-12-31`` (day off) or ``2026-12-31=14:00-16:00`` (those hours off), extra ``2027-01-03=10:00-12:00``,
    and ``clear 2026-12-31`` (that day's exceptions gone). Raises ``HoursError`` naming what it cannot read."""
    week, days_off, days_extra = dict(hours.weekly), dict(hours.off), dict(hours.extra)
    for item in weekly:
        day, _, spec = item.partition("=")
        if day.strip() not in WEEKDAYS:
            raise HoursError(f"{item!r}: start with a day: {', '.join(WEEKDAYS)}")
        index, ranges = WEEKDAYS.index(day.strip()), _spec_ranges(spec)
        if ranges:
            week[index] = ranges
        else:
            week.pop(index, None)
    for item in off:
        day, _, spec = item.partition("=")
        days_off[parse_day(day)] = _spec_ranges(spec)
    for item in extra:
        day, _, spec = item.partition("=")
        ranges = _spec_ranges(spec)
        if not ranges:
            raise HoursError(f"{item!r}: extra hours need a time range, like 2027-01-03=10:00-12:00")
        days_extra[parse_day(day)] = ranges
    for item in clear:
        day_ = parse_day(item)
        days_off.pop(day_, None)
        days_extra.pop(day_, None)
    return FreeHours(week, days_off, days_extra)
