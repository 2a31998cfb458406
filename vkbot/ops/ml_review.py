"""The Detoxify second opinion: scores stored messages and comments in batches, off the event loop, after
the fast tier has already handled them; a high score can flag an item later (hide it only if enabled).

It reads ``vk_events`` behind a persistent cursor, so nothing is scored twice and nothing is skipped
across restarts. It never delays storing or answering: it runs beside the pipeline, not in it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

import waitlist
from moderation.classifier import Classification
from moderation.detoxify_tier import DetoxifyScorer, ModelUnavailable
from moderation.policy import ModerationContext, decide
from moderation.provision import recorded_sha256
from moderation.settings import ModerationSettings
from moderation.subject import Subject
from vkbot.adapters.moderation import subject_of, verdict_requests
from vkbot.clock import Clock
from vkbot.core.store.events_repo import load_event
from vkbot.core.store.models import Cursor, StoredEvent
from vkbot.core.worker import pause
from vkbot.effects.outbox import enqueue
from vkbot.ingress.events import MessageNew, VkEvent, WallReplyNew, event_type_of

log = logging.getLogger("vkbot.ml")

CURSOR = "detoxify"
SCORED_TYPES = (event_type_of(MessageNew), event_type_of(WallReplyNew))
MAX_CHARS = 2000  # the model truncates at 512 tokens anyway; this bounds what is tokenised


def _subject(stored: StoredEvent) -> Subject | None:
    """A relative's private message or a person's comment with text to score; None for anything else."""
    event = load_event(stored)
    subject = subject_of(stored.key, event.obj) if isinstance(event, VkEvent) else None
    return subject if subject is not None and subject.text else None


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
        clock: Clock,
    ):
        self.engine = engine
        self.settings = settings
        self.group_id = group_id
        self.scorer = scorer
        self.wake = wake
        self.every_s = every_s
        self.clock = clock
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
        items = [subject for subject in map(_subject, events) if subject is not None]
        scores = await self._scorer().score_async([i.text[:MAX_CHARS] for i in items]) if items else []
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
                    .where(col(StoredEvent.id) > after, col(StoredEvent.type).in_(SCORED_TYPES))
                    .where(col(StoredEvent.processed_at).is_not(None))
                    .order_by(StoredEvent.id)  # type: ignore[arg-type]
                    .limit(self.settings.ml_batch_size * 4)
                )
            )
            return events, (events[-1].id or 0) if events else 0

    def _record(self, items: list[Subject], scores: list[dict[str, float]], last_id: int) -> None:
        now = self.clock.now()
        with Session(self.engine) as session:
            requests = []
            for item, score in zip(items, scores, strict=True):
                protected = item.peer_id is not None and waitlist.conversation_protected(
                    session, item.peer_id
                )
                context = ModerationContext(channel=item.channel, protected=protected)
                verdict = decide(Classification(), context, self.settings, ml_scores=score)
                requests += verdict_requests(
                    session,
                    item,
                    verdict,
                    Classification(),
                    now,
                    settings=self.settings,
                    group_id=self.group_id,
                )
            enqueue(session, requests, now=now)
            cursor = session.get(Cursor, CURSOR) or Cursor(name=CURSOR, updated_at=now)
            cursor.event_id, cursor.updated_at = last_id, now
            session.add(cursor)
            session.commit()
        if requests and self.wake:
            self.wake()
