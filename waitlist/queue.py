"""The queue and the sign-up list: positions derived from completion time and the founder's moves, and estimates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

import i18n
from waitlist.models import WlOrder, WlOrderNumber, WlSignup
from waitlist.settings import WaitlistSettings

__all__ = [
    "Estimate",
    "complete_order",
    "estimate",
    "estimate_text",
    "queue_length",
    "queue_position",
    "rank_between",
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


def queue_length(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(WlOrder).where(WlOrder.status == WAITING)).one())


def _in_progress(session: Session) -> int:
    return int(
        session.exec(select(func.count()).select_from(WlOrder).where(WlOrder.status == IN_PROGRESS)).one()
    )


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
    order.queue_rank = now.timestamp()
    order.updated_at = now
    session.add(order)
    session.flush()


def rank_between(queue: list[WlOrder], position: int) -> float:
    """A rank that puts an order at ``position`` (1-based) of ``queue`` (which excludes the order)."""
    position = max(1, min(position, len(queue) + 1))
    before = queue[position - 2].queue_rank if position >= 2 else None
    after = queue[position - 1].queue_rank if position <= len(queue) else None
    if before is None and after is None:
        return 0.0
    if before is None:
        assert after is not None
        return after - 1.0
    if after is None:
        return before + 1.0
    return (before + after) / 2.0


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
