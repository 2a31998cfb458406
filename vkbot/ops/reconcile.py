"""Reconciliation: VK's own list of unread and unanswered conversations against what the suite stored and answered.

For each such conversation whose last message is the relative's, the last message is looked up:

- not stored (``vk_events.message_key`` = ``peer:cmid``)                  -> gap ``not_stored``
- quarantined abuse (``moderation.records.hidden_source_keys``)           -> handled on purpose (a number)
- stored but not handled by the pipeline                                  -> gap ``not_processed``
- a reply row sent (``done``)                                             -> answered (VK's flag lags)
- a reply VK refused (901 & co.: the person denied messages)              -> handled (a number)
- a reply row waiting, parked                                             -> gap ``reply_pending`` / ``reply_failed``
- no reply at all: the founder took the conversation over, or the bot     -> gap ``waiting_for_founder`` /
  kept it for her                                                            ``no_reply``

Messages younger than ``grace_s`` that are not yet through count as in flight, not as gaps. Only the
last message of each conversation is checked (one API page per 200 conversations); earlier holes are
the history filler's job (vkbot.ingress.history).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

import i18n
from moderation.records import hidden_source_keys
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.effects.outbox import MethodCaller
from vkbot.ingress.events import message_key
from waitlist.models import WlConversation

__all__ = ["ConversationGap", "ReconcileReport", "fetch_open_conversations", "reconcile"]

PAGE = 200  # messages.getConversations' largest page


@dataclass(frozen=True)
class ConversationGap:
    peer_id: int
    reason: str  # a key of core.reconcile.gap in i18n
    message_date: datetime
    event_key: str | None = None


@dataclass
class ReconcileReport:
    checked: int = 0
    answered: int = 0
    in_flight: int = 0
    hidden: int = 0  # quarantined abuse, left unanswered on purpose: only ever a number
    undeliverable: int = 0
    gaps: list[ConversationGap] = field(default_factory=list)

    def summary(self) -> str:
        reasons = Counter(g.reason for g in self.gaps)
        parts = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items())) or "no gaps"
        return (
            f"{self.checked} open conversation(s): {self.answered} answered, {self.in_flight} in flight, "
            f"{self.hidden} hidden abuse, {self.undeliverable} undeliverable; {parts}"
        )

    def founder_text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        lines = [i18n.text("core.reconcile.heading", lang, count=len(self.gaps))]
        lines += [
            f"• vk.com/gim?sel={g.peer_id}: {i18n.text(f'core.reconcile.gap.{g.reason}', lang)}"
            for g in self.gaps[:30]
        ]
        if len(self.gaps) > 30:
            lines.append(i18n.text("core.reconcile.more", lang, count=len(self.gaps) - 30))
        if self.hidden:
            lines.append(i18n.text("core.reconcile.hidden", lang, count=self.hidden))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["gaps"] = [{**asdict(g), "message_date": g.message_date.isoformat()} for g in self.gaps]
        return data


async def fetch_open_conversations(client: MethodCaller) -> dict[int, dict[str, Any]]:
    """peer_id -> last message, for private conversations VK lists as unanswered or unread."""
    found: dict[int, dict[str, Any]] = {}
    for kind in ("unanswered", "unread"):
        offset = 0
        while True:
            page = await client.call(
                "messages.getConversations", {"filter": kind, "count": PAGE, "offset": offset}
            )
            items = page.get("items") or []
            for item in items:
                peer = item["conversation"]["peer"]
                if peer.get("type") == "user" and 0 < int(peer["id"]) < 2_000_000_000:
                    found[int(peer["id"])] = item["last_message"]
            offset += len(items)
            if not items or offset >= int(page.get("count", 0)):
                break
    return found


async def reconcile(
    engine: Engine, client: MethodCaller, *, now: datetime, grace_s: float = 120.0
) -> ReconcileReport:
    """Fetch VK's open conversations and classify each against the database (read-only)."""
    open_conversations = await fetch_open_conversations(client)
    return await asyncio.to_thread(_classify_all, engine, open_conversations, now, grace_s)


def _classify_all(
    engine: Engine, conversations: dict[int, dict[str, Any]], now: datetime, grace_s: float
) -> ReconcileReport:
    report = ReconcileReport()
    with Session(engine) as session:
        for peer_id, last in sorted(conversations.items()):
            if last.get("out"):
                continue  # the last word is ours: answered
            report.checked += 1
            _classify(session, report, peer_id, last, now, grace_s)
    return report


def _classify(
    session: Session,
    report: ReconcileReport,
    peer_id: int,
    last: dict[str, Any],
    now: datetime,
    grace_s: float,
) -> None:
    date = datetime.fromtimestamp(int(last.get("date", 0)), UTC)
    young = (now - date).total_seconds() < grace_s

    def gap(reason: str, key: str | None = None) -> None:
        if young:
            report.in_flight += 1
        else:
            report.gaps.append(ConversationGap(peer_id, reason, date, key))

    event = session.scalar(
        select(StoredEvent).where(
            col(StoredEvent.message_key) == message_key(peer_id, last["conversation_message_id"])
        )
    )
    if event is None:
        return gap("not_stored")
    key = event.key
    if hidden_source_keys(session, [key]):
        report.hidden += 1
        return None
    if event.processed_at is None:
        return gap("not_processed", key)
    statuses = set(
        session.scalars(
            select(col(OutboxRow.status)).where(
                col(OutboxRow.peer_id) == peer_id,
                col(OutboxRow.method) == "messages.send",
                col(OutboxRow.created_at) >= event.received_at,
            )
        )
    )
    if "done" in statuses:
        report.answered += 1
    elif "undeliverable" in statuses:
        report.undeliverable += 1
    elif "pending" in statuses:
        gap("reply_pending", key)
    elif "parked" in statuses:
        gap("reply_failed", key)
    else:
        conv = session.get(WlConversation, peer_id)
        takeover = conv is not None and conv.takeover_until is not None and conv.takeover_until > now
        gap("waiting_for_founder" if takeover else "no_reply", key)
    return None
