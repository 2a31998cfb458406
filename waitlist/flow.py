"""Moving through the dialog table: entering a state asks its question; the last states place the order."""

from __future__ import annotations

from sqlmodel import col, select

from waitlist import attachments, known, media
from waitlist.dialog import State, step_for
from waitlist.flags import reopen_hint, signups_open
from waitlist.intake import (
    current_order,
    current_signup,
    has_content,
    keep_for_founder,
    start_order,
    start_signup,
)
from waitlist.models import WlSignup, WlStoryPart
from waitlist.queue import (
    complete_order,
    estimate_text,
    order_place,
    places_taken,
    signup_place,
)
from waitlist.turn import Turn, keyboard_for

__all__ = ["enter", "start", "summary_text", "take_media_into_order"]


def summary_text(turn: Turn) -> str:
    order = current_order(turn)
    assert order is not None
    parts = turn.session.exec(
        select(WlStoryPart).where(WlStoryPart.order_id == order.id).order_by(col(WlStoryPart.id))
    ).all()
    story = " ".join(p.text for p in parts)
    limit = turn.settings.summary_story_chars
    story = (story[:limit] + "…") if len(story) > limit else (story or turn.t("intake.summary.none"))
    wishes = ", ".join(turn.t(f"intake.button.wish_{w}") for w in order.wishes.split(",") if w) or turn.t(
        "intake.summary.none"
    )
    files = media.file_counts(turn, order)
    text = turn.t(
        "intake.summary.text",
        subject=order.subject_name or "—",
        relation=order.relation or "—",
        photos=files.get("photo", 0),
        voices=files.get("voice", 0),
        story=story,
        wishes=wishes,
        contact=order.contact or "—",
        publish=turn.t(
            "intake.summary.publish_yes" if order.publish_consent else "intake.summary.publish_no"
        ),
    )
    if order.founder_note:
        text += "\n" + turn.t("intake.summary.note", note=order.founder_note[:limit])
    return text


def _place_order(turn: Turn) -> None:
    order = current_order(turn)
    assert order is not None
    complete_order(turn.session, order, turn.now)
    place = order_place(turn.session, order, settings=turn.settings, now=turn.now)
    order.estimate_told = place.estimate.latest
    turn.session.add(order)
    when = estimate_text(place.estimate, turn.lang, settings=turn.settings, now=turn.now)
    text = turn.t("intake.placed", number=order.number, position=place.position, estimate=when)
    if not turn.conv.notify_ok:
        text += "\n\n" + turn.t("intake.placed_no_notify")
    turn.say(text, keyboard_for(None, turn.lang))


def _list_signup(turn: Turn) -> None:
    signup = current_signup(turn)
    assert signup is not None
    signup.status, signup.listed_at = "listed", turn.now
    turn.session.add(signup)
    turn.session.flush()
    place = signup_place(turn.session, signup, settings=turn.settings, now=turn.now)
    when = estimate_text(place.estimate, turn.lang, settings=turn.settings, now=turn.now)
    turn.say(
        turn.t("intake.signup.listed", place=place.position, estimate=when), keyboard_for(None, turn.lang)
    )


def enter(turn: Turn, state: State, lead: str = "") -> None:
    """Make ``state`` current and say what it asks (or, at the end, the order's number and place)."""
    turn.conv.state = state
    if state == State.DECLINED:
        turn.say(
            turn.t("intake.declined"), keyboard_for(step_for(turn.conv.track, State.CONSENT.value), turn.lang)
        )
    elif state == State.IDLE:
        _place_order(turn) if turn.conv.track == "order" else _list_signup(turn)
    elif state == State.SUMMARY:
        turn.ask(step_for(turn.conv.track, state), summary_text(turn))
    elif state == State.PHOTOS:
        order = current_order(turn)
        have = media.photo_count(turn, order) if order else 0
        turn.ask(
            step_for(turn.conv.track, state),
            lead or (turn.t("intake.photos.have", count=have) if have else ""),
        )
    else:
        turn.ask(step_for(turn.conv.track, state), lead)


def take_media_into_order(turn: Turn) -> media.MediaResult | None:
    order = current_order(turn)
    if order is None or turn.conv.track != "order" or not turn.conv.pd_consent:
        return None
    if order.status not in ("draft", "waiting", "in_progress"):
        return None
    result = media.take_media(turn, order)
    if result.any:
        media.acknowledge(turn, result, media.photo_count(turn, order))
    return result


def start(turn: Turn) -> None:
    """A new request: the order track if the queue has room, else the sign-up list, or closed."""
    session, conv = turn.session, turn.conv
    invited = None
    if not known.is_absent(session, "signup", turn.msg.peer_id):
        with known.reading(session, WlSignup):
            invited = session.exec(
                select(WlSignup).where(WlSignup.peer_id == turn.msg.peer_id, WlSignup.status == "invited")
            ).first()
    if invited is None and not signups_open(session):
        hint = reopen_hint(session)
        turn.say(
            turn.t("intake.closed") + ("\n\n" + turn.t("intake.closed_reopen", when=hint) if hint else "")
        )
        if has_content(turn.msg.text):
            keep_for_founder(turn, "while_closed", turn.msg.text)
        return
    if conv.order_id is not None or conv.signup_id is not None:
        conv.order_id = conv.signup_id = None  # only when set: an equal assignment dirties the row (a flush)
    if invited is not None:
        invited.status, invited.closed_at = "converted", turn.now
        session.add(invited)
        conv.track, lead = "order", turn.t("intake.greeting_invited")
    elif places_taken(session, settings=turn.settings, now=turn.now) >= turn.settings.queue_limit:
        conv.track, lead = "signup", turn.t("intake.greeting_signup")
    else:
        conv.track, lead = "order", turn.t("intake.greeting")
    if kept := attachments.unsaid(turn):
        lead += "\n\n" + kept
    if conv.pd_consent:
        # Consent was given earlier in this conversation (a second order): no need to ask again.
        if conv.track == "order":
            start_order(turn)
            enter(turn, State.SUBJECT, lead)
            take_media_into_order(turn)
        else:
            start_signup(turn)
            enter(turn, State.SIGNUP_CONTACT, lead)
        return
    if conv.track == "order":
        if media.keep_pending(turn):
            lead += "\n\n" + turn.t("intake.media.kept_until_consent")
        if len(turn.msg.text.strip()) >= 20:
            keep_for_founder(turn, "before_consent", turn.msg.text)
    elif any(media.is_media(a) for a in turn.msg.attachments):
        lead += "\n\n" + turn.t("intake.media.not_now")
    conv.state = State.CONSENT
    turn.ask(step_for(conv.track, State.CONSENT), lead)
