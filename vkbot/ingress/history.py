"""Fills long-poll gaps from VK's history: recovers private messages (and, with a user token, comments).

When VK loses events (``failed: 3``, or a ts too old after a long outage, which VK answers with
``failed: 1`` and the listener simply continues), the messages are still in the community's
conversations. ``HistoryGapFiller.fill`` reads them back and stores each incoming one as a VK-shaped
``message_new`` event (``source="history"``) with a synthetic, stable ``event_id`` derived from the
message's identity (``history:msg:<peer_id>_<conversation_message_id>``), parsed like any long-poll
event, so the dispatcher answers it like any other (issue 12: without an id it was called malformed and
never answered). A message seen by both long poll and history is one row: the store is unique on
``message_key`` ("peer_id:conversation_message_id"), so overlapping reads are harmless and the gap start
may be generous.

Where the gap starts:

- ``fill(GapReport)`` (the listener's ``on_gap``): from the date of the newest new or sent message
  already stored, minus ``margin`` (VK dates have one-second resolution and arrive slightly out of
  order); never further back than ``max_window`` before the long-poll ts was last saved (an edit carries
  the edited message's original date, which may be years old; issue 12).
- ``fill(datetime)``: from that time (start-up after the suite was stopped; see ``since_last_stored``).
- never earlier than ``since`` (the constructor's floor), so a first start does not answer old history.
  With no floor and an empty store there is nothing to anchor on, and nothing is filled.

Messages: ``messages.getConversations(filter=all, count=200)`` newest first, paged while the last
message of the page is newer than the gap start; then ``messages.getHistory(peer_id, count=200)`` for
every conversation touched, paged back to the gap start. Offset paging while messages arrive may show
a message twice (harmless), but a conversation that jumps to the top between two conversation pages
can be missed; this only matters beyond 200 conversations touched in one gap.

Comments: VK lets only a user token read them (``wall.getComments``). With the admin's token, recent
posts (``wall.get``, count 100) are read back and new comments stored as ``wall_reply_new`` events
(event_id ``history:comment:<owner>_<id>``, skipped when long poll stored the same comment). Without
one, or when VK refuses, the gap is reported plainly: ``GapFillResult.comments_unrecovered`` says
"comments between X and Y could not be recovered" and ``on_unrecovered`` receives that text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from vkbot.api.errors import UserTokenMissing, VkError
from vkbot.clock import Clock
from vkbot.core.store.events_repo import EventRecord, EventStore, load_event
from vkbot.core.store.models import LongPollState, StoredEvent
from vkbot.ingress.events import (
    Comment,
    MessageNew,
    MessageReply,
    VkEvent,
    WallReplyNew,
    WallReplyRestore,
    content_key,
    event_type_of,
)
from vkbot.ingress.longpoll import GapReport

log = logging.getLogger("vkbot.ingress.history")

API_VERSION = "5.199"
PAGE = 200  # the most getConversations/getHistory return per call
# What long poll adds to message_new; history has no client_info, so the recovered event says the least.
_HISTORY_CLIENT_INFO: dict[str, Any] = {"button_actions": ["text"], "keyboard": True, "lang_id": 0}
# Message events whose ``date`` is when they were written (an edit's is the original message's).
_DATED_MESSAGES = (event_type_of(MessageNew), event_type_of(MessageReply))
_COMMENTS = (event_type_of(WallReplyNew), event_type_of(WallReplyRestore))


class Caller(Protocol):
    async def call(self, method: str, params: dict[str, Any] | None = None, *, batch: bool = True) -> Any: ...


@dataclass(frozen=True)
class GapFillResult:
    """What one ``fill`` did; ``comments_unrecovered`` is the plain report when comments were not read."""

    start: datetime
    end: datetime
    messages_seen: int = 0
    messages_stored: int = 0
    comments_stored: int = 0
    comments_unrecovered: str | None = None


class HistoryGapFiller:
    """Recovers what long poll lost from the community's history; ``fill`` is the listener's ``on_gap``."""

    def __init__(
        self,
        client: Caller,
        store: EventStore,
        group_id: int,
        *,
        since: datetime | None = None,
        margin: timedelta = timedelta(seconds=60),
        max_window: timedelta = timedelta(days=3),
        comments: bool = True,
        on_stored: Callable[[], None] | None = None,
        on_unrecovered: Callable[[str], None] | None = None,
        clock: Clock,
    ):
        self._client = client
        self._store = store
        self._group_id = group_id
        self._floor = since
        self._margin = margin
        self._max_window = max_window
        self._comments = comments
        self._on_stored = on_stored  # e.g. the dispatcher's wake.set
        self._on_unrecovered = on_unrecovered
        self._clock = clock
        self._lock = asyncio.Lock()  # one fill at a time: a gap during a fill just widens the next
        self.last_result: GapFillResult | None = None
        # The start of a fill that failed: later fills reach back to it.
        self._unfilled_since: datetime | None = None

    async def fill(self, report_or_since: GapReport | datetime | None = None) -> int:
        """Recover and store what was missed since the gap start; returns how many events were stored."""
        async with self._lock:
            start = await self._gap_start(report_or_since)
            end = self._clock.now()
            if start is None:
                log.warning("history fill skipped: no stored event and no floor to start from")
                self.last_result = GapFillResult(end, end)
                return 0
            try:
                seen, stored = await self._fill_messages(start)
            except VkError:
                # The client already retried; keep the start so the next fill covers this gap too.
                self._unfilled_since = start
                log.exception("history fill from %s failed; the next fill starts there", start.isoformat())
                raise
            self._unfilled_since = None
            comments_stored, unrecovered = (0, None)
            if self._comments:
                comments_stored, unrecovered = await self._fill_comments(start, end)
            self.last_result = GapFillResult(start, end, seen, stored, comments_stored, unrecovered)
            log.info(
                "history fill from %s: %d incoming messages seen, %d new stored, %d comments stored",
                start.isoformat(),
                seen,
                stored,
                comments_stored,
            )
            if unrecovered:
                log.warning("%s", unrecovered)
                if self._on_unrecovered is not None:
                    self._on_unrecovered(unrecovered)
            if (stored or comments_stored) and self._on_stored is not None:
                self._on_stored()
            return stored + comments_stored

    @property
    def margin(self) -> timedelta:
        """How far before the newest stored message a fill reaches back (dates are whole seconds)."""
        return self._margin

    async def since_last_stored(self) -> datetime | None:
        """The date of the newest stored message (VK's clock), but no older than ``max_window`` before the
        long-poll ts was last saved; None when no message is stored."""
        return await asyncio.to_thread(self._anchor)

    # -- where the gap starts -------------------------------------------------------------------------

    async def _gap_start(self, report_or_since: GapReport | datetime | None) -> datetime | None:
        if isinstance(report_or_since, datetime):
            start: datetime | None = report_or_since
        else:
            newest = await self.since_last_stored()
            start = newest - self._margin if newest is not None else None
        if self._unfilled_since is not None:
            start = min(start, self._unfilled_since) if start is not None else self._unfilled_since
        if start is None:
            return self._floor
        return max(start, self._floor) if self._floor is not None else start

    def _anchor(self) -> datetime | None:
        with Session(self._store.engine) as session:
            stored = session.scalars(
                select(StoredEvent)
                .where(StoredEvent.type.in_(_DATED_MESSAGES))  # type: ignore[attr-defined]
                .where(StoredEvent.malformed_reason.is_(None))  # type: ignore[union-attr]
                .order_by(StoredEvent.id.desc())  # type: ignore[union-attr]
                .limit(1)
            ).first()
            state = session.get(LongPollState, self._group_id)
            synced_at = state.updated_at if state is not None else self._clock.now()
            event = load_event(stored) if stored is not None else None
        message = event.message if isinstance(event, VkEvent) else None
        if message is None:
            return None
        return max(datetime.fromtimestamp(message.date, UTC), _aware(synced_at) - self._max_window)

    # -- messages -------------------------------------------------------------------------------------

    async def _fill_messages(self, start: datetime) -> tuple[int, int]:
        start_ts = int(start.timestamp())
        peers = await self._conversations_since(start_ts)
        histories = await asyncio.gather(*(self._history_since(peer, start_ts) for peer in peers))
        parsed = [self._message_record(m) for messages in histories for m in messages]
        incoming = [r for r in parsed if _incoming(r)]
        # Oldest first, so the dispatcher (which works in storage order) keeps each writer's order.
        incoming.sort(key=_written_at)
        records = await asyncio.to_thread(self._unknown, incoming)
        if records:
            await asyncio.to_thread(self._store.store_sync, records, None)
        return len(incoming), len(records)

    async def _conversations_since(self, start_ts: int) -> list[int]:
        peers: list[int] = []
        offset = 0
        while True:
            answer = await self._client.call(
                "messages.getConversations",
                {"filter": "all", "count": PAGE, "offset": offset, "group_id": self._group_id},
            )
            items = answer.get("items", []) if isinstance(answer, dict) else []
            for item in items:
                last = item.get("last_message") or {}
                if int(last.get("date", 0)) >= start_ts:
                    peers.append(int(item["conversation"]["peer"]["id"]))
            offset += len(items)
            oldest = (items[-1].get("last_message") or {}).get("date", 0) if items else 0
            if not items or int(oldest) < start_ts or offset >= int(answer.get("count", 0)):
                return list(dict.fromkeys(peers))

    async def _history_since(self, peer_id: int, start_ts: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            answer = await self._client.call(
                "messages.getHistory",
                {"peer_id": peer_id, "count": PAGE, "offset": offset, "group_id": self._group_id},
            )
            items = answer.get("items", []) if isinstance(answer, dict) else []
            found.extend(m for m in items if int(m.get("date", 0)) >= start_ts)
            offset += len(items)
            if not items or int(items[-1].get("date", 0)) < start_ts or offset >= int(answer.get("count", 0)):
                return found

    def _unknown(self, records: list[EventRecord]) -> list[EventRecord]:
        """The records whose message is not stored yet.

        Counted here rather than from ``store_sync``'s answer, which is -1 per row on PostgreSQL
        (SQLAlchemy adds RETURNING, so rowcount is unknown). The store still ignores duplicates, so a
        message long poll stores meanwhile is counted here but stored once.
        """
        keys = [_message_key(r) for r in records]
        known: set[str] = set()
        with Session(self._store.engine) as session:
            for i in range(0, len(keys), 500):
                chunk = [k for k in keys[i : i + 500] if k]
                known.update(
                    session.scalars(
                        select(col(StoredEvent.message_key)).where(col(StoredEvent.message_key).in_(chunk))
                    )
                )
        return [r for r, key in zip(records, keys, strict=True) if key not in known]

    def _message_record(self, message: dict[str, Any]) -> EventRecord:
        """The message as the ``message_new`` long poll would have delivered, with a stable synthetic id."""
        raw: dict[str, Any] = {
            "type": event_type_of(MessageNew),
            "object": {"message": message, "client_info": dict(_HISTORY_CLIENT_INFO)},
            "group_id": self._group_id,
            "v": API_VERSION,
        }
        peer_id, cmid = message.get("peer_id"), message.get("conversation_message_id")
        has_identity = isinstance(peer_id, int) and isinstance(cmid, int)
        # Without its identity the message does not parse; it is kept raw, named by its content.
        raw["event_id"] = (
            f"history:msg:{peer_id}_{cmid}" if has_identity else f"history:{content_key(message)}"
        )
        return EventRecord.parse(raw, source="history")

    # -- comments -------------------------------------------------------------------------------------

    async def _fill_comments(self, start: datetime, end: datetime) -> tuple[int, str | None]:
        owner_id = -self._group_id
        try:
            posts = await self._client.call("wall.get", {"owner_id": owner_id, "count": 100})
            comments: list[dict[str, Any]] = []
            for post in posts.get("items", []) if isinstance(posts, dict) else []:
                if int((post.get("comments") or {}).get("count", 0)) > 0:
                    comments.extend(await self._comments_since(owner_id, int(post["id"]), start))
        except VkError as exc:  # no token, a refused right (27, 15, 7) or VK down: report, keep going
            reason = "no admin user token" if isinstance(exc, UserTokenMissing) else str(exc)
            return 0, (
                f"comments between {start.isoformat(timespec='seconds')} and "
                f"{end.isoformat(timespec='seconds')} could not be recovered ({reason})"
            )
        known = await asyncio.to_thread(self._stored_comment_ids)
        records = [
            self._comment_record(c, owner_id) for c in comments if (c["post_id"], c["id"]) not in known
        ]
        if records:
            await asyncio.to_thread(self._store.store_sync, records, None)
        return len(records), None

    async def _comments_since(self, owner_id: int, post_id: int, start: datetime) -> list[dict[str, Any]]:
        start_ts = int(start.timestamp())
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            answer = await self._client.call(
                "wall.getComments",
                {"owner_id": owner_id, "post_id": post_id, "count": 100, "offset": offset, "sort": "desc"},
            )
            items = answer.get("items", []) if isinstance(answer, dict) else []
            found.extend({**c, "post_id": post_id} for c in items if int(c.get("date", 0)) >= start_ts)
            offset += len(items)
            if not items or int(items[-1].get("date", 0)) < start_ts or offset >= int(answer.get("count", 0)):
                return found

    def _stored_comment_ids(self) -> set[tuple[int, int]]:
        """(post_id, comment id) of comments already stored (long poll or an earlier fill)."""
        with Session(self._store.engine) as session:
            stored = session.scalars(
                select(StoredEvent)
                .where(StoredEvent.type.in_(_COMMENTS))  # type: ignore[attr-defined]
                .order_by(StoredEvent.id.desc())  # type: ignore[union-attr]
                .limit(20_000)
            ).all()
            events = [load_event(s) for s in stored]
        return {
            (e.obj.post_id, e.obj.id) for e in events if isinstance(e, VkEvent) and isinstance(e.obj, Comment)
        }

    def _comment_record(self, comment: dict[str, Any], owner_id: int) -> EventRecord:
        raw = {
            "type": event_type_of(WallReplyNew),
            "object": {**comment, "post_owner_id": owner_id},
            "group_id": self._group_id,
            "event_id": f"history:comment:{owner_id}_{comment['id']}",
            "v": API_VERSION,
        }
        return EventRecord.parse(raw, source="history")


def _message_key(record: EventRecord) -> str | None:
    message = record.event.message if isinstance(record.event, VkEvent) else None
    return message.key if message is not None else None


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives naive UTC back


def _incoming(record: EventRecord) -> bool:
    """Written by a person to the community (not ours, not a community's); an unparsable one is kept raw."""
    message = record.event.message if isinstance(record.event, VkEvent) else None
    return message is None or (not message.out and message.from_id > 0)


def _written_at(record: EventRecord) -> tuple[int, int]:
    message = record.event.message if isinstance(record.event, VkEvent) else None
    return (message.date, message.id) if message is not None else (0, 0)
