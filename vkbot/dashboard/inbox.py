"""The inbox: relatives' recent private messages that moderation let through; hidden ones only as a count.

Messages are read from the event store (a relative's words are never copied out of it) and the ones
moderation keeps out of sight are left out with ``moderation.records.hidden_source_keys``, the same
rule the rest of the suite uses; a restored message is no longer hidden, so it shows up here again.
A message marked for review (flagged: the learned tier's uncertain band, a weak rule) is shown blurred.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import select
from sqlmodel import Session, col

from moderation.browse import hidden_count
from moderation.records import hidden_source_keys, review_source_keys
from vkbot.adapters.inbound import storable
from vkbot.core.store.events_repo import load_event
from vkbot.core.store.models import StoredEvent
from vkbot.dashboard.context import Dashboard, dashboard_of
from vkbot.dashboard.render import render
from vkbot.ingress.events import MessageNew, VkEvent, event_type_of

PAGE = 50
SCAN_BATCH = 200
# Stop looking further back after this many stored events, even if the page is not full.
SCAN_LIMIT = 5000
MESSAGE_NEW = event_type_of(MessageNew)


@dataclass(frozen=True)
class InboxMessage:
    event_id: int
    peer_id: int
    at: datetime
    text: str
    attachments: int
    review: bool = False  # marked for review: shown blurred until she chooses to read it


def _message(stored: StoredEvent) -> InboxMessage | None:
    """A relative writing to the community privately; None for chats, our own messages and broken rows."""
    event = load_event(stored)
    message = event.message if isinstance(event, VkEvent) else None
    if message is None or not message.private or stored.id is None:
        return None
    return InboxMessage(
        event_id=stored.id,
        peer_id=message.peer_id,
        at=datetime.fromtimestamp(message.date, UTC),
        text=storable(message.text),
        attachments=len(message.attachments),
    )


def recent_messages(session: Session, limit: int = PAGE) -> list[InboxMessage]:
    """The newest ``limit`` messages moderation let through (or she restored), newest first."""
    found: list[InboxMessage] = []
    before: int | None = None
    scanned = 0
    while len(found) < limit and scanned < SCAN_LIMIT:
        query = select(StoredEvent).where(col(StoredEvent.type) == MESSAGE_NEW)
        if before is not None:
            query = query.where(col(StoredEvent.id) < before)
        batch = list(session.scalars(query.order_by(col(StoredEvent.id).desc()).limit(SCAN_BATCH)))
        if not batch:
            break
        scanned += len(batch)
        before = batch[-1].id
        keys = [s.key for s in batch]
        hidden, review = hidden_source_keys(session, keys), review_source_keys(session, keys)
        for stored in batch:
            message = _message(stored) if stored.key not in hidden else None
            if message is not None and len(found) < limit:
                found.append(replace(message, review=stored.key in review))
    return found


def _read(dashboard: Dashboard) -> tuple[list[InboxMessage], int]:
    with Session(dashboard.engine) as session:
        return recent_messages(session), hidden_count(session)


async def inbox_page(request: web.Request) -> web.Response:
    messages, hidden = await asyncio.to_thread(_read, dashboard_of(request))
    return render(request, "inbox.html", messages=messages, hidden=hidden)
