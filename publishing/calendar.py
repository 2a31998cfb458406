"""The founder's calendar: list the posts, pause and resume, move or pin a post, change its caption.

Every change is refused with a clear reason when it cannot apply (a post already sent, a family's
answer still missing); a changed caption goes back to the family for approval.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from publishing.models import PubPost
from publishing.schedule import next_free_slot
from publishing.settings import PublishingSettings
from publishing.slots import is_paused, set_paused, taken_slots
from waitlist.models import WlOrder

__all__ = [
    "CalendarError",
    "Entry",
    "edit_caption",
    "entries",
    "move",
    "parse_local",
    "pause",
    "pin",
    "resume",
]

log = logging.getLogger("publishing.calendar")

_EPSILON = timedelta(seconds=1)  # "at or after": the slot search looks strictly after
# Still ours to change: approved or awaiting, and not yet handed to the outbox.
_CHANGEABLE = ("awaiting", "queued")


class CalendarError(ValueError):
    """A change that cannot apply, with the reason to show the founder."""


@dataclass(frozen=True)
class Entry:
    id: int
    order: int | None
    status: str
    slot: str | None  # local time, "YYYY-MM-DD HH:MM"
    pinned: bool
    vk_post_id: int | None
    caption: str
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_local(settings: PublishingSettings, text: str) -> datetime:
    """ "2026-12-10 19:00" in the community's zone -> aware UTC (zoneinfo: DST correct)."""
    try:
        naive = datetime.fromisoformat(text.strip().replace("T", " "))
    except ValueError as exc:
        raise CalendarError(f"not a date and time: {text!r} (write YYYY-MM-DD HH:MM)") from exc
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=settings.zone()).astimezone(UTC)


def _local(settings: PublishingSettings, moment: datetime | None) -> str | None:
    return None if moment is None else f"{moment.astimezone(settings.zone()):%Y-%m-%d %H:%M}"


def entries(session: Session, settings: PublishingSettings, *, include_past: bool = False) -> list[Entry]:
    """The calendar, earliest first (awaiting approval last: they have no slot yet)."""
    query = select(PubPost)
    if not include_past:
        query = query.where(col(PubPost.status).in_(("awaiting", "queued", "handed_to_founder")))
    rows = sorted(
        session.exec(query).all(),
        key=lambda p: (p.slot_at is None, p.slot_at or datetime.max.replace(tzinfo=UTC), p.id or 0),
    )
    found: list[Entry] = []
    for post in rows:
        assert post.id is not None
        order = session.get(WlOrder, post.order_id)
        note = post.handoff_reason
        if post.failed_at is not None:
            note = f"FAILED: {note}"
        if post.status == "awaiting":
            note = "waiting for the family's answer" if post.asked_at else "the family is about to be asked"
        found.append(
            Entry(
                post.id,
                order.number if order is not None else None,
                post.status,
                _local(settings, post.slot_at),
                post.pinned,
                post.vk_post_id,
                post.caption,
                note,
            )
        )
    return found


def _changeable(session: Session, post_id: int) -> PubPost:
    post = session.get(PubPost, post_id)
    if post is None:
        raise CalendarError(f"no post {post_id}")
    # Waiting in VK's postponed list is not on its way yet: it is taken back (``postponed.recall_stale``).
    postponed = post.vk_postponed_id is not None and post.vk_post_id is None
    if post.status not in _CHANGEABLE or (post.dispatched_at is not None and not postponed):
        raise CalendarError(
            f"post {post_id} is {post.status} and already on its way or done: it cannot change"
        )
    post.dispatched_at = None
    return post


def _approved(post: PubPost) -> None:
    if post.status != "queued":
        raise CalendarError(f"post {post.id} waits for the family's approval: it has no place to move yet")


def move(
    session: Session, settings: PublishingSettings, post_id: int, to: datetime, now: datetime
) -> PubPost:
    """The first free slot at or after ``to`` (the daily cap and days off still apply)."""
    post = _changeable(session, post_id)
    _approved(post)
    slot = next_free_slot(settings, max(to, now) - _EPSILON, taken_slots(session, now, excluding=post.id))
    if slot is None:
        raise CalendarError(f"no free slot within {settings.horizon_days} days after {to.isoformat()}")
    post.slot_at, post.pinned, post.updated_at = slot, False, now
    session.add(post)
    log.info("post %s moved to %s by the founder", post.id, slot.isoformat())
    return post


def pin(session: Session, settings: PublishingSettings, post_id: int, at: datetime, now: datetime) -> PubPost:
    """Exactly at ``at``, outside the configured slots if she wishes; the planner keeps it there."""
    post = _changeable(session, post_id)
    _approved(post)
    if at <= now:
        raise CalendarError("that time has passed")
    post.slot_at, post.pinned, post.updated_at = at, True, now
    session.add(post)
    log.info("post %s pinned to %s by the founder", post.id, at.isoformat())
    return post


def edit_caption(session: Session, post_id: int, caption: str, now: datetime) -> PubPost:
    """A new caption goes back to the family: nothing is published with words they did not approve."""
    text = caption.strip()
    if not text:
        raise CalendarError("the caption is empty")
    post = _changeable(session, post_id)
    post.caption, post.status, post.updated_at = text, "awaiting", now
    post.asked_at = post.awaiting_answer = post.approved_at = None
    if not post.pinned:
        post.slot_at = None
    session.add(post)
    log.info("post %s: caption changed by the founder; the family is asked again", post.id)
    return post


def pause(session: Session, now: datetime) -> bool:
    """Nothing goes on the wall until ``resume`` (takedowns still run); False if already paused."""
    was = is_paused(session)
    set_paused(session, True, now)
    return not was


def resume(session: Session, now: datetime) -> bool:
    """Publishing again; slots missed while paused move forward (no burst). False if not paused."""
    was = is_paused(session)
    set_paused(session, False, now)
    return was
