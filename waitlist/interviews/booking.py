"""Changing an order's call: offer, book (a time once only), move, cancel, "write to me instead"."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, delete, select

from dbtypes import insert_ignoring_duplicates
from waitlist.interviews.hours import load_hours
from waitlist.interviews.models import WlInterview, WlInterviewSlot
from waitlist.interviews.slots import free_slots, slot_key, starts_in_free_hours
from waitlist.models import WlConversation, WlOrder
from waitlist.settings import WaitlistSettings

__all__ = [
    "ACTIVE",
    "BookOutcome",
    "active_interview",
    "book",
    "cancel",
    "choices",
    "erase_interviews",
    "for_order_number",
    "free_times",
    "her_zone",
    "interview_for",
    "lapse",
    "mark_written",
    "release",
    "reoffer",
    "write_me",
]

ACTIVE = ("offered", "booked")  # besides: write_me (she is to write), written (she did), cancelled, lapsed
BookOutcome = str  # "booked" | "taken" | "gone" (no longer one of her times, or too soon)


def her_zone(settings: WaitlistSettings) -> ZoneInfo:
    return ZoneInfo(settings.interviews.timezone or settings.timezone)


def interview_for(session: Session, order: WlOrder, settings: WaitlistSettings, now: datetime) -> WlInterview:
    """The order's call row, made on first need in the relative's zone (or the community's, said so)."""
    found = session.exec(select(WlInterview).where(WlInterview.order_id == order.id)).first()
    if found is not None:
        return found
    conv = session.get(WlConversation, order.peer_id) if order.peer_id is not None else None
    tz = conv.tz if conv is not None and conv.tz else None
    interview = WlInterview(
        order_id=order.id or 0,
        peer_id=order.peer_id or 0,
        minutes=settings.interviews.call_minutes,
        tz=tz or settings.timezone,
        tz_assumed=tz is None,
        created_at=now,
        updated_at=now,
    )
    session.add(interview)
    session.flush()
    return interview


def active_interview(session: Session, peer_id: int) -> WlInterview | None:
    """The writer's call being arranged or booked (the newest, should they have two orders)."""
    query = (
        select(WlInterview)
        .where(WlInterview.peer_id == peer_id, col(WlInterview.status).in_(ACTIVE))
        .order_by(col(WlInterview.id).desc())
    )
    return session.exec(query).first()


def _booked_times(session: Session, besides: int | None = None) -> list[datetime]:
    query = select(WlInterview.starts_at).where(
        WlInterview.status == "booked", col(WlInterview.starts_at).is_not(None)
    )
    if besides is not None:
        query = query.where(WlInterview.id != besides)
    return [t for t in session.exec(query).all() if t is not None]


def free_times(
    session: Session, interview: WlInterview, settings: WaitlistSettings, now: datetime
) -> list[datetime]:
    """Every time this call could move to: free, with notice, inside the horizon, not its own time."""
    conf = settings.interviews
    times = free_slots(
        load_hours(session, conf),
        her_zone(settings),
        call_minutes=conf.call_minutes,
        gap_minutes=conf.gap_minutes,
        after=now + timedelta(hours=conf.min_notice_hours),
        until=now + timedelta(days=conf.horizon_days),
        booked=_booked_times(session, besides=interview.id),
    )
    return [t for t in times if t != interview.starts_at]


def choices(
    session: Session, interview: WlInterview, settings: WaitlistSettings, now: datetime
) -> list[datetime]:
    """The next times to offer: free, not shown to this relative before (unless nothing else is left)."""
    conf = settings.interviews
    times = free_times(session, interview, settings, now)
    shown = set(interview.offered)
    fresh = [t for t in times if slot_key(t) not in shown]
    return (fresh or times)[: conf.offer_count]


def _touch(interview: WlInterview, now: datetime, session: Session) -> None:
    interview.updated_at = now
    session.add(interview)


def release(session: Session, interview: WlInterview) -> None:
    """Free the interview's booked time for others."""
    if interview.id is not None:
        session.exec(delete(WlInterviewSlot).where(col(WlInterviewSlot.interview_id) == interview.id))
    interview.starts_at = None
    interview.told = []


def book(
    session: Session, interview: WlInterview, start: datetime, settings: WaitlistSettings, now: datetime
) -> BookOutcome:
    """Book ``start`` for this call, if it is still one of her free times; safe when two pick it at once."""
    conf = settings.interviews
    if interview.status == "booked" and interview.starts_at == start:
        return "booked"
    hours = load_hours(session, conf)
    in_hours = starts_in_free_hours(
        hours, her_zone(settings), start, call_minutes=conf.call_minutes, gap_minutes=conf.gap_minutes
    )
    if not in_hours or start <= now + timedelta(hours=1):
        return "gone"
    step = timedelta(minutes=conf.call_minutes + conf.gap_minutes)
    if any(b - step < start < b + step for b in _booked_times(session, besides=interview.id)):
        return "taken"
    release(session, interview)
    row = {"slot": slot_key(start), "interview_id": interview.id}
    # The slot's primary key decides between two relatives pressing the same time at once.
    if insert_ignoring_duplicates(session, WlInterviewSlot.__table__, [row]) != 1:  # type: ignore[attr-defined]
        interview.status = "offered"
        _touch(interview, now, session)
        return "taken"
    interview.status, interview.starts_at, interview.minutes = "booked", start, conf.call_minutes
    interview.told = [] if start - now > timedelta(hours=24) else ["day:relative", "day:founder"]
    _touch(interview, now, session)
    return "booked"


def cancel(session: Session, interview: WlInterview, now: datetime) -> None:
    release(session, interview)
    interview.status = "cancelled"
    _touch(interview, now, session)


def erase_interviews(session: Session, peer_id: int) -> int:
    """ "Delete my data": the writer's calls go entirely (the row names them); returns how many."""
    rows = session.exec(select(WlInterview).where(WlInterview.peer_id == peer_id)).all()
    for row in rows:
        release(session, row)
        session.delete(row)
    return len(rows)


def lapse(session: Session, interview: WlInterview, now: datetime) -> None:
    """An offer left unanswered (after its one follow-up) ends quietly; the order keeps its place."""
    release(session, interview)
    interview.status = "lapsed"
    _touch(interview, now, session)


def write_me(session: Session, interview: WlInterview, now: datetime) -> None:
    """The relative would rather be written to: she arranges it herself (her note goes once)."""
    release(session, interview)
    interview.status = "write_me"
    _touch(interview, now, session)


def for_order_number(session: Session, number: int) -> WlInterview:
    """The call of order ``number``; LookupError naming what is missing."""
    order = session.exec(select(WlOrder).where(WlOrder.number == number)).first()
    if order is None:
        raise LookupError(f"no order number {number}")
    found = session.exec(select(WlInterview).where(WlInterview.order_id == order.id)).first()
    if found is None:
        raise LookupError(f"order {number} has no call arranged")
    return found


def mark_written(session: Session, interview_id: int, now: datetime) -> bool:
    """She wrote to a relative who asked for that instead of a call; False when there was nothing to mark."""
    interview = session.get(WlInterview, interview_id)
    if interview is None or interview.status != "write_me":
        return False
    interview.status = "written"
    _touch(interview, now, session)
    return True


def reoffer(session: Session, interview: WlInterview, now: datetime, *, by_founder: bool = False) -> None:
    """Offer new times (after a move, or when she cancelled the time): the next pass sends them."""
    release(session, interview)
    interview.status, interview.offer_sent_at = "offered", None
    if by_founder:
        interview.told = ["cancelled_by_founder"]
    _touch(interview, now, session)
