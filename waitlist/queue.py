"""The queue and the sign-up list: positions derived from completion time and the founder's moves, and estimates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, ScalarSelect, and_, bindparam, func, inspect, literal_column, or_
from sqlalchemy.orm import aliased
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import Session, col, select

import i18n
from waitlist import known
from waitlist.dialog import State
from waitlist.models import WlConversation, WlOrder, WlOrderNumber, WlSignup
from waitlist.settings import WaitlistSettings

__all__ = [
    "Estimate",
    "Place",
    "complete_order",
    "estimate",
    "estimate_text",
    "in_progress",
    "order_place",
    "orders_placed",
    "places_held",
    "places_taken",
    "queue_length",
    "queue_position",
    "reorder",
    "signup_place",
    "signup_placed",
    "signup_position",
    "waiting_orders",
]

WAITING = "waiting"
IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class Estimate:
    earliest: datetime
    latest: datetime


@dataclass(frozen=True)
class Place:
    """A place in the queue or on the sign-up list (1 is the next) and when the founder may reach it."""

    position: int
    estimate: Estimate


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


def _waiting_ahead(rank: Any, number: Any) -> ScalarSelect[int]:
    """The waiting orders ahead of one of rank ``rank`` and number ``number`` (columns or parameters)."""
    other = aliased(WlOrder)  # an alias: inside a query of wl_order, the table itself would be correlated
    return (
        select(func.count())
        .select_from(other)
        .where(
            other.status == WAITING,
            or_(
                col(other.queue_rank) < rank,
                and_(col(other.queue_rank) == rank, col(other.number) < number),
            ),
        )
        .scalar_subquery()
    )


def _orders_with(status: str) -> ScalarSelect[int]:
    other = aliased(WlOrder)
    return select(func.count()).select_from(other).where(other.status == status).scalar_subquery()


def queue_length(session: Session) -> int:
    return _count_orders(session, WAITING)


# Listed or invited: two comparisons, not IN, whose list SQLAlchemy renders anew at each execution.
_ON_THE_LIST = or_(col(WlSignup.status) == "listed", col(WlSignup.status) == "invited")
_SIGNUPS_AHEAD = select(func.count()).select_from(WlSignup).where(_ON_THE_LIST)


# The states of an order intake under way (consent asked, up to the summary): its place is held.
_UNDER_WAY = tuple(
    s.value
    for s in State
    if s not in (State.NEW, State.DECLINED, State.IDLE, State.SIGNUP_CONTACT, State.SIGNUP_NOTIFY)
)
assert all(re.fullmatch(r"[a-z_]+", state) for state in _UNDER_WAY)
_HELD = (
    select(func.count())
    .select_from(WlConversation)
    .where(
        WlConversation.track == "order",
        # The states written into the statement (fixed words), not an expanding parameter, whose list
        # SQLAlchemy renders anew at each execution (a third of ``places_taken``'s time).
        col(WlConversation.state).in_([literal_column(f"'{state}'") for state in _UNDER_WAY]),
        col(WlConversation.updated_at) >= bindparam("since"),
    )
)


# The three counts of ``places_taken`` in one statement.
_TAKEN = select(_orders_with(WAITING), _SIGNUPS_AHEAD.scalar_subquery(), _HELD.scalar_subquery())


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
    since = now - timedelta(hours=settings.place_hold_hours)
    pending = _pending_places(session, since)
    if pending is None:  # a pending row whose flushed values are not known: write them first
        with known.reading(session, WlOrder, WlSignup, WlConversation):
            waiting, signups, held = session.exec(_TAKEN, params={"since": since}).one()
        return int(waiting) + int(signups) + int(held)
    # On the session's connection: a count needs no ORM (no autoflush, no entities), and the ORM's
    # handling of the statement cost as much as the rest of it, per new writer.
    waiting, signups, held = session.connection().execute(_TAKEN, {"since": since}).one()
    return int(waiting) + int(signups) + int(held) + pending


def _takes_place(row: object, value: Callable[[str], Any], since: datetime) -> bool:
    """Whether a row with these column values counts in ``places_taken`` (its three counts, in Python)."""
    if isinstance(row, WlOrder):
        return bool(value("status") == WAITING)
    if isinstance(row, WlSignup):
        status = value("status")
        return bool(status == "listed" or status == "invited")
    # ``in`` a tuple compares with ==: State is a StrEnum, whose hash is not its value's.
    if value("track") != "order" or value("state") not in _UNDER_WAY:
        return False
    updated_at = value("updated_at")
    return updated_at is not None and bool(updated_at >= since)


class _Unknown(Exception):
    """A pending row's value (as it is, or as last flushed) is not in the session: expired or not loaded."""


def _pending_places(session: Session, since: datetime) -> int | None:
    """How much the count of ``places_taken`` changes once the session's pending rows are flushed;
    None when that cannot be told without flushing.

    The database holds every row as last flushed (these tables are written only through the ORM or
    ``dbtypes.insert_object``, which leaves the object as a flush would, and no cascade touches them);
    the session holds each pending change and, for a modified row, the values it had when last flushed
    (``committed_state``). So the count a flush would show is the count
    now, less what the pending rows counted as flushed, plus what they count as they are. The flush
    this saves wrote every pending row of the batch before each new writer's greeting.
    """
    models = (WlOrder, WlSignup, WlConversation)
    delta = 0
    try:
        for row in session.new:
            if isinstance(row, models):
                delta += _takes_place(row, _present(row), since)
        for row in session.dirty:
            if isinstance(row, models):
                delta += _takes_place(row, _present(row), since) - _takes_place(row, _flushed(row), since)
        for row in session.deleted:
            if isinstance(row, models):
                delta -= _takes_place(row, _flushed(row), since)
    except _Unknown:
        return None
    return delta


def _present(row: object) -> Callable[[str], Any]:
    """A column's value as the next flush would write it."""
    loaded = inspect(row).dict

    def value(key: str) -> Any:
        if key not in loaded:
            raise _Unknown(key)
        return loaded[key]

    return value


def _flushed(row: object) -> Callable[[str], Any]:
    """A column's value as last flushed (loaded, or written since): the database's."""
    state = inspect(row)
    loaded, before = state.dict, state.committed_state

    def value(key: str) -> Any:
        old = before[key] if key in before else loaded.get(key, NO_VALUE)
        if old is NO_VALUE:
            raise _Unknown(key)
        return old

    return value


def in_progress(session: Session) -> int:
    return _count_orders(session, IN_PROGRESS)


_RANK: BindParameter[Any] = bindparam("rank")
_NUMBER: BindParameter[Any] = bindparam("number")
_ORDER_AHEAD = select(_waiting_ahead(_RANK, _NUMBER))
# The order's place and the orders in progress (its estimate counts them), in one statement.
_ORDER_PLACE = select(_waiting_ahead(_RANK, _NUMBER), _orders_with(IN_PROGRESS))
# A relative's orders past the draft, oldest first, each with the waiting orders ahead of it, and the
# orders in progress: all the status reply says of orders, in one statement.
_ORDERS_PLACED = (
    select(WlOrder, _waiting_ahead(WlOrder.queue_rank, WlOrder.number), _orders_with(IN_PROGRESS))
    .where(WlOrder.peer_id == bindparam("peer_id"), WlOrder.status != "draft")
    .order_by(col(WlOrder.id))
)


def queue_position(session: Session, order: WlOrder) -> int | None:
    """1 for the next order; None when the order is not waiting (in progress, done, cancelled)."""
    if order.status != WAITING or order.queue_rank is None or order.number is None:
        return None
    ahead = session.exec(_ORDER_AHEAD, params={"rank": order.queue_rank, "number": order.number}).one()
    return int(ahead) + 1


def _order_place(ahead: int, in_progress: int, settings: WaitlistSettings, now: datetime) -> Place:
    # An order not ranked yet compares with nothing (NULL): first, as ``queue_position(...) or 1`` says.
    return Place(ahead + 1, estimate(ahead + 1, settings=settings, now=now, extra_ahead=in_progress))


def order_place(session: Session, order: WlOrder, *, settings: WaitlistSettings, now: datetime) -> Place:
    """The place of a waiting ``order`` and its estimate, in one query."""
    with known.reading(session, WlOrder):
        ahead, in_progress = session.exec(
            _ORDER_PLACE, params={"rank": order.queue_rank, "number": order.number}
        ).one()
    return _order_place(int(ahead), int(in_progress), settings, now)


def orders_placed(
    session: Session, peer_id: int, *, settings: WaitlistSettings, now: datetime
) -> list[tuple[WlOrder, Place | None]]:
    """``peer_id``'s orders past the draft, oldest first, each waiting one with its place (one query)."""
    with known.reading(session, WlOrder):
        rows = session.exec(_ORDERS_PLACED, params={"peer_id": peer_id}).all()
    return [
        (order, _order_place(int(ahead), int(busy), settings, now) if order.status == WAITING else None)
        for order, ahead, busy in rows
    ]


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
    return estimate(position, settings=settings, now=now, extra_ahead=in_progress(session))


def _signups_ahead(listed_at: Any, signup_id: Any) -> ScalarSelect[int]:
    """The listed sign-ups ahead of one listed at ``listed_at`` with id ``signup_id`` (columns or parameters)."""
    other = aliased(WlSignup)
    return (
        select(func.count())
        .select_from(other)
        .where(
            other.status == "listed",
            or_(
                col(other.listed_at) < listed_at,
                and_(col(other.listed_at) == listed_at, col(other.id) < signup_id),
            ),
        )
        .scalar_subquery()
    )


_LISTED_AT: BindParameter[Any] = bindparam("listed_at")
_ID: BindParameter[Any] = bindparam("id")
_SIGNUP_AHEAD = select(_signups_ahead(_LISTED_AT, _ID))
# The sign-up's place and everyone in the queue (its estimate counts them), in one statement.
_QUEUE = (_orders_with(WAITING), _orders_with(IN_PROGRESS))
_SIGNUP_PLACE = select(_signups_ahead(_LISTED_AT, _ID), *_QUEUE)
# A relative's place on the list (listed or invited) with all its estimate needs, in one statement.
_SIGNUP_PLACED = select(WlSignup, _signups_ahead(WlSignup.listed_at, WlSignup.id), *_QUEUE).where(
    WlSignup.peer_id == bindparam("peer_id"), _ON_THE_LIST
)


def signup_position(session: Session, signup: WlSignup) -> int | None:
    if signup.status != "listed" or signup.listed_at is None or signup.id is None:
        return None
    ahead = session.exec(_SIGNUP_AHEAD, params={"listed_at": signup.listed_at, "id": signup.id}).one()
    return int(ahead) + 1


def _signup_place(ahead: int, queued: int, settings: WaitlistSettings, now: datetime) -> Place:
    """Everyone in the queue and ahead on the list comes first; some leave the list, so the start is earlier."""
    before = queued + ahead  # the place is ahead + 1; the founder reaches it after ``before`` clips
    per_week = settings.clips_per_week
    earliest = now + timedelta(weeks=before * 0.75 / per_week)
    latest = now + timedelta(weeks=(before + 1) / per_week * 1.25, days=3)
    return Place(ahead + 1, Estimate(earliest=earliest, latest=latest))


def signup_place(session: Session, signup: WlSignup, *, settings: WaitlistSettings, now: datetime) -> Place:
    """The place of a listed ``signup`` and its estimate, in one query."""
    with known.reading(session, WlSignup, WlOrder):
        ahead, waiting, busy = session.exec(
            _SIGNUP_PLACE, params={"listed_at": signup.listed_at, "id": signup.id}
        ).one()
    return _signup_place(int(ahead), int(waiting) + int(busy), settings, now)


def signup_placed(
    session: Session, peer_id: int, *, settings: WaitlistSettings, now: datetime
) -> tuple[WlSignup, Place | None] | None:
    """``peer_id``'s place on the list, if any, with its position and estimate while listed (one query)."""
    with known.reading(session, WlSignup, WlOrder):
        row = session.exec(_SIGNUP_PLACED, params={"peer_id": peer_id}).first()
    if row is None:
        return None
    signup, ahead, waiting, busy = row
    listed = signup.status == "listed"
    return signup, _signup_place(int(ahead), int(waiting) + int(busy), settings, now) if listed else None


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
