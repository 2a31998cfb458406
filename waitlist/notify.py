"""News the bot starts on its own (turn reached, estimate slipped, clip ready, a place freed), sent at kind hours.

A notice is a row first, so running this twice never writes twice; it goes out proactively only inside
the sending window to people who may be written to, and otherwise with the next reply they get.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

import i18n
from waitlist.effects import Reply
from waitlist.interviews.words import call_words
from waitlist.models import WlConversation, WlNotice, WlOrder, WlSignup
from waitlist.ports import Clock
from waitlist.queue import Estimate, estimate, estimate_text, in_progress, places_held, waiting_orders
from waitlist.settings import WaitlistSettings
from waitlist.turn import Turn

__all__ = ["NoticeOutlook", "deliver_owed_notices", "due_notifications", "notice_outlook", "render_notices"]


def _owe(
    session: Session, key: str, peer_id: int, kind: str, order_id: int | None, at: datetime, **params: object
) -> None:
    if session.get(WlNotice, key) is None:
        session.add(
            WlNotice(
                key=key, peer_id=peer_id, order_id=order_id, kind=kind, params=dict(params), created_at=at
            )
        )


def _body(notice: WlNotice, lang: str, settings: WaitlistSettings, now: datetime) -> str:
    params = dict(notice.params)
    if "earliest" in params:
        est = Estimate(
            datetime.fromisoformat(str(params.pop("earliest"))),
            datetime.fromisoformat(str(params.pop("latest"))),
        )
        params["estimate"] = estimate_text(est, lang, settings=settings, now=now)
    if "call_at" in params:  # a call the founder moved (waitlist.interviews.changes)
        params.update(call_words(params, lang))
    return i18n.text(f"intake.notice.{notice.kind}", lang, **params)


def render_notices(notices: Sequence[WlNotice], lang: str, settings: WaitlistSettings, now: datetime) -> str:
    """Several pieces of news as one message: one greeting, then each in the order it happened."""
    bodies = "\n\n".join(_body(n, lang, settings, now) for n in notices)
    return f"{i18n.text('intake.notice.hello', lang)} {bodies}"


# News that happened together is told in the order it happens to the writer.
_TELLING_ORDER = {"invite": 0, "turn": 1, "slip": 2, "clip": 3, "invite_lapsed": 4}


def _in_order(notices: Iterable[WlNotice]) -> list[WlNotice]:
    return sorted(notices, key=lambda n: (n.created_at, _TELLING_ORDER.get(n.kind, 9), n.key))


def _messages(notices: Sequence[WlNotice]) -> list[list[WlNotice]]:
    """One writer's news in as few messages as possible; a message carries one file (the clip)."""
    messages: list[list[WlNotice]] = []
    for notice in _in_order(notices):
        current = messages[-1] if messages else None
        if current is None or (notice.attachment_file and any(n.attachment_file for n in current)):
            messages.append([notice])
        else:
            current.append(notice)
    return messages


def _attachment(notices: list[WlNotice]) -> str | None:
    return next((n.attachment_file for n in notices if n.attachment_file), None)


def _collect(session: Session, settings: WaitlistSettings, now: datetime) -> None:
    """Decide which news is owed now; each piece has a stable key.

    "Your turn" is told when the founder starts the clip (in progress), the moment the queue reaches them.
    """
    queue = waiting_orders(session)
    busy = in_progress(session)  # read once: the loop changes only what each order was told
    for position, order in enumerate(queue, start=1):
        if order.peer_id is None:
            continue
        est = estimate(position, settings=settings, now=now, extra_ahead=busy)
        told = order.estimate_told
        if told is not None and est.latest > told + timedelta(days=settings.estimate_slip_margin_days):
            key = f"wl:slip:{order.id}:{est.latest.date().isoformat()}"
            _owe(
                session,
                key,
                order.peer_id,
                "slip",
                order.id,
                now,
                number=order.number,
                earliest=est.earliest.isoformat(),
                latest=est.latest.isoformat(),
            )
            order.estimate_told = est.latest
            session.add(order)
    for order in session.exec(
        select(WlOrder).where(WlOrder.status == "in_progress", col(WlOrder.peer_id).is_not(None))
    ).all():
        _owe(session, f"wl:turn:{order.id}", order.peer_id or 0, "turn", order.id, now, number=order.number)
    delivered = session.exec(
        select(WlOrder).where(
            WlOrder.status == "delivered",
            col(WlOrder.clip_file_id).is_not(None),
            col(WlOrder.peer_id).is_not(None),
        )
    ).all()
    # The clips announced already: one query, not one per order ever delivered.
    announced = set(session.exec(select(WlNotice.key).where(WlNotice.kind == "clip"))) if delivered else set()
    for order in delivered:
        key = f"wl:clip:{order.id}"
        if key not in announced:
            session.add(
                WlNotice(
                    key=key,
                    peer_id=order.peer_id or 0,
                    order_id=order.id,
                    kind="clip",
                    params={"number": order.number},
                    attachment_file=order.clip_file_id,
                    created_at=now,
                )
            )
    _lapse_invitations(session, settings, now)
    # Invitations not yet taken up hold their place, so a second run does not invite more people; so do
    # intakes under way (each started while there was room).
    invited = session.exec(
        select(func.count()).select_from(WlSignup).where(WlSignup.status == "invited")
    ).one()
    held = places_held(session, settings=settings, now=now)
    free = settings.queue_limit - len(queue) - int(invited) - held
    if free > 0:
        query = (
            select(WlSignup)
            .where(WlSignup.status == "listed")
            .order_by(col(WlSignup.listed_at), col(WlSignup.id))
            .limit(free)
        )
        for signup in session.exec(query).all():
            signup.status, signup.invited_at = "invited", now
            session.add(signup)
            conv = session.get(WlConversation, signup.peer_id) if signup.peer_id is not None else None
            if conv is not None and conv.state == "idle":
                conv.state = "new"  # their next message starts the order itself
                session.add(conv)
            _owe(session, f"wl:invite:{signup.id}", signup.peer_id or 0, "invite", None, now)
    session.info.pop(_OWED_PEERS, None)  # new notices may have been added: see _may_owe
    session.flush()


def _lapse_invitations(session: Session, settings: WaitlistSettings, now: datetime) -> None:
    """An invitation not taken up within ``invitation_days`` of reaching the writer gives its place on.

    Otherwise one silent invitee would hold a place for ever and nobody behind them would be invited.
    The clock starts when the invitation was sent (or made, if it never could be sent); a writer who
    was told is told kindly that the place went on, and may sign up again any time.
    """
    lapse_before = now - timedelta(days=settings.invitation_days)
    invited = session.exec(select(WlSignup).where(WlSignup.status == "invited")).all()
    keys = [f"wl:invite:{signup.id}" for signup in invited]
    notices = {n.key: n for n in session.exec(select(WlNotice).where(col(WlNotice.key).in_(keys)))}
    for signup in invited:
        notice = notices.get(f"wl:invite:{signup.id}")
        started = notice.sent_at if notice is not None and notice.sent_at is not None else signup.invited_at
        if started is None or started > lapse_before:
            continue
        signup.status, signup.closed_at = "lapsed", now
        session.add(signup)
        if notice is not None and notice.sent_at is None:
            session.delete(notice)  # never told: an invitation arriving after it lapsed would mislead
        elif signup.peer_id is not None:
            _owe(session, f"wl:invite-lapsed:{signup.id}", signup.peer_id, "invite_lapsed", None, now)


def _may_write_first(conv: WlConversation | None) -> bool:
    if conv is None or conv.messages_allowed is False:
        return False  # denied (message_deny or error 901): never written to first
    return bool(conv.notify_ok or conv.messages_allowed)


def _inside_window(conv: WlConversation, settings: WaitlistSettings, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(conv.tz or settings.timezone))
    return settings.sending_window_start_hour <= local.hour < settings.sending_window_end_hour


def due_notifications(session: Session, *, settings: WaitlistSettings, clock: Clock) -> list[Reply]:
    """Proactive messages to send now; each has a stable key, and is marked sent when returned."""
    now = clock.now()
    _collect(session, settings, now)
    replies: list[Reply] = []
    owed = session.exec(
        select(WlNotice)
        .where(col(WlNotice.sent_at).is_(None))
        .order_by(col(WlNotice.created_at), col(WlNotice.key))
    ).all()
    by_peer: dict[int, list[WlNotice]] = {}
    for notice in owed:
        by_peer.setdefault(notice.peer_id, []).append(notice)
    for peer_id, notices in by_peer.items():
        conv = session.get(WlConversation, peer_id)
        if conv is None or not _may_write_first(conv) or not _inside_window(conv, settings, now):
            continue
        for message in _messages(notices):
            text = render_notices(message, conv.lang, settings, now)
            replies.append(
                Reply(peer_id, text, message[0].key, attachment_file=_attachment(message), proactive=True)
            )
            for notice in message:
                notice.sent_at = now
                session.add(notice)
    session.flush()
    return replies


_OWED_PEERS = "waitlist.owed_peers"


def _may_owe(session: Session, peer_id: int) -> bool:
    """Whether ``peer_id`` may have an unsent notice: one query per transaction, not one per message.

    Notices are only created by ``_collect``, which drops this set; otherwise, within one transaction,
    the notices owed can only be delivered, so the set can only be too wide, never too narrow.
    """
    tx = session.get_transaction()
    cached = session.info.get(_OWED_PEERS)
    if cached is None or cached[0] is not tx:
        query = select(WlNotice.peer_id).where(col(WlNotice.sent_at).is_(None)).distinct()
        cached = (tx, set(session.exec(query).all()))
        session.info[_OWED_PEERS] = cached
    return peer_id in cached[1]


def deliver_owed_notices(turn: Turn) -> None:
    """Whoever could not be written to first hears their news as soon as they write."""
    if not _may_owe(turn.session, turn.msg.peer_id):
        return
    owed = turn.session.exec(
        select(WlNotice)
        .where(WlNotice.peer_id == turn.msg.peer_id, col(WlNotice.sent_at).is_(None))
        .order_by(col(WlNotice.created_at))
    ).all()
    for message in _messages(owed):
        text = render_notices(message, turn.lang, turn.settings, turn.now)
        turn.say(text, attachment_file=_attachment(message))
        for notice in message:
            notice.sent_at = turn.now
            turn.session.add(notice)


@dataclass(frozen=True)
class NoticeOutlook:
    """When an order's news still owed reaches the relative (what the founder is told after her action).

    ``when``: "sent" (nothing owed: it went out, or is on its way), "window" (held until ``at``, the
    start of the next sending window on the relative's clock), "next_message" (they have not allowed
    being written to first: it goes with the bot's next answer to them).
    """

    when: Literal["sent", "window", "next_message"]
    at: datetime | None = None


def _window_opens(conv: WlConversation, settings: WaitlistSettings, now: datetime) -> datetime:
    tz = ZoneInfo(conv.tz or settings.timezone)
    local = now.astimezone(tz)
    opens = local.replace(hour=settings.sending_window_start_hour, minute=0, second=0, microsecond=0)
    if opens <= local:
        opens += timedelta(days=1)
    return opens


def notice_outlook(
    session: Session, order_id: int, *, settings: WaitlistSettings, now: datetime
) -> NoticeOutlook:
    owed = session.exec(
        select(WlNotice).where(WlNotice.order_id == order_id, col(WlNotice.sent_at).is_(None))
    ).first()
    if owed is None:
        return NoticeOutlook("sent")
    conv = session.get(WlConversation, owed.peer_id)
    if conv is None or not _may_write_first(conv):
        return NoticeOutlook("next_message")
    return NoticeOutlook("window", _window_opens(conv, settings, now))
