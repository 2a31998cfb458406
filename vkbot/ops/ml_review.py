"""The Detoxify second opinion: scores stored messages and comments in batches, off the event loop, after
the fast tier has already handled them; a high score can flag an item later (hide it only if enabled).

It reads ``vk_events`` behind a persistent cursor, so nothing is scored twice and nothing is skipped
across restarts. It never delays storing or answering: it runs beside the pipeline, not in it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

import waitlist
from moderation.classifier import Classification
from moderation.detoxify_tier import DetoxifyScorer, ModelUnavailable
from moderation.policy import ModerationContext, decide
from moderation.provision import recorded_sha256
from moderation.settings import ModerationSettings
from vkbot.adapters.moderation import verdict_requests
from vkbot.core.store.models import Cursor, StoredEvent
from vkbot.core.worker import pause
from vkbot.effects.outbox import enqueue

log = logging.getLogger("vkbot.ml")

CURSOR = "detoxify"
SCORED_TYPES = ("message_new", "wall_reply_new")
MAX_CHARS = 2000  # the model truncates at 512 tokens anyway; this bounds what is tokenised


@dataclass(frozen=True)
class _Item:
    event_id: int
    channel: str
    text: str
    author_id: int
    peer_id: int | None
    post_id: int | None
    comment_id: int | None
    cmid: int | None


def _item(event: StoredEvent) -> _Item | None:
    obj = event.raw.get("object") or {}
    if event.type == "message_new":
        msg = obj.get("message") or {}
        if msg.get("out") or (msg.get("from_id") or 0) <= 0 or not msg.get("text"):
            return None
        return _Item(
            event.id or 0,
            "message",
            msg["text"][:MAX_CHARS],
            msg["from_id"],
            msg.get("peer_id"),
            None,
            None,
            msg.get("conversation_message_id"),
        )
    if (obj.get("from_id") or 0) <= 0 or not obj.get("text"):
        return None
    return _Item(
        event.id or 0,
        "comment",
        obj["text"][:MAX_CHARS],
        obj["from_id"],
        None,
        obj.get("post_id"),
        obj.get("id"),
        None,
    )


class MlReviewer:
    """Runs while the app runs, when the prepared model files exist; otherwise it says so once and stops."""

    def __init__(
        self,
        engine: Engine,
        settings: ModerationSettings,
        group_id: int,
        *,
        scorer: Any | None = None,
        wake: Any = None,
        every_s: float = 5.0,
    ):
        self.engine = engine
        self.settings = settings
        self.group_id = group_id
        self.scorer = scorer
        self.wake = wake
        self.every_s = every_s
        self.scored = 0

    @staticmethod
    def available(settings: ModerationSettings) -> bool:
        return settings.ml_checkpoint.is_file() and settings.ml_hf_dir.is_dir()

    def _scorer(self) -> Any:
        if self.scorer is None:
            self.scorer = DetoxifyScorer(
                self.settings.ml_checkpoint,
                self.settings.ml_hf_dir,
                expected_sha256=recorded_sha256(self.settings.ml_checkpoint),
                batch_size=self.settings.ml_batch_size,
                threads=1,  # measured on 2 cores: one torch thread beat two by ~6x at batch 1 under load
            )
        return self.scorer

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self._scorer().load_async()
        except ModelUnavailable as exc:
            log.warning("Detoxify tier off, the offline rules decide alone: %s", exc)
            await stop.wait()
            return
        while not stop.is_set():
            try:
                done = await self.review_once()
            except Exception:  # logged; the cursor did not move, so the batch is scored again
                log.exception("Detoxify review pass failed")
                done = 0
            if not done:
                await pause(stop, self.every_s)

    async def review_once(self) -> int:
        """Score the next batch of handled messages and comments; returns how many were scored."""
        events, last_id = await asyncio.to_thread(self._next_batch)
        items = [item for item in map(_item, events) if item is not None]
        scores = await self._scorer().score_async([i.text for i in items]) if items else []
        if last_id:
            await asyncio.to_thread(self._record, items, scores, last_id)
        self.scored += len(items)
        return len(events)

    def _next_batch(self) -> tuple[list[StoredEvent], int]:
        with Session(self.engine, expire_on_commit=False) as session:
            cursor = session.get(Cursor, CURSOR)
            after = cursor.event_id if cursor else 0
            events = list(
                session.scalars(
                    select(StoredEvent)
                    .where(StoredEvent.id > after, StoredEvent.type.in_(SCORED_TYPES))  # type: ignore[operator,union-attr,arg-type]
                    .where(StoredEvent.processed_at.is_not(None))  # type: ignore[union-attr]
                    .order_by(StoredEvent.id)  # type: ignore[arg-type]
                    .limit(self.settings.ml_batch_size * 4)
                )
            )
            return events, (events[-1].id or 0) if events else 0

    def _record(self, items: list[_Item], scores: list[dict[str, float]], last_id: int) -> None:
        now = datetime.now(UTC)
        with Session(self.engine) as session:
            requests = []
            for item, score in zip(items, scores, strict=True):
                protected = item.peer_id is not None and waitlist.conversation_protected(
                    session, item.peer_id
                )
                context = ModerationContext(channel=item.channel, protected=protected)  # type: ignore[arg-type]
                verdict = decide(Classification(), context, self.settings, ml_scores=score)
                requests += verdict_requests(
                    session,
                    source_key=f"evt:{item.event_id}",
                    channel=item.channel,
                    author_id=item.author_id,
                    peer_id=item.peer_id,
                    text=item.text,
                    verdict=verdict,
                    classification=Classification(),
                    settings=self.settings,
                    group_id=self.group_id,
                    at=now,
                    post_id=item.post_id,
                    comment_id=item.comment_id,
                    cmid=item.cmid,
                )
            enqueue(session, requests)
            cursor = session.get(Cursor, CURSOR) or Cursor(name=CURSOR)
            cursor.event_id, cursor.updated_at = last_id, now
            session.add(cursor)
            session.commit()
        if requests and self.wake:
            self.wake()
