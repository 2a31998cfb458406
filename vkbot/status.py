"""What `vkbot status` and the health endpoint report, read from the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from vkbot.config import Config
from vkbot.outbox import backlog
from vkbot.store.db import make_engine
from vkbot.store.models import LongPollState, StoredEvent


def read_status(session: Session, group_id: int) -> dict[str, Any]:
    state = session.get(LongPollState, group_id)
    stored = session.scalar(select(func.count()).select_from(StoredEvent)) or 0
    last_event = session.scalar(select(func.max(StoredEvent.received_at)))
    pending = session.scalar(
        select(func.count()).select_from(StoredEvent).where(StoredEvent.processed_at.is_(None))  # type: ignore[union-attr]
    )
    failed = session.scalar(
        select(func.count()).select_from(StoredEvent).where(StoredEvent.process_error.is_not(None))  # type: ignore[union-attr]
    )
    return {
        "listener": {
            "ts": state.ts if state else None,
            "ts_saved_at": state.updated_at.isoformat() if state else None,
            "last_event_at": last_event.isoformat() if last_event else None,
            "stored_events": int(stored),
        },
        "dispatch": {"pending": int(pending or 0), "failed": int(failed or 0)},
        "outbox": backlog(session),
    }


def collect_status(config: Config) -> dict[str, Any]:
    engine = make_engine(config.storage.database_url)
    try:
        with Session(engine) as session:
            return read_status(session, config.vk.group_id)
    finally:
        engine.dispose()
