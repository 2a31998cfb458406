"""A relative's answer about their call: a time button, "other times", "write to me instead", or words
("перенести", "отменить", a number from the offer). Returns False when the message is about something else."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources

from sqlmodel import col, select

from waitlist import known, vocabulary
from waitlist.interviews.booking import ACTIVE, active_interview, book, cancel, choices, write_me
from waitlist.interviews.messages import booked_message, offer_message
from waitlist.interviews.models import WlInterview
from waitlist.interviews.slots import slot_key
from waitlist.models import WlOrder
from waitlist.turn import Turn

__all__ = ["handle_interview_message", "offer_in_turn"]

_LONGEST = 80  # longer messages are the writer's own words, never a command


@cache
def _vocabulary() -> vocabulary.Vocabulary:
    source = resources.files("waitlist.interviews").joinpath("vocabulary.toml")
    kinds = {k: v["phrases"] for k, v in tomllib.loads(source.read_text(encoding="utf-8")).items()}
    # The same fillers as the commands ("скажите, пожалуйста, ..."), read from the same file.
    commands = resources.files("waitlist").joinpath("data", "commands.toml")
    fillers = tomllib.loads(commands.read_text(encoding="utf-8"))["fillers"]
    return vocabulary.Vocabulary.of(kinds, fillers)


@lru_cache(maxsize=4096)
def _word_kind(text: str) -> str | None:
    return "number" if text.isdigit() else _vocabulary().kind_of(text)


def _asked(turn: Turn) -> str | None:
    """The act a button or the words name; cheap: no query."""
    payload = turn.msg.payload or {}
    if isinstance(payload.get("iv"), str):
        return str(payload["iv"])
    text = turn.msg.text.strip()
    return _word_kind(text) if text and len(text) <= _LONGEST else None


def _fits(act: str, interview: WlInterview) -> bool:
    """Whether words mean this where the call stands (a button always means what it says)."""
    if interview.status not in ACTIVE:
        return act == "book"  # cancelled, or she writes: only asking again counts
    if act == "number":
        return interview.status == "offered" and interview.offer_sent_at is not None
    # Nothing booked: "отменить" is the order's own command (which asks before acting).
    return act != "cancel" or interview.status == "booked"


def _interview_of(turn: Turn) -> WlInterview | None:
    payload = turn.msg.payload or {}
    order_id = payload.get("o")
    if isinstance(payload.get("iv"), str) and isinstance(order_id, int):
        query = select(WlInterview).where(
            WlInterview.order_id == order_id, WlInterview.peer_id == turn.msg.peer_id
        )
        return turn.session.exec(query).first()
    found = active_interview(turn.session, turn.msg.peer_id)
    if found is not None:
        return found
    latest = (
        select(WlInterview)
        .where(WlInterview.peer_id == turn.msg.peer_id)
        .order_by(col(WlInterview.id).desc())
    )
    return turn.session.exec(latest).first()


def handle_interview_message(turn: Turn) -> bool:
    """Handle the message if it is about the writer's call; True when it was."""
    pressed = isinstance((turn.msg.payload or {}).get("iv"), str)
    if not pressed and (
        not turn.settings.interviews.enabled or known.is_absent(turn.session, "order", turn.msg.peer_id)
    ):
        return False  # words mean nothing of calls while they are off, or to a writer with no order
    act = _asked(turn)
    if act is None:
        return False
    with known.reading(turn.session, WlInterview):
        interview = _interview_of(turn)
    if not pressed and (interview is None or not _fits(act, interview)):
        return False
    order = turn.session.get(WlOrder, interview.order_id) if interview is not None else None
    if interview is None or order is None or order.status not in ("waiting", "in_progress"):
        turn.say(turn.t("interviews.stale"))
        return True
    payload = turn.msg.payload or {}
    actions: dict[str, Callable[[], None]] = {
        "pick": lambda: _pick(turn, interview, order, str(payload.get("at", ""))),
        "number": lambda: _pick_number(turn, interview, order),
        "more": lambda: offer_in_turn(turn, interview, order),
        "move": lambda: _move(turn, interview, order),
        "book": lambda: _book_again(turn, interview, order),
        "cancel": lambda: _cancel(turn, interview),
        "write": lambda: _write(turn, interview),
    }
    action = actions.get(act)
    if action is None:
        turn.say(turn.t("interviews.stale"))
        return True
    action()
    return True


def offer_in_turn(turn: Turn, interview: WlInterview, order: WlOrder, lead: str = "") -> None:
    """The next free times as buttons; none left: she will write herself."""
    times = choices(turn.session, interview, turn.settings, turn.now)
    if not times:
        write_me(turn.session, interview, turn.now)
        turn.say(f"{lead}\n\n{turn.t('interviews.no_times')}" if lead else turn.t("interviews.no_times"))
        return
    _say_offer(turn, interview, order, times, lead)


def _say_offer(turn: Turn, interview: WlInterview, order: WlOrder, times: list[datetime], lead: str) -> None:
    text, keyboard = offer_message(interview, order, times, turn.lang, turn.now, lead)
    mark_offered(interview, times, turn.now)
    turn.session.add(interview)
    turn.say(text, keyboard)


def mark_offered(interview: WlInterview, times: list[datetime], now: datetime) -> None:
    keys = [slot_key(t) for t in times]
    interview.offered = [*interview.offered, *keys]
    interview.last_offer = keys
    interview.rounds += 1
    interview.offer_sent_at = interview.offer_sent_at or now
    interview.updated_at = now


def _pick(turn: Turn, interview: WlInterview, order: WlOrder, at: str) -> None:
    try:
        start = datetime.strptime(at, "%Y-%m-%dT%H:%M%z")
    except ValueError:
        turn.say(turn.t("interviews.stale"))
        return
    outcome = book(turn.session, interview, start, turn.settings, turn.now)
    if outcome == "booked":
        text, keyboard = booked_message(interview, order, turn.lang, turn.now)
        turn.say(text, keyboard)
        return
    offer_in_turn(turn, interview, order, turn.t("interviews.taken"))


def _pick_number(turn: Turn, interview: WlInterview, order: WlOrder) -> None:
    index = int(turn.msg.text.strip()) - 1
    if not 0 <= index < len(interview.last_offer):
        offer_in_turn(turn, interview, order, turn.t("interviews.which_number"))
        return
    _pick(turn, interview, order, interview.last_offer[index])


def _move(turn: Turn, interview: WlInterview, order: WlOrder) -> None:
    """The booked time stays theirs until they pick another (a move that finds nothing loses nothing)."""
    times = choices(turn.session, interview, turn.settings, turn.now)
    if not times:
        turn.say(turn.t("interviews.no_other_times"))
        return
    _say_offer(turn, interview, order, times, turn.t("interviews.move_lead"))


def _book_again(turn: Turn, interview: WlInterview, order: WlOrder) -> None:
    if interview.status == "booked":
        text, keyboard = booked_message(interview, order, turn.lang, turn.now)
        turn.say(text, keyboard)
        return
    interview.status = "offered"
    offer_in_turn(turn, interview, order)


def _cancel(turn: Turn, interview: WlInterview) -> None:
    cancel(turn.session, interview, turn.now)
    turn.say(turn.t("interviews.cancelled"))


def _write(turn: Turn, interview: WlInterview) -> None:
    write_me(turn.session, interview, turn.now)
    turn.say(turn.t("interviews.write_me"))
