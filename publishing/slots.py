"""Slots held in the database: which are taken, the next free one for a post, pause, the founder's moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from publishing.models import PubFlag, PubPost
from publishing.schedule import next_free_slot
from publishing.settings import PublishingSettings

__all__ = [
    "HOLDS_SLOT",
    "assign_slot",
    "first_slot_on",
    "is_paused",
    "set_paused",
    "taken_slots",
]

# Posts that hold a place on the calendar (count towards the day's cap).
HOLDS_SLOT = ("queued", "posted", "handed_to_founder")
_PAUSED = "paused"


def taken_slots(session: Session, now: datetime, excluding: int | None = None) -> list[datetime]:
    # Only today onwards matters for the search; a day back covers the local day's cap.
    query = select(PubPost).where(
        col(PubPost.status).in_(HOLDS_SLOT),
        col(PubPost.slot_at).is_not(None),
        col(PubPost.slot_at) >= now - timedelta(days=1),
    )
    return [p.slot_at for p in session.exec(query) if p.id != excluding and p.slot_at is not None]


def assign_slot(session: Session, settings: PublishingSettings, post: PubPost, after: datetime) -> bool:
    """Give ``post`` the first free slot after ``after`` (and its "not before"); False if none is free."""
    start = max(after, post.not_before) if post.not_before is not None else after
    slot = next_free_slot(settings, start, taken_slots(session, after, excluding=post.id))
    if slot is None:
        return False
    post.slot_at, post.pinned = slot, False
    session.add(post)
    session.flush()  # the next search sees this slot taken
    return True


def first_slot_on(settings: PublishingSettings, day: date) -> datetime:
    """The day's first configured time as UTC, even on a day off: a family's chosen date is kept."""
    hh, mm = settings.slot_times[0].split(":")
    return datetime.combine(day, time(int(hh), int(mm)), tzinfo=settings.zone()).astimezone(UTC)


def is_paused(session: Session) -> bool:
    flag = session.get(PubFlag, _PAUSED)
    return flag is not None and flag.value == "1"


def set_paused(session: Session, paused: bool, at: datetime) -> None:
    flag = session.get(PubFlag, _PAUSED) or PubFlag(name=_PAUSED, updated_at=at)
    flag.value, flag.updated_at = ("1" if paused else "0"), at
    session.add(flag)
