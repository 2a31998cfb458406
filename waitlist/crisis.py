"""Words of despair: answered with the support line every time, never kept as story, never moving the
intake, and the founder told at once.

vkbot passes moderation's verdict (``urgent``); the phrases its rules do not catch yet are listed in
waitlist/data/crisis.toml.
"""

from __future__ import annotations

from waitlist import media, vocabulary
from waitlist.alerts import raise_alert
from waitlist.dialog import State, step_for
from waitlist.intake import current_order, keep_for_founder
from waitlist.language import normalize
from waitlist.turn import Turn, keyboard_for

__all__ = ["answer_crisis", "sounds_like_crisis"]


def sounds_like_crisis(text: str) -> bool:
    words = normalize(text)
    return bool(words) and vocabulary.crisis_pattern().search(words) is not None


def answer_crisis(turn: Turn) -> None:
    order = current_order(turn)
    keep_for_founder(turn, "crisis", turn.msg.text)
    raise_alert(turn, "crisis", order.number if order is not None else None)
    # Photos in the same message are not lost: before consent only their references, after it the files.
    if order is not None and turn.conv.pd_consent and turn.conv.track == "order":
        media.take_media(turn, order)
    elif State(turn.conv.state) in (State.NEW, State.CONSENT) and turn.conv.track == "order":
        media.keep_pending(turn)
    support = turn.t("intake.crisis.support", support_line=turn.settings.support_line)
    step = step_for(turn.conv.track, turn.conv.state)
    later = turn.t("intake.crisis.later" if step is not None else "intake.crisis.later_new")
    turn.say(f"{support}\n\n{later}", keyboard_for(step, turn.lang))
