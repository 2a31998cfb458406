"""Finding orders (text, status, dates, publication consent; a page at a time) and reading the sign-up list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, case, cast, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from waitlist.founder import OrderView, order_views
from waitlist.models import WlOrder, WlSignup, WlStoryPart
from waitlist.queue import signup_position
from waitlist.settings import WaitlistSettings

__all__ = ["OrderQuery", "SignupView", "find_orders", "signup_list"]

# Longer search words are cut: a text search is a few words, not a paragraph.
MAX_SEARCH_CHARS = 100
PUBLISH_CHOICES = ("yes", "no", "unknown")
ACTIVE_SIGNUPS = ("listed", "invited")


@dataclass(frozen=True)
class OrderQuery:
    """What the founder looks for; empty fields do not filter. Dates bound ``completed_at`` (UTC, [since, until))."""

    text: str = ""
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    publish: str | None = None  # yes | no | unknown


def _case_forms(text: str) -> list[str]:
    """The spellings a name is written in: SQLite folds only ASCII case, so Cyrillic needs each form."""
    return list(dict.fromkeys((text, text.lower(), text.upper(), text.capitalize(), text.title())))


def _text_clause(text: str) -> ColumnElement[bool]:
    forms = _case_forms(text)
    fields = (WlOrder.subject_name, WlOrder.relation, WlOrder.contact, WlOrder.wish_note)
    matches = [col(f).contains(form, autoescape=True) for f in fields for form in forms]
    story = (
        select(WlStoryPart.id)
        .where(
            WlStoryPart.order_id == WlOrder.id,
            or_(*(col(WlStoryPart.text).contains(form, autoescape=True) for form in forms)),
        )
        .exists()
    )
    clauses = [*matches, story]
    digits = text.lstrip("№#").strip()
    if digits.isascii() and digits.isdigit() and len(digits) <= 12:
        clauses.append(col(WlOrder.number) == int(digits))
    return or_(*clauses)


def _where(query: OrderQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [col(WlOrder.number).is_not(None)]
    text = query.text.strip()[:MAX_SEARCH_CHARS]
    if text:
        where.append(_text_clause(text))
    if query.status:
        where.append(col(WlOrder.status) == query.status)
    if query.since is not None:
        where.append(col(WlOrder.completed_at) >= query.since)
    if query.until is not None:
        where.append(col(WlOrder.completed_at) < query.until)
    if query.publish == "unknown":
        where.append(col(WlOrder.publish_consent).is_(None))
    elif query.publish in ("yes", "no"):
        where.append(col(WlOrder.publish_consent) == (query.publish == "yes"))
    return where


def find_orders(
    session: Session,
    query: OrderQuery,
    *,
    settings: WaitlistSettings,
    now: datetime,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[OrderView], int]:
    """One page of matching orders and how many match: waiting ones in queue order first, then by number."""
    where = _where(query)
    total = int(session.exec(select(func.count()).select_from(WlOrder).where(*where)).one())
    waiting = col(WlOrder.status) == "waiting"
    rows = session.exec(
        select(WlOrder)
        .where(*where)
        .order_by(
            case((waiting, 0), else_=1),
            case((waiting, col(WlOrder.queue_rank)), else_=cast(col(WlOrder.number), Float)),
            col(WlOrder.number),
        )
        .offset(max(offset, 0))
        .limit(limit)
    ).all()
    return order_views(session, list(rows), settings=settings, now=now), total


@dataclass(frozen=True)
class SignupView:
    """Someone waiting for the queue to open: only a way to reach them, as the list keeps nothing more."""

    id: int
    peer_id: int | None
    contact: str | None
    lang: str
    status: str
    place: int | None
    listed_at: datetime | None
    invited_at: datetime | None


def signup_list(session: Session) -> list[SignupView]:
    """People on the list (listed, then invited and not yet started), in the order they signed up."""
    rows = session.exec(
        select(WlSignup)
        .where(col(WlSignup.status).in_(ACTIVE_SIGNUPS))
        .order_by(col(WlSignup.listed_at), col(WlSignup.id))
    ).all()
    return [
        SignupView(
            id=row.id or 0,
            peer_id=row.peer_id,
            contact=row.contact,
            lang=row.lang,
            status=row.status,
            place=signup_position(session, row),
            listed_at=row.listed_at,
            invited_at=row.invited_at,
        )
        for row in rows
    ]
