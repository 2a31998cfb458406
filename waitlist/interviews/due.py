"""Messages about calls that the bot starts: offers as an order nears the front, one gentle follow-up
when an offer is left unanswered (then it lapses), reminders the day before and an hour before (to the
relative inside their sending window, to the founder), and her note when a relative would rather be
written to. Each goes once: ``told`` remembers it with the time booked, and the reply's key (the outbox
key) names the interview, the time and the message.

``interview_work_due`` asks, reading only, whether a pass would change anything: the job takes the
write lock only then. It asks through the same helpers as the pass, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, and_, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

import i18n
from waitlist.effects import Reply
from waitlist.interviews.booking import cancel, choices, free_times, her_zone, interview_for, lapse, release
from waitlist.interviews.dialog import mark_offered
from waitlist.interviews.messages import founder_note, offer_message, reminder_text
from waitlist.interviews.models import WlInterview
from waitlist.interviews.slots import slot_key
from waitlist.models import WlConversation, WlNotice, WlOrder
from waitlist.notify import _inside_window, _may_write_first
from waitlist.ports import Clock
from waitlist.queue import waiting_orders
from waitlist.settings import WaitlistSettings

__all__ = ["due_interview_messages", "interview_work_due"]

OPEN_ORDERS = ("waiting", "in_progress")
# (kind, how long before the call it is due); the day's reminder gives way to the hour's once that is due.
REMINDERS = (("day", timedelta(hours=24)), ("hour", timedelta(hours=1)))
FOLLOWED = "follow_up"  # in ``told``: this offer had its one follow-up
WRITE_ME_TOLD = "write_me:founder"


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
    for interview in session.exec(_booked_soon(now)).all():
        replies += _reminders(session, interview, settings, now, founder_id, founder_lang)
    if founder_id:
        replies += _write_me_notes(session, settings, now, founder_id, founder_lang)
    replies += _follow_ups(session, settings, now)
    session.flush()
    return replies


def interview_work_due(
    session: Session, *, settings: WaitlistSettings, now: datetime, founder_id: int = 0
) -> bool:
    """Whether ``due_interview_messages`` would change anything now; reads only (no flush, no lock)."""
    if not settings.interviews.enabled:
        return False
    with session.no_autoflush:  # nothing is added here; a stray flush would take the write lock
        return (
            session.exec(_closed_query(now)).first() is not None
            or bool(_orders_without_call(session, settings))
            or any(_offer_plan(session, i, settings, now)[0] for i, _ in session.exec(_owed_offers()).all())
            or any(
                _owed_reminders(session, i, settings, now, founder_id)[1]
                for i in session.exec(_booked_soon(now)).all()
            )
            or (bool(founder_id) and any(WRITE_ME_TOLD not in i.told for i in session.exec(_write_me())))
            or any(
                _follow_up_plan(session, i, settings, now)[0]
                for i, _ in session.exec(_stale_offers(settings, now)).all()
            )
        )


def _booked_soon(now: datetime) -> SelectOfScalar[WlInterview]:
    return select(WlInterview).where(
        WlInterview.status == "booked",
        col(WlInterview.starts_at) > now,
        col(WlInterview.starts_at) <= now + REMINDERS[0][1],
    )


def _write_me() -> SelectOfScalar[WlInterview]:
    return select(WlInterview).where(WlInterview.status == "write_me")


def _with_order() -> Any:
    return select(WlInterview, WlOrder).join(WlOrder, col(WlOrder.id) == col(WlInterview.order_id))


def _closed_query(now: datetime) -> Any:
    """Calls of orders no longer open that still hold (or wait for) a time to come."""
    return _with_order().where(
        col(WlOrder.status).not_in(OPEN_ORDERS),
        or_(
            col(WlOrder.erased_at).is_not(None),
            col(WlInterview.status).in_(("offered", "write_me")),
            and_(WlInterview.status == "booked", col(WlInterview.starts_at) > now),
        ),
    )


def _close_for_closed_orders(session: Session, now: datetime) -> None:
    """A cancelled or finished order frees its call time to come (a call held stays in her calendar);
    an erased one leaves no call row behind."""
    for interview, order in session.exec(_closed_query(now)).all():
        if order.erased_at is not None:
            release(session, interview)
            session.delete(interview)
        else:
            cancel(session, interview, now)


def _offers(session: Session, settings: WaitlistSettings, now: datetime) -> list[Reply]:
    """Orders reaching the front get a call row; every row still owed an offer gets it in the window
    (one re-offered after she cancelled the time may be in progress by now)."""
    for order in _orders_without_call(session, settings):
        interview_for(session, order, settings, now)
    replies: list[Reply] = []
    for interview, order in session.exec(_owed_offers()).all():
        plan, times = _offer_plan(session, interview, settings, now)
        if plan == "notice":
            _tell_with_next_reply(session, interview, now)
        if plan != "send":
            continue
        conv = session.get(WlConversation, interview.peer_id)
        assert conv is not None  # a plan to send means a conversation inside its window
        sorry = "cancelled_by_founder" in interview.told
        lead = i18n.text("interviews.founder_cancelled", conv.lang) if sorry else ""
        text, keyboard = offer_message(interview, order, times, conv.lang, now, lead)
        key = f"iv:{interview.id}:offer:{interview.rounds}"
        mark_offered(interview, times, now)
        interview.told = []
        session.add(interview)
        replies.append(Reply(interview.peer_id, text, key, keyboard, proactive=True))
    return replies


def _orders_without_call(session: Session, settings: WaitlistSettings) -> list[WlOrder]:
    """Orders near the front with a writer and no call row yet."""
    front = [o for o in waiting_orders(session)[: settings.interviews.offer_places_ahead] if o.peer_id]
    if not front:
        return []
    ids = [o.id for o in front]
    have = set(session.exec(select(WlInterview.order_id).where(col(WlInterview.order_id).in_(ids))).all())
    return [o for o in front if o.id not in have]


def _owed_offers() -> Any:
    return (
        _with_order()
        .where(
            WlInterview.status == "offered",
            col(WlInterview.offer_sent_at).is_(None),
            col(WlOrder.status).in_(OPEN_ORDERS),
        )
        .order_by(col(WlInterview.id))
    )


def _offer_plan(
    session: Session, interview: WlInterview, settings: WaitlistSettings, now: datetime
) -> tuple[str | None, list[datetime]]:
    """What an offer owed needs now: "send" (with its times), "notice" (told with their next answer) or
    None (outside their window; no free hours yet; the notice already made)."""
    conv = session.get(WlConversation, interview.peer_id)
    if conv is not None and not _may_write_first(conv):
        return ("notice" if session.get(WlNotice, f"iv:{interview.id}:ask") is None else None), []
    if conv is None or not _inside_window(conv, settings, now):
        return None, []  # offered when the window opens
    times = choices(session, interview, settings, now)
    return ("send" if times else None), times  # no free hours yet: offered once she adds some


def _tell_with_next_reply(session: Session, interview: WlInterview, now: datetime) -> None:
    """Someone we may not write to first hears of the call with the bot's next answer to them (a notice,
    as their other news): "write «звонок» to choose a time"."""
    key = f"iv:{interview.id}:ask"  # made once: _offer_plan plans it only while it is missing
    session.add(
        WlNotice(
            key=key, peer_id=interview.peer_id, order_id=interview.order_id, kind="interview", created_at=now
        )
    )


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
    kind, owed = _owed_reminders(session, interview, settings, now, founder_id)
    if "relative" in owed and conv is not None:
        text, keyboard = reminder_text(interview, kind, conv.lang, now)
        key = f"iv:{interview.id}:{slot}:{kind}:relative"
        replies.append(Reply(interview.peer_id, text, key, keyboard, proactive=True))
    if "founder" in owed:
        text = founder_note(interview, order, kind, founder_lang, her_zone(settings), now)
        replies.append(Reply(founder_id, text, f"iv:{interview.id}:{slot}:{kind}:founder"))
    if owed:
        interview.told = [*interview.told, *(f"{kind}:{who}" for who in owed)]
        session.add(interview)
    return replies


def _owed_reminders(
    session: Session, interview: WlInterview, settings: WaitlistSettings, now: datetime, founder_id: int
) -> tuple[str, list[str]]:
    """The reminder due (``day``/``hour``) and who is owed it now ("relative", "founder")."""
    assert interview.starts_at is not None
    due = [kind for kind, before in REMINDERS if now >= interview.starts_at - before]
    if not due:
        return "", []
    kind = due[-1]  # only the latest one due: never "tomorrow" an hour before
    owed = []
    conv = session.get(WlConversation, interview.peer_id)
    if (
        f"{kind}:relative" not in interview.told
        and conv is not None
        and _may_write_first(conv)
        and _inside_window(conv, settings, now)
    ):
        owed.append("relative")
    if founder_id and f"{kind}:founder" not in interview.told:
        owed.append("founder")
    return kind, owed


def _write_me_notes(
    session: Session, settings: WaitlistSettings, now: datetime, founder_id: int, lang: str
) -> list[Reply]:
    replies: list[Reply] = []
    for interview in session.exec(_write_me()).all():
        if WRITE_ME_TOLD in interview.told:
            continue
        order = session.get(WlOrder, interview.order_id)
        if order is None:
            continue
        text = founder_note(interview, order, "write_me", lang, her_zone(settings), now)
        replies.append(
            Reply(founder_id, text, f"iv:{interview.id}:write_me:{interview.updated_at:%Y%m%dT%H%M%S}")
        )
        interview.told = [*interview.told, WRITE_ME_TOLD]
        session.add(interview)
    return replies


def _stale_offers(settings: WaitlistSettings, now: datetime) -> Any:
    """Offers sent and left unanswered for the follow-up's time (an answer touches ``updated_at``)."""
    quiet_since = now - timedelta(hours=settings.interviews.follow_up_hours)
    return (
        _with_order()
        .where(
            WlInterview.status == "offered",
            col(WlInterview.offer_sent_at).is_not(None),
            col(WlInterview.updated_at) <= quiet_since,
            col(WlOrder.status).in_(OPEN_ORDERS),
        )
        .order_by(col(WlInterview.id))
    )


def _follow_up_plan(
    session: Session, interview: WlInterview, settings: WaitlistSettings, now: datetime
) -> tuple[str | None, list[datetime]]:
    """For an unanswered offer: "follow" (its one follow-up, with the times), "lapse", or None (wait)."""
    conf = settings.interviews
    quiet = now - interview.updated_at
    lapse_after = timedelta(hours=conf.lapse_hours)
    if FOLLOWED in interview.told:
        return ("lapse" if quiet >= lapse_after else None), []
    conv = session.get(WlConversation, interview.peer_id)
    if conv is not None and _may_write_first(conv) and _inside_window(conv, settings, now):
        # The earliest times still free, shown before or not: they may simply have missed the offer.
        times = free_times(session, interview, settings, now)[: conf.offer_count]
        if times:
            return "follow", times
    # No follow-up can reach them (not allowed, no free times): it lapses when it would have after one.
    return ("lapse" if quiet >= timedelta(hours=conf.follow_up_hours) + lapse_after else None), []


def _follow_ups(session: Session, settings: WaitlistSettings, now: datetime) -> list[Reply]:
    replies: list[Reply] = []
    for interview, order in session.exec(_stale_offers(settings, now)).all():
        plan, times = _follow_up_plan(session, interview, settings, now)
        if plan == "lapse":
            lapse(session, interview, now)
        if plan != "follow":
            continue
        conv = session.get(WlConversation, interview.peer_id)
        assert conv is not None  # a follow-up is planned only inside a conversation's window
        text, keyboard = offer_message(interview, order, times, conv.lang, now, wording="follow_up")
        key = f"iv:{interview.id}:follow:{interview.rounds}"
        mark_offered(interview, times, now)
        interview.told = [*interview.told, FOLLOWED]
        session.add(interview)
        replies.append(Reply(interview.peer_id, text, key, keyboard, proactive=True))
    return replies
