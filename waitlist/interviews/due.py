"""Messages about calls that the bot starts: offers as an order nears the front, reminders the day
before and an hour before (to the relative inside their sending window, to the founder), and her note
when a relative would rather be written to. Each goes once: ``told`` remembers it with the time booked,
and the reply's key (the outbox key) names the interview, the time and the message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, and_, col, or_, select

import i18n
from waitlist.effects import Reply
from waitlist.interviews.booking import cancel, choices, her_zone, interview_for, release
from waitlist.interviews.dialog import mark_offered
from waitlist.interviews.messages import founder_note, offer_message, reminder_text
from waitlist.interviews.models import WlInterview
from waitlist.interviews.slots import slot_key
from waitlist.models import WlConversation, WlNotice, WlOrder
from waitlist.notify import _inside_window, _may_write_first
from waitlist.ports import Clock
from waitlist.queue import waiting_orders
from waitlist.settings import WaitlistSettings

__all__ = ["due_interview_messages"]

OPEN_ORDERS = ("waiting", "in_progress")
# (kind, how long before the call it is due); the day's reminder gives way to the hour's once that is due.
REMINDERS = (("day", timedelta(hours=24)), ("hour", timedelta(hours=1)))


def due_interview_messages(
    session: Session,
    *,
    settings: WaitlistSettings,
    clock: Clock,
    founder_id: int = 0,
    founder_lang: str = i18n.DEFAULT_LANGUAGE,
) -> list[Reply]:
    """Every call message owed now; each is marked as told when returned (the caller queues them)."""
    if not settings.interviews.enabled:
        return []
    now = clock.now()
    _close_for_closed_orders(session, now)
    replies = _offers(session, settings, now)
    booked = session.exec(
        select(WlInterview).where(
            WlInterview.status == "booked",
            col(WlInterview.starts_at) > now,
            col(WlInterview.starts_at) <= now + REMINDERS[0][1],
        )
    ).all()
    for interview in booked:
        replies += _reminders(session, interview, settings, now, founder_id, founder_lang)
    if founder_id:
        replies += _write_me_notes(session, settings, now, founder_id, founder_lang)
    session.flush()
    return replies


def _close_for_closed_orders(session: Session, now: datetime) -> None:
    """A cancelled or finished order frees its call time to come (a call held stays in her calendar);
    an erased one leaves no call row behind."""
    query = (
        select(WlInterview, WlOrder)
        .join(WlOrder, col(WlOrder.id) == col(WlInterview.order_id))
        .where(
            col(WlOrder.status).not_in(OPEN_ORDERS),
            or_(
                col(WlOrder.erased_at).is_not(None),
                col(WlInterview.status).in_(("offered", "write_me")),
                and_(WlInterview.status == "booked", col(WlInterview.starts_at) > now),
            ),
        )
    )
    for interview, order in session.exec(query).all():
        if order.erased_at is not None:
            release(session, interview)
            session.delete(interview)
        else:
            cancel(session, interview, now)


def _offers(session: Session, settings: WaitlistSettings, now: datetime) -> list[Reply]:
    """Orders reaching the front get a call row; every row still owed an offer gets it in the window
    (one re-offered after she cancelled the time may be in progress by now)."""
    for order in waiting_orders(session)[: settings.interviews.offer_places_ahead]:
        if order.peer_id is not None:
            interview_for(session, order, settings, now)
    owed = session.exec(
        select(WlInterview, WlOrder)
        .join(WlOrder, col(WlOrder.id) == col(WlInterview.order_id))
        .where(
            WlInterview.status == "offered",
            col(WlInterview.offer_sent_at).is_(None),
            col(WlOrder.status).in_(OPEN_ORDERS),
        )
        .order_by(col(WlInterview.id))
    ).all()
    replies: list[Reply] = []
    for interview, order in owed:
        conv = session.get(WlConversation, interview.peer_id)
        if conv is not None and not _may_write_first(conv):
            _tell_with_next_reply(session, interview, now)
            continue
        if conv is None or not _inside_window(conv, settings, now):
            continue  # offered when the window opens
        times = choices(session, interview, settings, now)
        if not times:
            continue  # no free hours yet: offered once she adds some
        sorry = "cancelled_by_founder" in interview.told
        lead = i18n.text("interviews.founder_cancelled", conv.lang) if sorry else ""
        text, keyboard = offer_message(interview, order, times, conv.lang, now, lead)
        key = f"iv:{interview.id}:offer:{interview.rounds}"
        mark_offered(interview, times, now)
        interview.told = []
        session.add(interview)
        replies.append(Reply(interview.peer_id, text, key, keyboard, proactive=True))
    return replies


def _tell_with_next_reply(session: Session, interview: WlInterview, now: datetime) -> None:
    """Someone we may not write to first hears of the call with the bot's next answer to them (a notice,
    as their other news): "write «звонок» to choose a time"."""
    key = f"iv:{interview.id}:ask"
    if session.get(WlNotice, key) is None:
        notice = WlNotice(
            key=key, peer_id=interview.peer_id, order_id=interview.order_id, kind="interview", created_at=now
        )
        session.add(notice)


def _reminders(
    session: Session,
    interview: WlInterview,
    settings: WaitlistSettings,
    now: datetime,
    founder_id: int,
    founder_lang: str,
) -> list[Reply]:
    assert interview.starts_at is not None
    replies: list[Reply] = []
    slot = slot_key(interview.starts_at)
    order = session.get(WlOrder, interview.order_id)
    conv = session.get(WlConversation, interview.peer_id)
    if order is None:
        return replies
    due = [kind for kind, before in REMINDERS if now >= interview.starts_at - before]
    kind = due[-1] if due else None  # only the latest one due: never "tomorrow" an hour before
    if kind is None:
        return replies
    told = list(interview.told)
    relative = f"{kind}:relative"
    if (
        relative not in told
        and conv is not None
        and _may_write_first(conv)
        and _inside_window(conv, settings, now)
    ):
        text, keyboard = reminder_text(interview, kind, conv.lang, now)
        replies.append(
            Reply(interview.peer_id, text, f"iv:{interview.id}:{slot}:{relative}", keyboard, proactive=True)
        )
        told.append(relative)
    founder = f"{kind}:founder"
    if founder_id and founder not in told:
        text = founder_note(interview, order, kind, founder_lang, her_zone(settings), now)
        replies.append(Reply(founder_id, text, f"iv:{interview.id}:{slot}:{founder}"))
        told.append(founder)
    if told != interview.told:
        interview.told = told
        session.add(interview)
    return replies


def _write_me_notes(
    session: Session, settings: WaitlistSettings, now: datetime, founder_id: int, lang: str
) -> list[Reply]:
    replies: list[Reply] = []
    waiting = session.exec(select(WlInterview).where(WlInterview.status == "write_me")).all()
    for interview in waiting:
        if "write_me:founder" in interview.told:
            continue
        order = session.get(WlOrder, interview.order_id)
        if order is None:
            continue
        text = founder_note(interview, order, "write_me", lang, her_zone(settings), now)
        replies.append(
            Reply(founder_id, text, f"iv:{interview.id}:write_me:{interview.updated_at:%Y%m%dT%H%M%S}")
        )
        interview.told = [*interview.told, "write_me:founder"]
        session.add(interview)
    return replies
