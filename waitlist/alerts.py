"""What the founder must hear at once: a relative asked for a person, or wrote words of despair.

Each alert is a row (``wl_founder_alert``), written in the transaction that handles the message, under
the key its VK message to her is sent with; vkbot asks ``founder_alerts`` for the ones a message raised
and queues them (the domain knows neither her VK id nor the community's).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, select

import i18n
from waitlist.models import WlFounderAlert
from waitlist.rows import insert_ignoring_duplicate
from waitlist.turn import Turn

__all__ = ["FounderAlert", "founder_alerts", "raise_alert"]

AlertKind = Literal["human", "crisis"]
_RAISED = "waitlist.founder_alerts"  # session.info: event key -> alerts raised in this transaction
_QUOTE_CHARS = 600  # enough of the words to judge how urgent it is; the rest is in her inbox


@dataclass(frozen=True)
class FounderAlert:
    key: str  # the idempotency key of the message to her
    peer_id: int | None
    kind: str  # human | crisis
    text: str
    order_number: int | None

    def message(self, lang: str) -> str:
        """The words for the founder, in her language."""
        parts = [i18n.text(f"intake.founder_alert.{self.kind}", lang, peer_id=self.peer_id or 0)]
        if self.order_number is not None:
            parts.append(i18n.text("intake.founder_alert.order", lang, number=self.order_number))
        if self.text:
            parts.append(i18n.text("intake.founder_alert.quote", lang, text=self.text))
        return "\n".join(parts)


def _raised(session: Session) -> dict[str, list[FounderAlert]]:
    tx = session.get_transaction()
    entry = session.info.get(_RAISED)
    if entry is None or entry[0] is not tx:
        entry = (tx, {})
        session.info[_RAISED] = entry
    raised: dict[str, list[FounderAlert]] = entry[1]
    return raised


def note_handled(session: Session, event_key: str) -> None:
    """This message was handled in this transaction: its alerts (maybe none) are known without a query."""
    _raised(session).setdefault(event_key, [])


def raise_alert(turn: Turn, kind: AlertKind, order_number: int | None = None) -> None:
    words = "\n".join([turn.msg.text, *turn.msg.forwarded_texts]).strip()
    alert = FounderAlert(
        key=f"{turn.msg.event_key}:founder:{kind}",
        peer_id=turn.msg.peer_id,
        kind=kind,
        text=words[:_QUOTE_CHARS],
        order_number=order_number,
    )
    row = {
        "key": alert.key,
        "event_key": turn.msg.event_key[:128],
        "peer_id": alert.peer_id,
        "kind": kind,
        "text": alert.text,
        "order_number": order_number,
        "created_at": turn.now,
    }
    if insert_ignoring_duplicate(turn.session, WlFounderAlert, row):
        _raised(turn.session).setdefault(turn.msg.event_key, []).append(alert)


def founder_alerts(session: Session, event_key: str) -> list[FounderAlert]:
    """The alerts handling ``event_key`` raised (the same again for a replayed message)."""
    raised = _raised(session).get(event_key)
    if raised is not None:
        return list(raised)
    rows = session.exec(select(WlFounderAlert).where(WlFounderAlert.event_key == event_key)).all()
    return [FounderAlert(r.key, r.peer_id, r.kind, r.text, r.order_number) for r in rows]
