"""The calendar as the founder sees it: days of a week or a month, each with its slots and their posts.

A day lists its configured slots (empty ones too, in the week view) and every post placed on it, pinned
off-slot ones included; each post says whether it is a hand-off (hers to paste) or a failure (the suite
tried and gave up). Plain values, so the dashboard only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from publishing.models import PubPost
from publishing.schedule import slots_on
from publishing.settings import PublishingSettings
from publishing.slots import HOLDS_SLOT
from waitlist.models import WlOrder

__all__ = ["Cell", "Day", "awaiting", "month_days", "week_days"]


@dataclass(frozen=True)
class Cell:
    """A slot on a day: empty (``post_id`` None) or holding a post."""

    at: datetime  # aware UTC
    time: str  # local "HH:MM"
    post_id: int | None = None
    order_number: int | None = None
    status: str = ""
    caption: str = ""
    pinned: bool = False
    vk_post_id: int | None = None
    reason: str | None = None
    failed: bool = False
    comments: str = "open"

    @property
    def handed(self) -> bool:
        return self.status == "handed_to_founder" and not self.failed


@dataclass(frozen=True)
class Day:
    day: date
    cells: tuple[Cell, ...]
    in_range: bool = True  # False for the days a month grid shows around the month

    @property
    def posts(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.post_id is not None)


def _bounds(settings: PublishingSettings, first: date, last: date) -> tuple[datetime, datetime]:
    zone = settings.zone()
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _cell(settings: PublishingSettings, post: PubPost, number: int | None) -> Cell:
    assert post.slot_at is not None and post.id is not None
    return Cell(
        at=post.slot_at,
        time=f"{post.slot_at.astimezone(settings.zone()):%H:%M}",
        post_id=post.id,
        order_number=number,
        status=post.status,
        caption=post.caption,
        pinned=post.pinned,
        vk_post_id=post.vk_post_id,
        reason=post.handoff_reason,
        failed=post.failed_at is not None,
        comments=post.comments,
    )


def _days(
    session: Session, settings: PublishingSettings, first: date, last: date, *, empty_slots: bool
) -> list[Day]:
    start, end = _bounds(settings, first, last)
    query = (
        select(PubPost, WlOrder.number)
        .join(WlOrder, col(WlOrder.id) == col(PubPost.order_id))
        .where(
            col(PubPost.status).in_(HOLDS_SLOT),
            col(PubPost.slot_at) >= start,
            col(PubPost.slot_at) < end,
        )
        .order_by(col(PubPost.slot_at), col(PubPost.id))
    )
    by_day: dict[date, list[Cell]] = {}
    zone = settings.zone()
    for post, number in session.exec(query).all():
        assert post.slot_at is not None
        by_day.setdefault(post.slot_at.astimezone(zone).date(), []).append(_cell(settings, post, number))
    days: list[Day] = []
    day = first
    while day <= last:
        cells = by_day.get(day, [])
        if empty_slots:
            held = {c.at for c in cells}
            cells = cells + [
                Cell(at=slot, time=f"{slot.astimezone(zone):%H:%M}")
                for slot in slots_on(settings, day)
                if slot not in held
            ]
        days.append(Day(day, tuple(sorted(cells, key=lambda c: (c.at, c.post_id or 0)))))
        day += timedelta(days=1)
    return days


def week_days(session: Session, settings: PublishingSettings, any_day: date) -> list[Day]:
    """Monday to Sunday of the week holding ``any_day``, with the empty slots shown."""
    monday = any_day - timedelta(days=any_day.weekday())
    return _days(session, settings, monday, monday + timedelta(days=6), empty_slots=True)


def month_days(session: Session, settings: PublishingSettings, year: int, month: int) -> list[list[Day]]:
    """The month as weeks (Monday first) of days with their posts; days outside the month are marked."""
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    days = [
        Day(d.day, d.cells, first <= d.day <= last)
        for d in _days(session, settings, start, end, empty_slots=False)
    ]
    return [days[i : i + 7] for i in range(0, len(days), 7)]


def awaiting(session: Session) -> list[tuple[PubPost, int | None]]:
    """Posts without a slot yet: the family has not answered (they land on the calendar once they do)."""
    query = (
        select(PubPost, WlOrder.number)
        .join(WlOrder, col(WlOrder.id) == col(PubPost.order_id))
        .where(PubPost.status == "awaiting")
        .order_by(col(PubPost.id))
    )
    return [(post, number) for post, number in session.exec(query).all()]
