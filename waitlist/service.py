"""The entry points vkbot calls for a relative's message: route it to a command or the dialog, idempotently."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, inspect
from sqlmodel import Session, col, select

from waitlist import attachments, known, media
from waitlist.actions import run_command, run_confirmation
from waitlist.alerts import note_handled
from waitlist.commands import Command, parse_answer, parse_command
from waitlist.crisis import answer_crisis, sounds_like_crisis
from waitlist.dialog import State, step_for
from waitlist.effects import Reply, merge_replies
from waitlist.flags import REOPEN_HINT, SIGNUPS_OPEN
from waitlist.flow import enter, start, take_media_into_order
from waitlist.inbound import InboundMessage
from waitlist.intake import answer_step, has_content, keep_for_founder
from waitlist.interviews.dialog import handle_interview_message
from waitlist.language import follow
from waitlist.models import WlConversation, WlFlag, WlOrder, WlPendingAttachment, WlProcessedEvent, WlSignup
from waitlist.notify import deliver_owed_notices
from waitlist.ports import Clock, Downloader, FileStore, MessageTexts
from waitlist.rows import defer_row, write_deferred
from waitlist.settings import WaitlistSettings
from waitlist.takeover import acknowledge_while_taken_over, founder_wrote, taken_over
from waitlist.turn import Turn, keyboard_for

__all__ = [
    "hand_back",
    "handle_message",
    "peers_with_orders",
    "preload",
    "record_founder_message",
    "record_message_allow",
]

_CHUNK = 500  # ids per IN (...) query

# Built once, with the ids as an expanding parameter: a new statement per batch costs more to build and
# to key for the compiled cache than the query costs to run.
_KEYS: BindParameter[Any] = bindparam("keys", expanding=True)
_PEERS: BindParameter[Any] = bindparam("peers", expanding=True)
_SEEN = select(WlProcessedEvent.event_key).where(col(WlProcessedEvent.event_key).in_(_KEYS))
_CONVERSATIONS = select(WlConversation).where(col(WlConversation.peer_id).in_(_PEERS))
_ORDERS = select(WlOrder).where(col(WlOrder.peer_id).in_(_PEERS))
_SIGNUPS = select(WlSignup).where(col(WlSignup.peer_id).in_(_PEERS))
_WITH_PENDING = (
    select(WlPendingAttachment.peer_id).where(col(WlPendingAttachment.peer_id).in_(_PEERS)).distinct()
)
_FLAGS = select(WlFlag)


def preload(session: Session, event_keys: Iterable[str], peer_ids: Iterable[int]) -> None:
    """Before a batch of messages in one transaction: a few queries instead of a few per message.

    Loads the writers' conversations, orders and sign-ups and the flags (held until the session ends,
    so ``session.get`` finds them), and notes what is missing (see ``known``): event keys not processed
    yet, writers without a conversation, an order, a sign-up or pending attachments, so the handlers
    need not ask each time.
    Only an optimisation: without it, ``handle_message`` does the same lookups one at a time.
    """
    keys, peers = list(dict.fromkeys(event_keys)), list(dict.fromkeys(peer_ids))
    done: set[str] = set()
    held: list[object] = []
    write_deferred(session)  # rows of this transaction's earlier messages
    for i in range(0, len(keys), _CHUNK):
        done.update(session.exec(_SEEN, params={"keys": keys[i : i + _CHUNK]}).all())
    with_conv: set[int] = set()
    with_order: set[int | None] = set()
    with_signup: set[int | None] = set()
    with_pending: set[int | None] = set()
    for i in range(0, len(peers), _CHUNK):
        chunk = {"peers": peers[i : i + _CHUNK]}
        convs = session.exec(_CONVERSATIONS, params=chunk).all()
        orders = session.exec(_ORDERS, params=chunk).all()
        signups = session.exec(_SIGNUPS, params=chunk).all()
        with_pending.update(session.connection().execute(_WITH_PENDING, chunk).scalars())
        with_conv.update(c.peer_id for c in convs)
        with_order.update(o.peer_id for o in orders)
        with_signup.update(s.peer_id for s in signups)
        held.extend([*convs, *orders, *signups])
    flags = session.exec(_FLAGS).all()
    held.extend(flags)
    absent: dict[known.What, set[Any]] = {
        "event": {k for k in keys if k not in done},
        "conversation": {p for p in peers if p not in with_conv},
        "order": {p for p in peers if p not in with_order},
        "signup": {p for p in peers if p not in with_signup},
        "pending": {p for p in peers if p not in with_pending},
        "flag": {SIGNUPS_OPEN, REOPEN_HINT} - {f.name for f in flags},
    }
    known.remember(session, known.Known(absent, held))


def peers_with_orders(session: Session, peer_ids: Iterable[int]) -> set[int]:
    """Of ``peer_ids``, those who may hold an order: all but the ones this transaction's ``preload`` found
    without any (no query). Lets a caller skip a per-batch query about orders when nobody has one."""
    return {peer for peer in peer_ids if not known.is_absent(session, "order", peer)}


def _processed(session: Session, event_key: str) -> WlProcessedEvent | None:
    """The stored outcome of ``event_key``, if it was handled; skips the query when ``preload`` saw it new."""
    if known.is_absent(session, "event", event_key):
        known.now_present(session, "event", event_key)  # it is being handled now: a later call asks
        return None
    write_deferred(session)  # the same event twice in one batch: its row may still wait
    return session.get(WlProcessedEvent, event_key)


def _find_conversation(session: Session, peer_id: int) -> WlConversation | None:
    """``session.get``, without asking the database where the batch's preload knows the answer."""
    if known.is_absent(session, "conversation", peer_id):
        return None
    return known.made(session, WlConversation, peer_id) or session.get(WlConversation, peer_id)


def _conversation(session: Session, peer_id: int, now: datetime, lang_hint: str | None) -> WlConversation:
    conv = _find_conversation(session, peer_id)
    if conv is None:
        lang = lang_hint if lang_hint in ("ru", "uk", "en") else "ru"
        conv = WlConversation(peer_id=peer_id, lang=lang, created_at=now, updated_at=now)
        session.add(conv)
        known.now_present(session, "conversation", peer_id)
        known.created(session, conv, peer_id)
    return conv


def handle_message(
    session: Session,
    msg: InboundMessage,
    *,
    settings: WaitlistSettings,
    clock: Clock,
    files: FileStore,
    downloader: Downloader,
    texts: MessageTexts | None = None,
    founder_active: bool = False,
    urgent: bool = False,
) -> list[Reply]:
    """The bot's answer(s) to one message; the same event_key again gives the same replies and no new state.

    ``urgent``: moderation saw self-harm in it (the support line is given here, with the rest of the
    answer). ``founder_active``: the founder is writing in this conversation right now. Alerts for the
    founder that the message raised: ``founder_alerts(session, msg.event_key)``.
    """
    done = _processed(session, msg.event_key)
    if done is not None:
        return [Reply.from_json({**r, "peer_id": msg.peer_id}) for r in done.replies]
    now = clock.now()
    conv = _conversation(session, msg.peer_id, now, msg.lang_hint)
    turn = Turn(session, msg, settings, now, files, downloader, conv)
    _follow_language(conv, msg.text)
    # Videos, posts, links, files reach the founder's inbox whatever the message is (never lost).
    attachments.keep(turn)
    if urgent or sounds_like_crisis(msg.text):
        answer_crisis(turn)
    elif founder_active or taken_over(conv, now):
        _while_taken_over(turn, texts, founder_active)
    else:
        deliver_owed_notices(turn)
        if conv.state != State.NEW and (named := attachments.words(turn)):
            turn.say(named)  # first: the dialog's answer follows in the same message (a greeting says it)
        _route(turn, texts)
        if named := attachments.unsaid(turn):
            turn.say(named)  # a first message answered otherwise (a command, sign-ups closed)
    note_handled(session, msg.event_key)
    turn.replies = merge_replies(turn.replies)
    # "Delete my data" removed it (deleted and flushed); asking the session instead would flush a new row.
    erased = inspect(conv).was_deleted
    if not erased:
        conv.updated_at = now
        session.add(conv)
    # Replies are kept without the peer (the message has it), so an erased writer leaves no trace here.
    kept = [{k: v for k, v in r.to_json().items() if k != "peer_id"} for r in turn.replies]
    peer = None if erased else msg.peer_id
    row = {"event_key": msg.event_key, "peer_id": peer, "replies": kept, "created_at": now}
    # No ORM object, and written with the batch's others when its savepoint or transaction commits
    # (see waitlist/rows.py); whatever reads these rows writes the waiting ones first.
    defer_row(session, WlProcessedEvent, row)
    return turn.replies


def _follow_language(conv: WlConversation, text: str) -> None:
    """Names and addresses say nothing of the writer's language; everything else counts (see ``follow``)."""
    if conv.lang_locked or conv.state in (State.SUBJECT, State.CONTACT, State.SIGNUP_CONTACT):
        return
    lang, pending = follow(conv.lang, conv.lang_pending, text, first=conv.state == State.NEW)
    # Assigning an equal value still dirties the row and costs a flush.
    if lang != conv.lang:
        conv.lang = lang
    if pending != conv.lang_pending:
        conv.lang_pending = pending


def _while_taken_over(turn: Turn, texts: MessageTexts | None, founder_active: bool) -> None:
    """A person is answering: commands still work, the rest is kept for her and acknowledged now and then."""
    msg, conv = turn.msg, turn.conv
    if conv.confirm_pending and run_confirmation(turn, texts):
        return
    if handle_interview_message(turn):
        return  # choosing a call time still works while she answers herself
    command = parse_command(msg.text, msg.payload)
    if command is not None:
        run_command(turn, command, texts)
    else:
        acknowledge_while_taken_over(turn, founder_active)


def _route(turn: Turn, texts: MessageTexts | None) -> None:
    msg, conv = turn.msg, turn.conv
    command = parse_command(msg.text, msg.payload)
    if conv.confirm_pending:
        if run_confirmation(turn, texts):
            return
    if handle_interview_message(turn):
        return
    if command in (Command.NO_PUBLISH, Command.MAY_PUBLISH) and conv.state == State.PUBLISH:
        command = None  # here the words are the answer to the question being asked
    if command is not None:
        run_command(turn, command, texts)
        return
    state = State(conv.state)
    if state == State.NEW:
        start(turn)
    elif state == State.DECLINED:
        _declined(turn)
    elif state == State.IDLE:
        _idle(turn)
    else:
        _in_dialog(turn, state)


def _declined(turn: Turn) -> None:
    step = step_for(turn.conv.track, State.CONSENT)
    assert step is not None
    if parse_answer(turn.msg.text, turn.msg.payload) in ("yes", "agree"):
        turn.conv.state = State.CONSENT
        _in_dialog(turn, State.CONSENT)
        return
    turn.ask(step, turn.t("intake.declined_again"))


def _in_dialog(turn: Turn, state: State) -> None:
    step = step_for(turn.conv.track, state)
    assert step is not None
    if state == State.CONSENT and not turn.conv.pd_consent:
        if turn.conv.track == "order":
            media.keep_pending(turn)
            if len(turn.msg.text.strip()) >= 20 and parse_answer(turn.msg.text, turn.msg.payload) is None:
                keep_for_founder(turn, "before_consent", turn.msg.text)  # joins the story on consent
    elif turn.conv.track == "order":
        take_media_into_order(turn)
    elif any(media.is_media(a) for a in turn.msg.attachments):
        turn.say(turn.t("intake.media.not_now"))
    has_media = any(media.is_media(a) for a in turn.msg.attachments)
    if not turn.msg.text.strip() and not turn.msg.payload and not has_media and not turn.msg.forwarded_texts:
        # A sticker, a video or an empty message: nothing to answer with, so ask the question again,
        # gently (a video was already thanked for: then the question alone).
        turn.ask(step, "" if attachments.any_kept(turn.msg) else turn.t("intake.reask.gentle"))
        return
    outcome = answer_step(turn, step)
    if outcome is not None:
        enter(turn, step.next[outcome])


def _idle(turn: Turn) -> None:
    """After the order is placed: new photos join it, words are kept for the founder, never a wrong answer."""
    result = take_media_into_order(turn)
    text = turn.msg.text.strip()
    if has_content(text) or turn.msg.forwarded_texts:
        keep_for_founder(turn, "off_script", "\n".join([text, *turn.msg.forwarded_texts]).strip())
        turn.say(turn.t("intake.kept"), keyboard_for(None, turn.lang))
    elif (result is None or not result.any) and not attachments.any_kept(turn.msg):
        turn.say(turn.t("intake.thanks_gentle"), keyboard_for(None, turn.lang))


def record_founder_message(
    session: Session, peer_id: int, at: datetime, *, settings: WaitlistSettings
) -> None:
    """The founder wrote in this conversation herself: the bot stays quiet there for a while."""
    conv = _conversation(session, peer_id, at, None)
    founder_wrote(conv, at, settings.founder_takeover_hours)
    conv.updated_at = at
    session.add(conv)


def hand_back(session: Session, peer_id: int, at: datetime) -> None:
    """The founder hands the conversation back to the bot."""
    conv = session.get(WlConversation, peer_id)
    if conv is not None:
        conv.takeover_until = conv.takeover_by = conv.takeover_acked_at = None
        conv.updated_at = at
        session.add(conv)


def record_message_allow(session: Session, user_id: int, allowed: bool, at: datetime) -> None:
    """VK's message_allow / message_deny (or error 901 on sending): who may be written to first."""
    conv = _conversation(session, user_id, at, None)
    conv.messages_allowed, conv.messages_allowed_at = allowed, at
    session.add(conv)


_ANY_ORDER = select(WlOrder.id).where(WlOrder.peer_id == bindparam("peer_id")).limit(1)


def conversation_protected(session: Session, peer_id: int) -> bool:
    """An order, or an intake that collected something real (consent given), protects a conversation:
    moderation may mark its messages but never hide them."""
    conv = _find_conversation(session, peer_id)
    if conv is not None and (conv.pd_consent or conv.order_id is not None):
        return True
    if known.is_absent(session, "order", peer_id):
        return False
    with known.reading(session, WlOrder):
        return session.exec(_ANY_ORDER, params={"peer_id": peer_id}).first() is not None


def conversation_language(session: Session, peer_id: int) -> str | None:
    conv = _find_conversation(session, peer_id)
    return conv.lang if conv is not None else None
