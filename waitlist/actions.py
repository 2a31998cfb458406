"""Commands that work at any point (status, cancel, delete my data, price, clip again, a person, help, ...)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col, select

from waitlist import known
from waitlist.commands import Command, parse_answer
from waitlist.consent import set_publication
from waitlist.dialog import State, step_for
from waitlist.effects import Button, Keyboard
from waitlist.flow import start
from waitlist.intake import current_order, current_signup
from waitlist.models import WlOrder, WlSignup
from waitlist.ports import MessageTexts
from waitlist.queue import estimate_text, orders_placed, signup_placed
from waitlist.retention import delete_personal_data
from waitlist.takeover import request_person, taken_over
from waitlist.turn import Turn, command_row, keyboard_for

__all__ = ["run_command", "run_confirmation", "status_text"]

ACTIVE = ("waiting", "in_progress")


def _orders(turn: Turn) -> list[WlOrder]:
    if known.is_absent(turn.session, "order", turn.msg.peer_id):
        return []
    query = (
        select(WlOrder)
        .where(WlOrder.peer_id == turn.msg.peer_id, WlOrder.status != "draft")
        .order_by(col(WlOrder.id))
    )
    with known.reading(turn.session, WlOrder):
        return list(turn.session.exec(query))


def _listed_signup(turn: Turn) -> WlSignup | None:
    if known.is_absent(turn.session, "signup", turn.msg.peer_id):
        return None
    query = select(WlSignup).where(
        WlSignup.peer_id == turn.msg.peer_id, col(WlSignup.status).in_(("listed", "invited"))
    )
    with known.reading(turn.session, WlSignup):
        return turn.session.exec(query).first()


def _in_dialog(turn: Turn) -> bool:
    return step_for(turn.conv.track, turn.conv.state) is not None


def _reply_then_continue(turn: Turn, text: str) -> None:
    """Answer the command, then repeat the question being asked so the writer knows where they are
    (not while a person answers instead of the bot: she leads the conversation then)."""
    if taken_over(turn.conv, turn.now):
        turn.say(text, keyboard_for(None, turn.lang))
        return
    turn.ask(step_for(turn.conv.track, turn.conv.state), text)


def status_text(turn: Turn) -> str:
    lines: list[str] = []
    session, peer, settings, now = turn.session, turn.msg.peer_id, turn.settings, turn.now
    # Each part in one query with its places and estimates; none where the batch's preload saw no rows.
    orders = (
        []
        if known.is_absent(session, "order", peer)
        else orders_placed(session, peer, settings=settings, now=now)
    )
    for order, place in orders:
        if place is not None:
            when = estimate_text(place.estimate, turn.lang, settings=settings, now=now)
            lines.append(
                turn.t("intake.status.waiting", number=order.number, position=place.position, estimate=when)
            )
        else:
            lines.append(turn.t(f"intake.status.{order.status}", number=order.number))
    listed = (
        None
        if known.is_absent(session, "signup", peer)
        else signup_placed(session, peer, settings=settings, now=now)
    )
    if listed is not None and listed[1] is not None:
        when = estimate_text(listed[1].estimate, turn.lang, settings=settings, now=now)
        lines.append(turn.t("intake.status.signup", place=listed[1].position, estimate=when))
    elif listed is not None:
        lines.append(turn.t("intake.status.invited"))
    if _in_dialog(turn) and turn.conv.state != State.CONSENT:
        lines.append(turn.t("intake.status.draft"))
    return "\n\n".join(lines) or turn.t("intake.status.none")


def _yes_no_keyboard(turn: Turn) -> Keyboard:
    row = (
        Button(turn.t("intake.button.yes"), {"a": "yes"}, "negative"),
        Button(turn.t("intake.button.no"), {"a": "no"}, "positive"),
    )
    return Keyboard(rows=(row, command_row(turn.lang)))


def _cancel(turn: Turn, texts: MessageTexts | None) -> None:
    if _in_dialog(turn) and turn.conv.state != State.CONSENT:
        # An unfinished intake is simply dropped; nothing is lost that the writer would miss.
        order, signup = current_order(turn), current_signup(turn)
        if order is not None and order.status == "draft":
            order.status, order.cancelled_at, order.updated_at = "cancelled", turn.now, turn.now
            turn.session.add(order)
        if signup is not None and signup.status == "draft":
            signup.status, signup.closed_at = "cancelled", turn.now
            turn.session.add(signup)
        turn.conv.state, turn.conv.order_id, turn.conv.signup_id = State.NEW, None, None
        turn.ask(None, turn.t("intake.cancel.draft_done"))
        return
    if turn.conv.state == State.CONSENT:
        turn.conv.state = State.NEW
    if any(o.status in ACTIVE for o in _orders(turn)) or _listed_signup(turn) is not None:
        turn.conv.confirm_pending = "cancel"
        turn.say(turn.t("intake.cancel.confirm"), _yes_no_keyboard(turn))
        return
    turn.ask(None, turn.t("intake.cancel.nothing"))


def _cancel_confirmed(turn: Turn) -> None:
    numbers = []
    for order in _orders(turn):
        if order.status in ACTIVE:
            order.status, order.cancelled_at, order.updated_at = "cancelled", turn.now, turn.now
            order.status_reason = "cancelled by the relative"
            turn.session.add(order)
            numbers.append(str(order.number))
    signup = _listed_signup(turn)
    if signup is not None:
        signup.status, signup.closed_at = "cancelled", turn.now
        turn.session.add(signup)
    turn.conv.state, turn.conv.order_id, turn.conv.signup_id = State.NEW, None, None
    turn.ask(None, turn.t("intake.cancel.done", numbers=", ".join(numbers) or "—"))


def _delete(turn: Turn, texts: MessageTexts | None) -> None:
    turn.conv.confirm_pending = "delete"
    turn.say(turn.t("intake.delete.confirm"), _yes_no_keyboard(turn))


def _delete_confirmed(turn: Turn, texts: MessageTexts | None) -> None:
    report = delete_personal_data(
        turn.session, turn.msg.peer_id, files=turn.files, texts=texts, at=turn.now, settings=turn.settings
    )
    text = turn.t("intake.delete.done")
    if report.evidence_kept:
        text += "\n\n" + turn.t("intake.delete.evidence_kept")
    turn.say(text)


def run_confirmation(turn: Turn, texts: MessageTexts | None) -> bool:
    """The answer to "are you sure?"; False when the message is something else (then handled as usual)."""
    pending, turn.conv.confirm_pending = turn.conv.confirm_pending, None
    answer = parse_answer(turn.msg.text, turn.msg.payload)
    if answer in ("yes", "agree", "confirm"):
        _delete_confirmed(turn, texts) if pending == "delete" else _cancel_confirmed(turn)
        return True
    if answer in ("no", "disagree"):
        _reply_then_continue(turn, turn.t("intake.confirm_kept"))
        return True
    return False


def _status(turn: Turn, texts: MessageTexts | None) -> None:
    _reply_then_continue(turn, status_text(turn))


def _price(turn: Turn, texts: MessageTexts | None) -> None:
    _reply_then_continue(turn, turn.settings.price_text.get(turn.lang) or turn.settings.price_text["ru"])


def _help(turn: Turn, texts: MessageTexts | None) -> None:
    _reply_then_continue(turn, turn.t("intake.help"))


def _resend(turn: Turn, texts: MessageTexts | None) -> None:
    delivered = [
        o for o in _orders(turn) if o.status == "delivered" and o.clip_file_id and o.files_removed_at is None
    ]
    if not delivered:
        _reply_then_continue(turn, turn.t("intake.resend.none"))
        return
    for order in delivered:
        turn.say(turn.t("intake.resend.here", number=order.number), attachment_file=order.clip_file_id)


def _new_order(turn: Turn, texts: MessageTexts | None) -> None:
    if _in_dialog(turn) and turn.conv.state != State.CONSENT:
        _reply_then_continue(turn, turn.t("intake.new_order.finish_first"))
        return
    turn.conv.state = State.NEW
    start(turn)


def _publication(granted: bool) -> Callable[[Turn, MessageTexts | None], None]:
    def change(turn: Turn, texts: MessageTexts | None) -> None:
        orders = [o for o in _orders(turn) if o.status != "cancelled"]
        draft = current_order(turn)
        if draft is not None and draft.status == "draft" and draft.publish_consent is not None:
            orders.append(draft)
        for order in orders:
            if order.publish_consent is not granted:
                set_publication(turn.session, order, granted, turn.lang, turn.settings, turn.now)
        key = "intake.publish.granted" if granted else "intake.publish.revoked"
        _reply_then_continue(turn, turn.t(key if orders else "intake.publish.noted"))

    return change


def _language(lang: str) -> Callable[[Turn, MessageTexts | None], None]:
    def switch(turn: Turn, texts: MessageTexts | None) -> None:
        turn.conv.lang, turn.conv.lang_locked = lang, True
        _reply_then_continue(turn, turn.t("intake.lang_switched"))

    return switch


_COMMANDS: dict[Command, Callable[[Turn, MessageTexts | None], None]] = {
    Command.STATUS: _status,
    Command.CANCEL: _cancel,
    Command.DELETE: _delete,
    Command.PRICE: _price,
    Command.RESEND: _resend,
    Command.HUMAN: lambda turn, texts: request_person(turn),
    Command.HELP: _help,
    Command.NEW_ORDER: _new_order,
    Command.NO_PUBLISH: _publication(False),
    Command.MAY_PUBLISH: _publication(True),
    Command.LANG_RU: _language("ru"),
    Command.LANG_UK: _language("uk"),
    Command.LANG_EN: _language("en"),
}


def run_command(turn: Turn, command: Command, texts: MessageTexts | None) -> None:
    _COMMANDS[command](turn, texts)
