"""Fills long-poll gaps from VK's history: recovers private messages (and, with a user token, comments).

When VK loses events (``failed: 3``, or a ts too old after a long outage, which VK answers with
``failed: 1`` and the listener simply continues), the messages are still in the community's
conversations. ``HistoryGapFiller.fill`` reads them back and stores each incoming one as a VK-shaped
``message_new`` event (``source="history"``, no ``event_id``) through the ``EventStore``; the dispatcher
then handles it like any other. A message seen by both long poll and history is one row: the store is
unique on ``message_key`` ("peer_id:conversation_message_id"), so overlapping reads are harmless and
the gap start may be generous.

Where the gap starts:

- ``fill(GapReport)`` (the listener's ``on_gap``): from the date of the newest message event already
  stored, minus ``margin`` (VK dates have one-second resolution and arrive slightly out of order).
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from vkbot.api.errors import UserTokenMissing, VkError
from vkbot.core.store.events_repo import EventRecord, EventStore, identity_columns
from vkbot.core.store.models import StoredEvent
from vkbot.ingress.events import EVENT_MODELS
from vkbot.ingress.longpoll import GapReport

log = logging.getLogger("vkbot.ingress.history")

API_VERSION = "5.199"
PAGE = 200  # the most getConversations/getHistory return per call
# What long poll adds to message_new; history has no client_info, so the recovered event says the least.
_HISTORY_CLIENT_INFO: dict[str, Any] = {"button_actions": ["text"], "keyboard": True, "lang_id": 0}
_MESSAGE_TYPES = ("message_new", "message_reply", "message_edit")


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
        comments: bool = True,
        on_stored: Callable[[], None] | None = None,
        on_unrecovered: Callable[[str], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ):
        self._client = client
        self._store = store
        self._group_id = group_id
        self._floor = since
        self._margin = margin
        self._comments = comments
        self._on_stored = on_stored  # e.g. the dispatcher's wake.set
        self._on_unrecovered = on_unrecovered
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = asyncio.Lock()  # one fill at a time: a gap during a fill just widens the next
        self.last_result: GapFillResult | None = None
        # The start of a fill that failed: later fills reach back to it.
        self._unfilled_since: datetime | None = None

    async def fill(self, report_or_since: GapReport | datetime | None = None) -> int:
        """Recover and store what was missed since the gap start; returns how many events were stored."""
        async with self._lock:
            start = await self._gap_start(report_or_since)
            end = self._clock()
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
        """The date of the newest stored message event (VK's clock), or None when none is stored."""
        return await asyncio.to_thread(self._newest_message_date)

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

    def _newest_message_date(self) -> datetime | None:
        with Session(self._store.engine) as session:
            raw = session.scalars(
                select(StoredEvent.raw)
                .where(StoredEvent.type.in_(_MESSAGE_TYPES))  # type: ignore[attr-defined]
                .where(StoredEvent.malformed_reason.is_(None))  # type: ignore[union-attr]
                .order_by(StoredEvent.id.desc())  # type: ignore[union-attr]
                .limit(1)
            ).first()
        message = _message_in(raw) if isinstance(raw, dict) else None
        date = message.get("date") if message else None
        return datetime.fromtimestamp(date, UTC) if isinstance(date, int) else None

    # -- messages -------------------------------------------------------------------------------------

    async def _fill_messages(self, start: datetime) -> tuple[int, int]:
        start_ts = int(start.timestamp())
        peers = await self._conversations_since(start_ts)
        histories = await asyncio.gather(*(self._history_since(peer, start_ts) for peer in peers))
        incoming = [m for messages in histories for m in messages if _is_incoming(m)]
        # Oldest first, so the dispatcher (which works in storage order) keeps each writer's order.
        incoming.sort(key=lambda m: (int(m.get("date", 0)), int(m.get("id", 0))))
        records = await asyncio.to_thread(self._unknown, [self._message_record(m) for m in incoming])
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
        keys = [identity_columns(r)["message_key"] for r in records]
        known: set[str] = set()
        with Session(self._store.engine) as session:
            for i in range(0, len(keys), 500):
                chunk = [k for k in keys[i : i + 500] if k]
                known.update(
                    session.scalars(
                        select(StoredEvent.message_key).where(StoredEvent.message_key.in_(chunk))  # type: ignore[union-attr]
                    )
                )
        return [r for r, key in zip(records, keys, strict=True) if key not in known]

    def _message_record(self, message: dict[str, Any]) -> EventRecord:
        raw = {
            "type": "message_new",
            "object": {"message": message, "client_info": dict(_HISTORY_CLIENT_INFO)},
            "group_id": self._group_id,
            "v": API_VERSION,
        }
        return EventRecord(raw=raw, malformed_reason=_invalid("message_new", raw["object"]), source="history")

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
            raws = session.scalars(
                select(StoredEvent.raw)
                .where(StoredEvent.type.in_(("wall_reply_new", "wall_reply_restore")))  # type: ignore[attr-defined]
                .order_by(StoredEvent.id.desc())  # type: ignore[union-attr]
                .limit(20_000)
            ).all()
        return set(_comment_ids(raws))

    def _comment_record(self, comment: dict[str, Any], owner_id: int) -> EventRecord:
        obj = {**comment, "post_owner_id": owner_id}
        raw = {
            "type": "wall_reply_new",
            "object": obj,
            "group_id": self._group_id,
            "event_id": f"history:comment:{owner_id}_{comment['id']}",
            "v": API_VERSION,
        }
        return EventRecord(raw=raw, malformed_reason=_invalid("wall_reply_new", obj), source="history")


def _message_in(raw: dict[str, Any]) -> dict[str, Any] | None:
    obj = raw.get("object")
    if not isinstance(obj, dict):
        return None
    inner = obj.get("message") if raw.get("type") == "message_new" else obj
    return inner if isinstance(inner, dict) else None


def _is_incoming(message: dict[str, Any]) -> bool:
    """Written by a person to the community: not ours (out=0) and from a user, not a community."""
    return int(message.get("out", 0)) == 0 and int(message.get("from_id", 0)) > 0


def _invalid(event_type: str, obj: dict[str, Any]) -> str | None:
    """Why the object does not parse as ``event_type`` (kept raw anyway), or None."""
    try:
        EVENT_MODELS[event_type].model_validate(obj)
    except ValidationError as exc:
        return f"history {event_type}: {exc.error_count()} invalid field(s): {exc.errors()[0]['loc']}"
    return None


def _comment_ids(raws: Iterable[Any]) -> Iterable[tuple[int, int]]:
    for raw in raws:
        obj = raw.get("object") if isinstance(raw, dict) else None
        if isinstance(obj, dict) and isinstance(obj.get("post_id"), int) and isinstance(obj.get("id"), int):
            yield obj["post_id"], obj["id"]
