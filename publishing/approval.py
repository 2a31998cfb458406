"""The family approves the exact post: shown the caption, they answer publish / change text / date / no.

``ask_families`` and ``expire_unanswered`` run in the planner; ``answer`` is called by the event handler
before the intake dialog and returns the replies when the message answered a pending question (None when
it did not, so the dialog handles it). Every answer is a consent-ledger row (``wl_consent``, kind
``post_approval``) with the exact text approved and, in ``version``, the date wish.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

import i18n
from publishing.models import PubPost
from publishing.settings import PublishingSettings
from publishing.slots import assign_slot, first_slot_on
from waitlist.effects import Button, Keyboard, Reply
from waitlist.inbound import InboundMessage
from waitlist.models import WlConsent, WlOrder

__all__ = ["CHOICES", "answer", "ask_families", "ask_reply", "expire_unanswered", "parse_date_wish"]

log = logging.getLogger("publishing.approval")

CHOICES = ("yes", "closed", "edit", "date", "no")
_MAX_CAPTION = 4000
_DATE = re.compile(r"(?:(\d{4})-(\d{1,2})-(\d{1,2}))|(?:(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?)")


def _lang(order: WlOrder) -> str:
    return order.lang or i18n.DEFAULT_LANGUAGE


def _conversation_lang(session: Session, peer_id: int) -> str:
    order = session.exec(
        select(WlOrder).where(WlOrder.peer_id == peer_id).order_by(col(WlOrder.id).desc())
    ).first()
    return _lang(order) if order is not None else i18n.DEFAULT_LANGUAGE


def _keyboard(post_id: int, lang: str) -> Keyboard:
    def button(choice: str, color: str = "secondary") -> Button:
        return Button(
            i18n.text(f"publishing.approval.button.{choice}", lang), {"pub": choice, "post": post_id}, color
        )

    return Keyboard(
        rows=(
            (button("yes", "positive"), button("closed", "positive")),
            (button("edit"), button("date")),
            (button("no", "negative"),),
        )
    )


def ask_reply(post: PubPost, order: WlOrder, key_suffix: str = "ask") -> Reply | None:
    """The question with the exact caption and the four answers; None without a chat to ask in."""
    if order.peer_id is None or post.id is None:
        return None
    lang = _lang(order)
    text = i18n.text("publishing.approval.ask", lang, caption=post.caption, number=order.number or order.id)
    key = f"pub:{post.guid}:{key_suffix}:{post.updated_at.timestamp():.0f}"
    return Reply(order.peer_id, text, key, keyboard=_keyboard(post.id, lang), proactive=True)


def ask_families(session: Session, settings: PublishingSettings, now: datetime) -> list[Reply]:
    """Ask about every post drafted (or changed by the founder) and not yet shown to the family."""
    query = select(PubPost).where(PubPost.status == "awaiting", col(PubPost.asked_at).is_(None))
    review = timedelta(minutes=settings.review_minutes)
    replies: list[Reply] = []
    for post in session.exec(query.order_by(col(PubPost.id))).all():
        if post.updated_at > now - review:
            continue  # the founder may still change the draft (`vkbot schedule caption`)
        order = session.get(WlOrder, post.order_id)
        reply = ask_reply(post, order) if order is not None else None
        post.asked_at = post.updated_at = now
        session.add(post)
        if reply is None:
            log.error(
                "post %s: the family of order %s has no chat to ask in; not published", post.id, post.order_id
            )
            post.status = "expired"
            continue
        replies.append(reply)
    return replies


def expire_unanswered(session: Session, settings: PublishingSettings, now: datetime) -> list[Reply]:
    """No answer within ``approval_days``: not published, and the family hears so once."""
    limit = now.timestamp() - settings.approval_days * 86400
    query = select(PubPost).where(PubPost.status == "awaiting", col(PubPost.asked_at).is_not(None))
    replies: list[Reply] = []
    for post in session.exec(query).all():
        assert post.asked_at is not None
        if post.asked_at.timestamp() > limit:
            continue
        post.status, post.awaiting_answer, post.updated_at = "expired", None, now
        session.add(post)
        order = session.get(WlOrder, post.order_id)
        if order is not None:
            _ledger(session, post, order, False, "post:no_answer", now)
            _not_published(session, order, now)
        log.info(
            "post %s: no answer from the family in %d days; not published", post.id, settings.approval_days
        )
        if order is not None and order.peer_id is not None:
            text = i18n.text("publishing.approval.expired", _lang(order))
            replies.append(Reply(order.peer_id, text, f"pub:{post.guid}:expired", proactive=True))
    return replies


# Built once (a new statement per batch cost more to build than to run): who has a question waiting.
_ASKED = (
    select(WlOrder.peer_id)
    .join(PubPost, col(WlOrder.id) == col(PubPost.order_id))
    .where(
        col(WlOrder.peer_id).in_(bindparam("peers", expanding=True)),
        PubPost.status == "awaiting",
        col(PubPost.asked_at).is_not(None),
    )
)


def peers_asked(session: Session, peer_ids: Iterable[int]) -> set[int]:
    """Which of ``peer_ids`` have a question waiting for their answer: one query for a batch of messages.

    Most messages are not answers; ``answer(..., asked=...)`` then skips its per-message lookup.
    """
    found = session.exec(_ASKED, params={"peers": list(peer_ids)}).all()
    return {peer for peer in found if peer is not None}


def _pending(session: Session, peer_id: int, post_id: object = None) -> PubPost | None:
    """The family's open question: the one a button names, else the oldest asked."""
    query = (
        select(PubPost)
        .join(WlOrder, col(WlOrder.id) == col(PubPost.order_id))
        .where(WlOrder.peer_id == peer_id, PubPost.status == "awaiting", col(PubPost.asked_at).is_not(None))
    )
    if isinstance(post_id, int) or (isinstance(post_id, str) and post_id.isdigit()):
        query = query.where(PubPost.id == int(post_id))
    return session.exec(query.order_by(col(PubPost.asked_at), col(PubPost.id))).first()


def _words(key: str, lang: str) -> set[str]:
    return {w.strip().lower() for w in i18n.text(key, lang).split("|") if w.strip()}


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").strip(" .!").split())


def _choice(msg: InboundMessage, lang: str, post_id: int) -> str | None:
    payload = msg.payload or {}
    if payload.get("pub") in CHOICES and payload.get("post") in (post_id, str(post_id)):
        return str(payload["pub"])
    said = _normal(msg.text)
    for choice in CHOICES:
        if said in _words(f"publishing.approval.words.{choice}", lang):
            return choice
    return None


def parse_date_wish(text: str, lang: str, today: date) -> tuple[str, date] | None:
    """("on", day) or ("after", day) from "15.01.2027", "не раньше 15.01", "after 2027-01-15"; None if no date.

    A day without a year is the next such day from ``today``.
    """
    match = _DATE.search(text)
    if match is None:
        return None
    iso_y, iso_m, iso_d, d, m, y = match.groups()
    try:
        if iso_y:
            day = date(int(iso_y), int(iso_m), int(iso_d))
        else:
            year = int(y) if y else today.year
            year = year + 2000 if year < 100 else year
            day = date(year, int(m), int(d))
            if not y and day < today:
                day = day.replace(year=today.year + 1)
    except ValueError:
        return None
    before = _normal(text[: match.start()])
    after_words = _words("publishing.approval.words.not_before", lang)
    kind = "after" if any(before.endswith(w) or before == w for w in after_words) else "on"
    return kind, day


def _ledger(
    session: Session, post: PubPost, order: WlOrder, granted: bool, version: str, now: datetime
) -> None:
    session.add(
        WlConsent(
            peer_id=order.peer_id,
            order_id=order.id,
            kind="post_approval",
            granted=granted,
            version=version[:32],
            wording=post.caption,
            lang=_lang(order),
            at=now,
        )
    )


def _not_published(session: Session, order: WlOrder, now: datetime) -> None:
    """The order's consent follows the answer, so a later "можно публиковать" is a new grant (asked again)."""
    order.publish_consent, order.updated_at = False, now
    session.add(order)


def _local(settings: PublishingSettings, moment: datetime) -> str:
    local = moment.astimezone(settings.zone())
    return f"{local:%d.%m.%Y %H:%M} ({settings.timezone})"


def _approve(
    session: Session, post: PubPost, order: WlOrder, settings: PublishingSettings, now: datetime, version: str
) -> str:
    """Record the approval and place the post; returns the reply text."""
    lang = _lang(order)
    _ledger(session, post, order, True, version, now)
    post.status, post.awaiting_answer, post.approved_at, post.updated_at = "queued", None, now, now
    session.add(post)
    if post.pinned and post.slot_at is not None:
        placed = True
    else:
        placed = assign_slot(session, settings, post, now)
    if not placed or post.slot_at is None:
        log.warning("post %s approved but no free slot within %d days", post.id, settings.horizon_days)
        return i18n.text("publishing.approval.approved_no_slot", lang)
    log.info("post %s approved by the family (%s); slot %s", post.id, version, post.slot_at.isoformat())
    return i18n.text("publishing.approval.approved", lang, when=_local(settings, post.slot_at))


def answer(
    session: Session,
    msg: InboundMessage,
    settings: PublishingSettings,
    now: datetime,
    *,
    asked: Collection[int] | None = None,
) -> list[Reply] | None:
    """The replies if ``msg`` answered the family's pending approval question, else None.

    ``asked``: the writers known to have a question pending (``peers_asked``, looked up for a batch);
    None: looked up here.
    """
    payload = msg.payload or {}
    pressed = payload.get("pub") in CHOICES
    if asked is not None and msg.peer_id not in asked and not pressed:
        return None
    post = _pending(session, msg.peer_id, payload.get("post") if pressed else None)
    if post is None:
        if pressed:  # a button of a question already answered (or withdrawn): say so, not the intake
            lang = _conversation_lang(session, msg.peer_id)
            return [
                Reply(msg.peer_id, i18n.text("publishing.approval.already", lang), f"{msg.event_key}:pub")
            ]
        return None
    order = session.get(WlOrder, post.order_id)
    assert order is not None and post.id is not None
    lang = _lang(order)
    choice = _choice(msg, lang, post.id)
    text: str
    key = f"{msg.event_key}:pub"
    if choice is None and post.awaiting_answer == "text" and msg.text.strip():
        post.caption = msg.text.strip()[:_MAX_CAPTION]
        text = _approve(session, post, order, settings, now, "post:own_text")
    elif choice is None and post.awaiting_answer == "date":
        today = now.astimezone(settings.zone()).date()
        wish = parse_date_wish(msg.text, lang, today)
        if wish is None or wish[1] < today:
            return [Reply(msg.peer_id, i18n.text("publishing.approval.date_unclear", lang), key)]
        kind, day = wish
        if kind == "on":
            post.slot_at, post.pinned, post.not_before = first_slot_on(settings, day), True, None
        else:
            local_midnight = datetime.combine(day, time(0), tzinfo=settings.zone())
            post.not_before, post.pinned = local_midnight, False
        text = _approve(session, post, order, settings, now, f"post:{kind}:{day.isoformat()}")
    elif choice == "yes":
        text = _approve(session, post, order, settings, now, "post")
    elif choice == "closed":  # published with the comments under it closed, at the family's wish
        post.comments = "closed"
        text = _approve(session, post, order, settings, now, "post:no_comments")
    elif choice == "no":
        _ledger(session, post, order, False, "post", now)
        _not_published(session, order, now)
        post.status, post.awaiting_answer, post.updated_at = "declined", None, now
        session.add(post)
        log.info("post %s: the family chose not to publish", post.id)
        text = i18n.text("publishing.approval.declined", lang)
    elif choice in ("edit", "date"):
        post.awaiting_answer, post.updated_at = ("text" if choice == "edit" else choice), now
        session.add(post)
        text = i18n.text(f"publishing.approval.ask_{post.awaiting_answer}", lang)
    else:
        return None  # not an answer to the question: the dialog handles it
    return [Reply(msg.peer_id, text, key)]
