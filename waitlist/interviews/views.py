"""What the founder sees of her calls: a day's calls with the order beside each, what is coming, and
the relatives who would rather be written to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from waitlist.interviews.models import WlInterview
from waitlist.models import WlOrder

__all__ = [
    "InterviewView",
    "call_of_order",
    "call_view",
    "day_interviews",
    "upcoming_interviews",
    "write_me_requests",
]


@dataclass(frozen=True)
class InterviewView:
    id: int
    order_id: int
    order_number: int | None
    order_status: str
    subject_name: str | None
    relation: str | None
    contact: str | None
    peer_id: int
    status: str
    starts_at: datetime | None  # aware UTC
    minutes: int
    tz: str  # the relative's zone (their clock differs from hers when it is not hers)
    tz_assumed: bool
    updated_at: datetime

    @property
    def ends_at(self) -> datetime | None:
        return self.starts_at + timedelta(minutes=self.minutes) if self.starts_at else None


def _views(session: Session, interviews: list[WlInterview]) -> list[InterviewView]:
    ids = [i.order_id for i in interviews]
    orders = {o.id: o for o in session.exec(select(WlOrder).where(col(WlOrder.id).in_(ids)))} if ids else {}
    views = []
    for i in interviews:
        order = orders.get(i.order_id)
        views.append(
            InterviewView(
                id=i.id or 0,
                order_id=i.order_id,
                order_number=order.number if order else None,
                order_status=order.status if order else "",
                subject_name=order.subject_name if order else None,
                relation=order.relation if order else None,
                contact=order.contact if order else None,
                peer_id=i.peer_id,
                status=i.status,
                starts_at=i.starts_at,
                minutes=i.minutes,
                tz=i.tz,
                tz_assumed=i.tz_assumed,
                updated_at=i.updated_at,
            )
        )
    return views


def _booked_between(session: Session, start: datetime, end: datetime) -> list[InterviewView]:
    query = (
        select(WlInterview)
        .where(
            WlInterview.status == "booked",
            col(WlInterview.starts_at) >= start,
            col(WlInterview.starts_at) < end,
        )
        .order_by(col(WlInterview.starts_at))
    )
    return _views(session, list(session.exec(query).all()))


def day_interviews(session: Session, day: date, tz: ZoneInfo) -> list[InterviewView]:
    """The calls booked on ``day`` of her calendar, earliest first (a DST day is 23 or 25 hours)."""
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz)
    return _booked_between(session, start, end)


def upcoming_interviews(session: Session, since: datetime, days: int = 366) -> list[InterviewView]:
    return _booked_between(session, since, since + timedelta(days=days))


def write_me_requests(session: Session) -> list[InterviewView]:
    """Relatives who chose "write to me instead", oldest first: she writes to each herself."""
    query = select(WlInterview).where(WlInterview.status == "write_me").order_by(col(WlInterview.updated_at))
    return _views(session, list(session.exec(query).all()))


def call_view(session: Session, interview_id: int) -> InterviewView | None:
    found = session.get(WlInterview, interview_id)
    return _views(session, [found])[0] if found is not None else None


def call_of_order(session: Session, number: int) -> InterviewView | None:
    """Order ``number``'s call, whatever its state; None when none was ever arranged."""
    query = (
        select(WlInterview)
        .join(WlOrder, col(WlOrder.id) == col(WlInterview.order_id))
        .where(WlOrder.number == number)
    )
    found = session.exec(query).first()
    return _views(session, [found])[0] if found is not None else None
