"""The event store: writes incoming events (deduplicated on their VK identity) and the long-poll ts together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from dbtypes import insert_ignoring_duplicates
from vkbot.core.store.models import LongPollState, StoredEvent

log = logging.getLogger("vkbot.core.store")

# Events that carry a message object at object.message (message_new) or as the object itself.
_MESSAGE_AT_MESSAGE = {"message_new"}
_MESSAGE_AS_OBJECT = {"message_reply", "message_edit"}


@dataclass(frozen=True)
class EventRecord:
    """What the store needs of one incoming event: its raw JSON and, when it did not parse, why."""

    raw: dict[str, Any]
    malformed_reason: str | None = None
    source: str = "longpoll"


def _message_of(raw: dict[str, Any]) -> dict[str, Any] | None:
    obj = raw.get("object")
    if not isinstance(obj, dict):
        return None
    if raw.get("type") in _MESSAGE_AT_MESSAGE:
        msg = obj.get("message")
        return msg if isinstance(msg, dict) else None
    if raw.get("type") in _MESSAGE_AS_OBJECT:
        return obj
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def identity_columns(record: EventRecord) -> dict[str, Any]:
    """The columns that identify an event and who it concerns, read defensively from raw JSON."""
    raw = record.raw
    obj = raw.get("object") if isinstance(raw.get("object"), dict) else {}
    msg = _message_of(raw)
    peer_id = from_id = None
    message_key = target_key = None
    if msg is not None:
        peer_id = _int_or_none(msg.get("peer_id"))
        from_id = _int_or_none(msg.get("from_id"))
        cmid = _int_or_none(msg.get("conversation_message_id"))
        if peer_id is not None and cmid is not None:
            if raw.get("type") == "message_new":
                message_key = f"{peer_id}:{cmid}"
            elif raw.get("type") == "message_edit":
                target_key = f"{peer_id}:{cmid}"
    elif isinstance(obj, dict):
        peer_id = _int_or_none(obj.get("peer_id") or obj.get("user_id"))
        from_id = _int_or_none(obj.get("from_id") or obj.get("user_id"))
    event_id = raw.get("event_id")
    return {
        "event_id": str(event_id)[:64] if event_id else None,
        "message_key": message_key,
        "target_key": target_key,
        "type": str(raw.get("type") or "unknown")[:64],
        "peer_id": peer_id,
        "from_id": from_id,
    }


class EventStore:
    """Stores events and the long-poll ts in one transaction (the listener's ``EventSink``)."""

    def __init__(self, engine: Engine, group_id: int):
        self.engine = engine
        self.group_id = group_id

    # -- EventSink ---------------------------------------------------------------------------
    async def load_ts(self) -> str | None:
        return await asyncio.to_thread(self.load_ts_sync)

    async def store(self, events: Sequence[Any], ts: str) -> None:
        records = [to_record(event) for event in events]
        await asyncio.to_thread(self.store_sync, records, ts)

    # -- synchronous core ----------------------------------------------------------------------
    def load_ts_sync(self) -> str | None:
        with Session(self.engine) as session:
            state = session.get(LongPollState, self.group_id)
            return state.ts if state else None

    def store_sync(self, records: Iterable[EventRecord], ts: str | None) -> int:
        """Insert new events (duplicates ignored) and, in the same transaction, the ts after them."""
        now = datetime.now(UTC)
        rows = [
            {
                **identity_columns(r),
                "raw": r.raw,
                "malformed_reason": r.malformed_reason,
                "source": r.source,
                "received_at": now,
                "attempts": 0,
            }
            for r in records
        ]
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
            if r.malformed_reason:
                log.error("stored malformed event raw: %s", r.malformed_reason)
        return inserted

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(StoredEvent)) or 0)


def to_record(event: Any) -> EventRecord:
    """Accepts an ``EventRecord``, a parsed event with ``.raw``, a malformed one with ``.reason``, or a dict."""
    if isinstance(event, EventRecord):
        return event
    if isinstance(event, dict):
        return EventRecord(raw=event)
    if not hasattr(event, "raw"):
        raise TypeError(f"cannot store a {type(event).__name__}: it has no raw JSON")
    raw = event.raw if isinstance(event.raw, dict) else {"value": event.raw}  # e.g. a JSON null update
    return EventRecord(raw=raw, malformed_reason=getattr(event, "reason", None))
