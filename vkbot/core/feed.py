"""``feed_raw_event``: one raw update stored and handled in-process, without any network.

Like aiogram's ``Dispatcher.feed_raw_update``, and the seam tests use to reach the pipeline: the update
is stored exactly as the listener stores it (parsed once, deduplicated on its identity), then the
dispatcher handles every pending event in order, in this thread. With ``on_error="raise"`` a handler
bug fails the caller with its own traceback (the event stays stored and unprocessed); ``"log"`` is the
production policy (logged once with context, the raw event kept and retried).
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from vkbot.clock import Clock
from vkbot.core.dispatch import Dispatcher, EventHandler
from vkbot.core.store.events_repo import EventRecord, EventStore
from vkbot.core.store.models import OutboxRow, StoredEvent
from vkbot.ingress.events import identity

__all__ = ["feed_raw_event"]


def feed_raw_event(
    engine: Engine,
    handler: EventHandler,
    raw: Any,
    *,
    on_error: Literal["raise", "log"] = "raise",
    source: str = "longpoll",
    clock: Clock,
) -> list[OutboxRow]:
    """Store ``raw`` and handle what is pending; returns the outbox rows this event produced, in order.

    A duplicate (the same event id or message identity) is stored once and handled once: feeding it
    again returns the first copy's rows.
    """
    record = EventRecord.parse(raw, source)
    EventStore(engine, 0, clock).store_sync([record], None)  # no ts: nothing is polled here
    Dispatcher(engine, handler, on_error=on_error, clock=clock).process_pending()
    return _rows_of(engine, record)


def _rows_of(engine: Engine, record: EventRecord) -> list[OutboxRow]:
    ident = identity(record.event)
    with Session(engine) as session:
        same = col(StoredEvent.event_id) == ident.event_id[:64]
        if ident.message_key is not None:
            same = same | (col(StoredEvent.message_key) == ident.message_key)
        stored = session.scalars(select(StoredEvent).where(same)).first()
        if stored is None:
            return []
        query = (
            select(OutboxRow)
            .where(col(OutboxRow.key).startswith(f"{stored.key}:"))
            .order_by(col(OutboxRow.id))
        )
        return list(session.scalars(query))
