"""The event store: writes incoming events (deduplicated on their VK identity) and the long-poll ts together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dbtypes import insert_ignoring_duplicates
from vkbot.clock import Clock
from vkbot.core.store.models import LongPollState, StoredEvent
from vkbot.ingress.events import MalformedEvent, Message, MessageNew, VkEvent, identity, parse_event

log = logging.getLogger("vkbot.core.store")


@dataclass(frozen=True)
class EventRecord:
    """One parsed event to store, and where it came from ("longpoll" or "history")."""

    event: VkEvent | MalformedEvent
    source: str = "longpoll"

    @classmethod
    def parse(cls, raw: Any, source: str = "longpoll") -> EventRecord:
        return cls(parse_event(raw), source)

    def row(self, now: datetime) -> dict[str, Any]:
        """The ``vk_events`` row: the parsed event's identity columns beside the raw JSON as received."""
        ident = identity(self.event)
        raw = self.event.raw
        return {
            "event_id": ident.event_id[:64],
            "message_key": ident.message_key,
            "target_key": ident.target_key,
            "type": ident.type[:64],
            "peer_id": ident.peer_id,
            "from_id": ident.from_id,
            "raw": raw if isinstance(raw, dict) else {"value": raw},  # e.g. a JSON null update
            "malformed_reason": self.event.reason if isinstance(self.event, MalformedEvent) else None,
            "source": self.source,
            "received_at": now,
            "attempts": 0,
        }


def load_event(stored: StoredEvent) -> VkEvent | MalformedEvent:
    """The one way back from a stored row to the typed event every consumer works with."""
    if stored.malformed_reason:
        return MalformedEvent(stored.raw, stored.malformed_reason, stored.event_id, stored.type)
    return parse_event(stored.raw)


def new_message(stored: StoredEvent) -> Message | None:
    """The message of a stored ``message_new`` event, else None."""
    return message_of(load_event(stored))


def message_of(event: VkEvent | MalformedEvent) -> Message | None:
    """The message of a parsed ``message_new`` event, else None."""
    return event.obj.message if isinstance(event, VkEvent) and isinstance(event.obj, MessageNew) else None


class EventStore:
    """Stores events and the long-poll ts in one transaction (the listener's ``EventSink``)."""

    def __init__(self, engine: Engine, group_id: int, clock: Clock):
        self.engine = engine
        self.group_id = group_id
        self.clock = clock

    # -- EventSink ---------------------------------------------------------------------------
    async def load_ts(self) -> str | None:
        return await asyncio.to_thread(self.load_ts_sync)

    async def store(self, events: Sequence[VkEvent | MalformedEvent], ts: str) -> None:
        await asyncio.to_thread(self.store_sync, [EventRecord(event) for event in events], ts)

    # -- synchronous core ----------------------------------------------------------------------
    def load_ts_sync(self) -> str | None:
        with Session(self.engine) as session:
            state = session.get(LongPollState, self.group_id)
            return state.ts if state else None

    def store_sync(self, records: Iterable[EventRecord], ts: str | None) -> int:
        """Insert new events (duplicates ignored) and, in the same transaction, the ts after them."""
        now = self.clock.now()
        records = list(records)
        rows = [r.row(now) for r in records]
        with Session(self.engine) as session:
            inserted = insert_ignoring_duplicates(session, StoredEvent.__table__, rows)  # type: ignore[attr-defined]
            if ts is not None:
                state = session.get(LongPollState, self.group_id)
                if state is None:
                    session.add(LongPollState(group_id=self.group_id, ts=str(ts), updated_at=now))
                else:
                    state.ts, state.updated_at = str(ts), now
            session.commit()
        for r in records:
            if isinstance(r.event, MalformedEvent):
                log.error("stored malformed event raw: %s", r.event.reason)
        return inserted

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(StoredEvent)) or 0)
