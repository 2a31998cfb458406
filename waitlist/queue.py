"""The queue and the sign-up list: positions derived from completion time and the founder's moves, and estimates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, or_
from sqlmodel import Session, col, select

import i18n
from waitlist import known
from waitlist.dialog import State
from waitlist.models import WlConversation, WlOrder, WlOrderNumber, WlSignup
from waitlist.settings import WaitlistSettings

__all__ = [
    "Estimate",
    "complete_order",
    "estimate",
    "estimate_text",
    "places_held",
    "places_taken",
    "queue_length",
    "queue_position",
    "reorder",
    "signup_estimate",
    "signup_position",
    "waiting_orders",
]

WAITING = "waiting"
IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class Estimate:
    earliest: datetime
    latest: datetime


def waiting_orders(session: Session) -> list[WlOrder]:
    """The queue in order: the founder's moves change ranks, completion time sets the first rank."""
    query = (
        select(WlOrder)
        .where(WlOrder.status == WAITING)
        .order_by(col(WlOrder.queue_rank), col(WlOrder.number))
    )
    return list(session.exec(query))


# Built once: a statement reused keeps its cache key, which SQLAlchemy otherwise recomputes per call.
_COUNT_BY_STATUS = select(func.count()).select_from(WlOrder).where(WlOrder.status == bindparam("status"))


def _count_orders(session: Session, status: str) -> int:
    with known.reading(session, WlOrder):
        return int(session.exec(_COUNT_BY_STATUS, params={"status": status}).one())


def queue_length(session: Session) -> int:
    return _count_orders(session, WAITING)


_SIGNUPS_AHEAD = (
    select(func.count()).select_from(WlSignup).where(col(WlSignup.status).in_(("listed", "invited")))
)


# The states of an order intake under way (consent asked, up to the summary): its place is held.
_UNDER_WAY = tuple(
    s.value
    for s in State
    if s not in (State.NEW, State.DECLINED, State.IDLE, State.SIGNUP_CONTACT, State.SIGNUP_NOTIFY)
)
_HELD = (
    select(func.count())
    .select_from(WlConversation)
    .where(
        WlConversation.track == "order",
        col(WlConversation.state).in_(_UNDER_WAY),
        col(WlConversation.updated_at) >= bindparam("since"),
    )
)


def places_held(session: Session, *, settings: WaitlistSettings, now: datetime) -> int:
    """Order intakes under way, each holding the place it started with, until silent for
    ``place_hold_hours`` (an abandoned dialog gives its place back; see the setting)."""
    since = now - timedelta(hours=settings.place_hold_hours)
    with known.reading(session, WlConversation):
        return int(session.exec(_HELD, params={"since": since}).one())


def places_taken(session: Session, *, settings: WaitlistSettings, now: datetime) -> int:
    """Waiting orders, intakes under way, and the people on the sign-up list (listed or invited, whose
    place is held for them).

    A new writer goes on the list when this reaches the limit, so nobody jumps the list while an
    invitation is outstanding or before the next notice run invites the first on it, and whoever
    started an order while there was room finishes it inside the limit.
    """
    with known.reading(session, WlSignup):
        signups = int(session.exec(_SIGNUPS_AHEAD).one())
    return queue_length(session) + signups + places_held(session, settings=settings, now=now)


def _in_progress(session: Session) -> int:
    return _count_orders(session, IN_PROGRESS)


def queue_position(session: Session, order: WlOrder) -> int | None:
    """1 for the next order; None when the order is not waiting (in progress, done, cancelled)."""
    if order.status != WAITING or order.queue_rank is None or order.number is None:
        return None
    ahead = session.exec(
        select(func.count())
        .select_from(WlOrder)
        .where(
            WlOrder.status == WAITING,
            or_(
                col(WlOrder.queue_rank) < order.queue_rank,
                and_(col(WlOrder.queue_rank) == order.queue_rank, col(WlOrder.number) < order.number),
            ),
        )
    ).one()
    return int(ahead) + 1


def complete_order(session: Session, order: WlOrder, now: datetime) -> None:
    """The intake is confirmed: the order gets its number and joins the end of the queue."""
    assert order.id is not None
    # An autoincrement row gives each order a number without a race, on SQLite and PostgreSQL alike.
    allocation = WlOrderNumber(order_id=order.id)
    session.add(allocation)
    session.flush()
    order.number = allocation.number
    order.status = WAITING
    order.completed_at = now
    # Always behind everyone already waiting, even after the founder's moves renumbered the ranks.
    last = session.exec(
        select(func.max(WlOrder.queue_rank)).where(col(WlOrder.status).in_((WAITING, IN_PROGRESS)))
    ).one()
    order.queue_rank = max(now.timestamp(), (last or 0.0) + 1.0)
    order.updated_at = now
    session.add(order)
    session.flush()


def reorder(queue: list[WlOrder], order: WlOrder, position: int) -> None:
    """Put ``order`` at ``position`` (1-based) of the waiting ``queue``; the others keep their order around it.

    Ranks are renumbered from the first one, so ties and repeated moves never blur the order.
    """
    others = [o for o in queue if o.id != order.id]
    position = max(1, min(position, len(others) + 1))
    others.insert(position - 1, order)
    base = min((o.queue_rank for o in queue if o.queue_rank is not None), default=0.0)
    for index, item in enumerate(others):
        item.queue_rank = base + index


def estimate(position: int, *, settings: WaitlistSettings, now: datetime, extra_ahead: int = 0) -> Estimate:
    """When the founder may reach this place, as an honest range: her pace varies, so the end is padded."""
    ahead = position - 1 + extra_ahead
    per_week = settings.clips_per_week
    earliest = now + timedelta(weeks=ahead / per_week)
    latest = now + timedelta(weeks=(ahead + 1) / per_week * 1.25, days=3)
    return Estimate(earliest=earliest, latest=latest)


def order_estimate(session: Session, position: int, *, settings: WaitlistSettings, now: datetime) -> Estimate:
    return estimate(position, settings=settings, now=now, extra_ahead=_in_progress(session))


def signup_position(session: Session, signup: WlSignup) -> int | None:
    if signup.status != "listed" or signup.listed_at is None or signup.id is None:
        return None
    ahead = session.exec(
        select(func.count())
        .select_from(WlSignup)
        .where(
            WlSignup.status == "listed",
            or_(
                col(WlSignup.listed_at) < signup.listed_at,
                and_(col(WlSignup.listed_at) == signup.listed_at, col(WlSignup.id) < signup.id),
            ),
        )
    ).one()
    return int(ahead) + 1


def signup_estimate(session: Session, place: int, *, settings: WaitlistSettings, now: datetime) -> Estimate:
    """Everyone in the queue and ahead on the list comes first; some leave the list, so the start is earlier."""
    ahead = queue_length(session) + _in_progress(session) + place - 1
    per_week = settings.clips_per_week
    earliest = now + timedelta(weeks=ahead * 0.75 / per_week)
    latest = now + timedelta(weeks=(ahead + 1) / per_week * 1.25, days=3)
    return Estimate(earliest=earliest, latest=latest)


def estimate_text(est: Estimate, lang: str, *, settings: WaitlistSettings, now: datetime) -> str:
    """Plain words: within two weeks, a date range, or more than a year."""
    if est.latest - now <= timedelta(days=14):
        return i18n.text("intake.estimate.soon", lang)
    if est.earliest - now > timedelta(days=365):
        return i18n.text("intake.estimate.over_year", lang)
    tz = ZoneInfo(settings.timezone)
    start = est.earliest.astimezone(tz).strftime("%d.%m.%Y")
    end = est.latest.astimezone(tz).strftime("%d.%m.%Y")
    if est.latest - now > timedelta(days=365):
        return i18n.text("intake.estimate.up_to_over_year", lang, start=start)
    return i18n.text("intake.estimate.range", lang, start=start, end=end)
