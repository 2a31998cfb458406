"""A person instead of the bot: the relative asked for one, or the founder wrote in the conversation herself.

While it lasts, commands still work (status, cancel, delete my data, price, help ...), words of despair
still get the support line, photos still reach the order, and everything else is kept for the founder.
The writer is never met with silence: a short "your message is passed on" at most once per
``takeover_ack_hours``, counted from the founder's own last message when she is the one talking.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from waitlist import media
from waitlist.alerts import raise_alert
from waitlist.intake import current_order, keep_for_founder
from waitlist.models import WlConversation
from waitlist.turn import Turn, keyboard_for

__all__ = ["acknowledge_while_taken_over", "founder_wrote", "request_person", "taken_over"]

RELATIVE, FOUNDER = "relative", "founder"


def taken_over(conv: WlConversation, now: datetime) -> bool:
    return conv.takeover_until is not None and conv.takeover_until > now


def request_person(turn: Turn) -> None:
    """ "Позвать человека": the founder is told at once (once while the request is open), the bot steps back."""
    conv = turn.conv
    already_waiting = taken_over(conv, turn.now) and conv.takeover_by == RELATIVE
    conv.takeover_until = turn.now + timedelta(hours=turn.settings.founder_takeover_hours)
    conv.takeover_by, conv.takeover_acked_at = RELATIVE, None
    keep_for_founder(turn, "human", turn.msg.text or "[button]")
    if already_waiting:
        turn.say(turn.t("intake.human_again"), keyboard_for(None, turn.lang))
        return
    order = current_order(turn)
    raise_alert(turn, "human", order.number if order is not None else None)
    turn.say(turn.t("intake.human"), keyboard_for(None, turn.lang))


def founder_wrote(conv: WlConversation, at: datetime, hours: float) -> None:
    conv.takeover_until = at + timedelta(hours=hours)
    conv.takeover_by, conv.takeover_acked_at = FOUNDER, at  # she is talking: no "passed on" right after her


def acknowledge_while_taken_over(turn: Turn, founder_active: bool) -> None:
    """Anything but a command during a takeover: kept for the founder, photos joined, and a short word back."""
    conv = turn.conv
    order = current_order(turn)
    if order is not None and conv.pd_consent:
        media.take_media(turn, order)
    words = "\n".join([turn.msg.text.strip(), *turn.msg.forwarded_texts]).strip()
    if words:
        keep_for_founder(turn, "during_takeover", words)
    if founder_active:
        conv.takeover_by, conv.takeover_acked_at = FOUNDER, turn.now
        return
    last = conv.takeover_acked_at
    if last is not None and turn.now - last < timedelta(hours=turn.settings.takeover_ack_hours):
        return
    conv.takeover_acked_at = turn.now
    key = "intake.takeover.ack_waiting" if conv.takeover_by == RELATIVE else "intake.takeover.ack"
    turn.say(turn.t(key), keyboard_for(None, turn.lang))
