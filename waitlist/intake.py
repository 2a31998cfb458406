"""The answer to each question of the intake: what it stores, and which outcome of the dialog table it gives."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from sqlmodel import select

import i18n
from waitlist import known, media, vocabulary
from waitlist.commands import parse_answer
from waitlist.consent import record_pd_consent, set_publication
from waitlist.dialog import WISHES, Accept, State, Step
from waitlist.language import normalize
from waitlist.models import WlErasure, WlInbox, WlOrder, WlPendingAttachment, WlSignup, WlStoryPart
from waitlist.rows import insert_ignoring_duplicate, insert_object, insert_row
from waitlist.turn import Turn, keyboard_for

__all__ = ["answer_step", "current_order", "current_signup", "has_content", "start_order", "start_signup"]

_CONTENT = re.compile(r"[\w]", re.UNICODE)
_SHORT_FIELD = 500
_YES = {"yes", "agree", "publish_yes", "confirm"}
_NO = {"no", "disagree", "publish_no"}

_WISH_WORDS: dict[str, tuple[str, ...]] = {
    "embrace": ("объят", "обним", "обійм", "embrac", "hug"),
    "wings": ("крыл", "крил", "ангел", "wing", "angel"),
    "birds": ("птиц", "голуб", "птах", "bird", "dove"),
    "song": ("песн", "песен", "пісн", "музык", "музик", "song", "music"),
    "voice": ("голос", "voice"),
}


# Where a phone number's country has one time zone, proactive messages follow the writer's own clock.
_TZ_BY_PHONE_PREFIX = (
    ("+380", "Europe/Kyiv"),
    ("+375", "Europe/Minsk"),
    ("+44", "Europe/London"),
    ("+49", "Europe/Berlin"),
    ("+995", "Asia/Tbilisi"),
    ("+374", "Asia/Yerevan"),
    ("+998", "Asia/Tashkent"),
)


def timezone_from_phone(contact: str) -> str | None:
    compact = re.sub(r"[^\d+]", "", contact)
    return next((tz for prefix, tz in _TZ_BY_PHONE_PREFIX if compact.startswith(prefix)), None)


def has_content(text: str) -> bool:
    """Letters or digits, not only emoji, punctuation or spaces."""
    return bool(_CONTENT.search(text))


def current_order(turn: Turn) -> WlOrder | None:
    if not turn.conv.order_id:
        return None
    order_id = turn.conv.order_id
    return known.made(turn.session, WlOrder, order_id) or turn.session.get(WlOrder, order_id)


def current_signup(turn: Turn) -> WlSignup | None:
    if not turn.conv.signup_id:
        return None
    signup_id = turn.conv.signup_id
    return known.made(turn.session, WlSignup, signup_id) or turn.session.get(WlSignup, signup_id)


def start_order(turn: Turn) -> WlOrder:
    known.now_present(turn.session, "order", turn.msg.peer_id)
    order = WlOrder(peer_id=turn.msg.peer_id, lang=turn.lang, created_at=turn.now, updated_at=turn.now)
    order_id = insert_object(turn.session, order)  # its id at once, without flushing the batch's rows
    known.created(turn.session, order, order_id)  # held: session.get would ask again once it is gone
    turn.conv.order_id, turn.conv.signup_id, turn.conv.track = order_id, None, "order"
    return order


def start_signup(turn: Turn) -> WlSignup:
    known.now_present(turn.session, "signup", turn.msg.peer_id)
    signup = WlSignup(peer_id=turn.msg.peer_id, lang=turn.lang, created_at=turn.now)
    signup_id = insert_object(turn.session, signup)  # its id at once, without flushing the batch's rows
    known.created(turn.session, signup, signup_id)  # held, as the order is
    turn.conv.signup_id, turn.conv.order_id, turn.conv.track = signup_id, None, "signup"
    return signup


_STORY_PART = select(WlStoryPart.id).where(
    WlStoryPart.order_id == sa.bindparam("order_id"), WlStoryPart.digest == sa.bindparam("digest")
)


def add_story_part(turn: Turn, order: WlOrder, text: str, forwarded: bool = False) -> bool:
    """Keep one part of the story (bounded); the same words twice are one part. True if new."""
    text = text.strip()
    if not has_content(text):
        return False
    digest = hashlib.sha256(normalize(text).encode()).hexdigest()
    with known.reading(turn.session, WlStoryPart):
        exists = turn.session.exec(_STORY_PART, params={"order_id": order.id, "digest": digest}).first()
        if exists is not None:
            return False
        limit = turn.settings.max_text_chars
        row = {
            "order_id": order.id or 0,
            "text": text[:limit],
            "digest": digest,
            "truncated": len(text) > limit,
            "forwarded": forwarded,
            "created_at": turn.now,
        }
        # The same part may arrive at the same moment in another message: the database keeps one. One
        # INSERT ... ON CONFLICT DO NOTHING instead of a savepoint, which would flush every pending row.
        return insert_ignoring_duplicate(turn.session, WlStoryPart, row)


def keep_for_founder(turn: Turn, kind: str, text: str, order: WlOrder | None = None) -> None:
    row = {
        "peer_id": turn.msg.peer_id,
        "order_id": order.id if order else turn.conv.order_id,
        "kind": kind,
        "text": text[: turn.settings.max_text_chars],
        "event_key": turn.msg.event_key[:128],
        "created_at": turn.now,
        "handled_at": None,
    }
    # No ORM object: nothing reads it back but by a query (see waitlist/rows.py).
    insert_row(turn.session, WlInbox, row)


def _yes_no(turn: Turn) -> str | None:
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer in _YES:
        return "yes"
    if answer in _NO:
        return "no"
    return None


# --- one function per kind of answer; each returns an outcome of the table, or None to stay ---


def _answer_yes_no(turn: Turn, step: Step) -> str | None:
    outcome = _yes_no(turn)
    if outcome is None:
        turn.ask(step, turn.t("intake.reask.yes_no"))
        return None
    state = State(turn.conv.state)
    if state == State.CONSENT:
        _on_consent(turn, step, outcome == "yes")
    elif state in (State.NOTIFY, State.SIGNUP_NOTIFY):
        turn.conv.notify_ok = outcome == "yes"
    elif state == State.PUBLISH:
        order = current_order(turn)
        assert order is not None
        set_publication(turn.session, order, outcome == "yes", turn.lang, turn.settings, turn.now)
    return outcome


def _on_consent(turn: Turn, step: Step, granted: bool) -> None:
    wording_key = turn.question_key(step)  # the words the writer actually saw
    record_pd_consent(
        turn.session, turn.msg.peer_id, granted, turn.lang, turn.settings, turn.now, wording_key
    )
    turn.conv.pd_consent = granted
    if not granted:
        _decline(turn)
        return
    if turn.conv.track == "signup":
        _drop_pending(turn)  # no photos are collected from people who may wait months
        if current_signup(turn) is None:
            start_signup(turn)
        return
    order = current_order(turn) or start_order(turn)
    result = media.adopt_pending(turn, order)
    with known.reading(turn.session, WlInbox):
        first_words = turn.session.exec(
            select(WlInbox).where(WlInbox.peer_id == turn.msg.peer_id, WlInbox.kind == "before_consent")
        ).all()
    for early in first_words:
        # The first words ("my son was killed in May...") are the beginning of the story; the greeting
        # and the request for a clip are not.
        add_story_part(turn, order, vocabulary.first_words().story_part(early.text))
        early.kind = "first_words"
        turn.session.add(early)
    if result.any:
        media.acknowledge(turn, result, media.photo_count(turn, order))


def _drop_pending(turn: Turn) -> None:
    if known.is_absent(turn.session, "pending", turn.msg.peer_id):
        return  # the batch's preload found none, and none was kept since
    with known.reading(turn.session, WlPendingAttachment):
        pending = turn.session.exec(
            select(WlPendingAttachment).where(WlPendingAttachment.peer_id == turn.msg.peer_id)
        ).all()
    for item in pending:
        turn.session.delete(item)


def _decline(turn: Turn) -> None:
    """No consent: nothing is downloaded, and the texts already written are removed after a few days."""
    _drop_pending(turn)
    due = turn.now + timedelta(days=turn.settings.declined_consent_texts_days)
    turn.session.add(WlErasure(peer_id=turn.msg.peer_id, reason="consent_declined", due_at=due))


def _answer_text(turn: Turn, step: Step) -> str | None:
    text = turn.msg.text.strip()
    if not has_content(text):
        turn.ask(step, turn.t("intake.reask.text"))
        return None
    order = current_order(turn)
    assert order is not None
    state = State(turn.conv.state)
    outcome = "ok"
    if state == State.SUBJECT:
        relation, name = vocabulary.relations().split(text)
        if relation is not None:
            order.relation = relation
        if not name:  # "мама": the relation is known, the name is still to come
            turn.session.add(order)
            turn.ask(step, turn.t("intake.reask.subject_name"))
            return None
        order.subject_name = name[:_SHORT_FIELD]
        outcome = "with_relation" if order.relation else "ok"
    elif state == State.RELATION:
        order.relation = text[:_SHORT_FIELD]
    elif state == State.CORRECTION:
        order.founder_note = "\n".join(
            filter(None, [order.founder_note, text[: turn.settings.max_text_chars]])
        )
        keep_for_founder(turn, "correction", text, order)
        turn.say(turn.t("intake.correction_kept"))
    order.updated_at = turn.now
    turn.session.add(order)
    return outcome


def _answer_photos(turn: Turn, step: Step) -> str | None:
    order = current_order(turn)
    assert order is not None
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer in ("done", "skip", "no"):
        if media.photo_count(turn, order) == 0:
            turn.say(turn.t("intake.photos.later"))
        return "done"
    with_media = any(media.is_media(a) for a in turn.msg.attachments)
    if with_media:  # words with photos are their caption, kept with them (see media.caption)
        turn.say(turn.t("intake.photos.more"), keyboard_for(step, turn.lang))
        return None
    if not has_content(turn.msg.text):
        turn.ask(step, turn.t("intake.reask.photos"))
        return None
    # Words instead of photos: the story starting. Kept there; the photos are still asked for, until
    # the writer says there are none.
    add_story_part(turn, order, turn.msg.text)
    if media.photo_count(turn, order):
        turn.say(turn.t("intake.story.saved_from_photos"))
        return "done"
    turn.say(turn.t("intake.photos.words_kept"), keyboard_for(step, turn.lang))
    return None


def _answer_story(turn: Turn, step: Step) -> str | None:
    order = current_order(turn)
    assert order is not None
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer in ("done", "skip"):
        return "done"
    with_media = any(media.is_media(a) for a in turn.msg.attachments)
    if has_content(turn.msg.text) and not with_media:  # with photos, the words are their caption
        add_story_part(turn, order, turn.msg.text)
    if with_media:
        return None  # the photos were thanked for as they came (flow.take_media_into_order)
    if has_content(turn.msg.text) or turn.msg.forwarded_texts:
        # Thanks and the button, not the whole question again after every part of the story.
        turn.say(turn.t("intake.story.saved"), keyboard_for(step, turn.lang))
    else:
        turn.ask(step, turn.t("intake.reask.story"))
    return None


def _answer_wishes(turn: Turn, step: Step) -> str | None:
    order = current_order(turn)
    assert order is not None
    chosen = [w for w in order.wishes.split(",") if w]
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer and answer.startswith("wish:") and answer[5:] in WISHES:
        pressed = [answer[5:]]
    else:
        pressed = _typed_wish_labels(turn.msg.text)  # an old client without buttons types their labels
    if pressed:
        for wish in pressed:  # as the buttons do: each press picks a wish, or drops it if picked
            chosen = [w for w in chosen if w != wish] if wish in chosen else [*chosen, wish]
        order.wishes = ",".join(chosen)
        turn.session.add(order)
        names = ", ".join(turn.t(f"intake.button.wish_{w}") for w in chosen) or turn.t("intake.wishes.none")
        turn.ask(step, turn.t("intake.wishes.chosen", wishes=names))
        return None
    if answer not in ("done", "no", "skip"):
        if not has_content(turn.msg.text):
            turn.ask(step, turn.t("intake.reask.wishes"))
            return None
        # Free words: pick out the wishes we know, keep the rest as a note for the founder.
        lowered = turn.msg.text.lower()
        chosen += [
            w for w, stems in _WISH_WORDS.items() if w not in chosen and any(s in lowered for s in stems)
        ]
        order.wishes = ",".join(chosen)
        order.wish_note = turn.msg.text[: turn.settings.max_text_chars]
        turn.session.add(order)
    return "voice" if "voice" in chosen else "done"


@cache
def _wish_labels() -> dict[str, str]:
    """A wish button's label in any language, as typed -> the wish."""
    return {
        normalize(i18n.text(f"intake.button.wish_{wish}", lang)): wish
        for wish in WISHES
        for lang in i18n.LANGUAGES
    }


def _typed_wish_labels(text: str) -> list[str]:
    """The wishes of a message made only of wish buttons' labels ("Крылья ангела, песня"), else []."""
    pieces = [normalize(p) for p in re.split(r"[,;\n]|\s(?:и|і|та|and)\s", text.lower())]
    labels = _wish_labels()
    wishes = [labels.get(piece) for piece in pieces if piece]
    return [w for w in wishes if w] if wishes and all(wishes) else []


def _answer_voice(turn: Turn, step: Step) -> str | None:
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer in ("skip", "no", "done"):
        return "done"
    if any(a.kind == "audio_message" for a in turn.msg.attachments):
        return "done"
    turn.ask(step, turn.t("intake.reask.voice"))
    return None


def _answer_contact(turn: Turn, step: Step) -> str | None:
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer == "here":
        contact = turn.t("intake.contact.vk")
    elif has_content(turn.msg.text):
        contact = turn.msg.text.strip()[:_SHORT_FIELD]
        turn.conv.tz = turn.conv.tz or timezone_from_phone(contact)
    else:
        turn.ask(step, turn.t("intake.reask.contact"))
        return None
    if turn.conv.track == "signup":
        signup = current_signup(turn)
        assert signup is not None
        signup.contact = contact
        turn.session.add(signup)
    else:
        order = current_order(turn)
        assert order is not None
        order.contact = contact
        turn.session.add(order)
    return "ok"


def _answer_confirm(turn: Turn, step: Step) -> str | None:
    if parse_answer(turn.msg.text, turn.msg.payload) == "fix":
        return "fix"
    outcome = _yes_no(turn)
    if outcome is None:
        turn.ask(step, turn.t("intake.reask.confirm"))
        return None
    return "yes" if outcome == "yes" else "fix"


_ANSWERS: dict[Accept, Callable[[Turn, Step], str | None]] = {
    Accept.YES_NO: _answer_yes_no,
    Accept.TEXT: _answer_text,
    Accept.PHOTOS: _answer_photos,
    Accept.STORY: _answer_story,
    Accept.WISHES: _answer_wishes,
    Accept.VOICE: _answer_voice,
    Accept.CONTACT: _answer_contact,
    Accept.CONFIRM: _answer_confirm,
}


def answer_step(turn: Turn, step: Step) -> str | None:
    """Handle this message as the answer to ``step``; the outcome picks the next state from the table."""
    order = current_order(turn)
    if order is not None and turn.conv.track == "order":
        for text in turn.msg.forwarded_texts:
            add_story_part(turn, order, text, forwarded=True)
    return _ANSWERS[step.accepts](turn, step)
