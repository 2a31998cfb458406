"""The vkbot side of publishing: a scheduler job that plans into the outbox, and the executors that post.

- ``PublishingJob.run_once`` runs ``publishing.plan`` in a thread and writes its effects as outbox rows
  in the same transaction (a crash loses neither the plan nor the rows). ``run`` drives it every minute
  with an APScheduler ``AsyncIOScheduler`` until ``stop`` is set (fits ``App.extra_tasks``).
- ``effect_requests`` is the one mapping from effects to rows: ``PublishClip`` -> kind ``publish_clip``,
  ``DeletePost`` -> ``publish_delete`` (``wall.delete``), ``HandToFounder`` -> ``publish_handoff``.
- ``publishing_executors`` returns the sender's executors for those kinds. Posting is video.save ->
  multipart upload (``video_file``) -> ``wall.post`` with the post's guid, then the post id is recorded.
  Without the admin user token (``UserTokenMissing``) the post becomes the founder's: her ready post
  (caption, clip file) is stored, logged once, and the row is done; nothing is lost or retried in vain.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from publishing import (
    DeletePost,
    Effect,
    HandToFounder,
    PublishClip,
    PublishingSettings,
    plan,
    publication_for,
    record_handed_to_founder,
    record_posted,
    record_takedown_handed_to_founder,
    record_video,
)
from publishing.captions import delete_handoff_text
from publishing.ports import Clock
from vkbot.adapters.clips import ClipFiles, ClipMissing, Uploader, read_clip
from vkbot.adapters.outbound import reply_requests
from vkbot.api.errors import UserTokenMissing, VkApiError
from vkbot.core.store.models import OutboxRow
from vkbot.effects.outbox import Executor, MethodCaller, OutboxRequest, enqueue
from waitlist.effects import Reply

__all__ = [
    "ClipMissing",
    "PublishingJob",
    "effect_requests",
    "publishing_executors",
]

log = logging.getLogger("vkbot.effects.publisher")

KIND_PUBLISH = "publish_clip"
KIND_DELETE = "publish_delete"
KIND_HANDOFF = "publish_handoff"
NO_USER_TOKEN = "no admin user token (run `vkbot connect`)"


def effect_requests(effects: list[Effect], group_id: int) -> list[OutboxRequest]:
    """Outbox rows for the planner's effects; each row's key is the effect's (idempotent enqueue)."""
    requests: list[OutboxRequest] = []
    for effect in effects:
        if isinstance(effect, PublishClip):
            # The caption and file are read from pub_post at send time, so a late revocation still counts.
            params = {"order_id": effect.order_id, "guid": effect.guid, "title": effect.title}
            requests.append(OutboxRequest(effect.key, "wall.post", params, kind=KIND_PUBLISH))
        elif isinstance(effect, DeletePost):
            params = {"owner_id": -group_id, "post_id": effect.post_id}
            requests.append(OutboxRequest(effect.key, "wall.delete", params, kind=KIND_DELETE))
        elif isinstance(effect, Reply):
            requests.extend(reply_requests(effect))
        elif isinstance(effect, HandToFounder):
            params = {"order_id": effect.order_id, "reason": effect.reason, "text": effect.text}
            requests.append(OutboxRequest(effect.key, "founder.handoff", params, kind=KIND_HANDOFF))
    return requests


@dataclass
class PublishingJob:
    """Plans publications into the outbox; the app's scheduler calls ``run_once`` every minute."""

    engine: Engine
    settings: PublishingSettings
    clock: Clock
    group_id: int
    on_enqueued: Callable[[], None] | None = None  # e.g. ``sender.wake.set``
    runs: int = field(default=0, init=False)

    async def run_once(self) -> int:
        """One planning pass; returns how many outbox rows it added."""
        added = await asyncio.to_thread(self._plan_and_enqueue)
        self.runs += 1
        if added and self.on_enqueued is not None:
            self.on_enqueued()
        return added

    def _plan_and_enqueue(self) -> int:
        with Session(self.engine) as session:
            effects = plan(session, self.settings, self.clock)
            added = enqueue(session, effect_requests(effects, self.group_id))
            session.commit()  # the plan's row changes and the outbox rows land together
        if effects:
            log.info("publishing planned %d effect(s), %d new outbox row(s)", len(effects), added)
        return added


@dataclass
class PublishExecutors:
    """The outbox executors for the publishing kinds; database work runs in threads."""

    engine: Engine
    files: ClipFiles
    uploader: Uploader
    settings: PublishingSettings
    clock: Clock
    group_id: int

    def executors(self) -> dict[str, Executor]:
        return {KIND_PUBLISH: self.publish, KIND_DELETE: self.delete, KIND_HANDOFF: self.hand_off}

    async def publish(self, row: OutboxRow, client: MethodCaller) -> Any:
        pub = await asyncio.to_thread(self._read, publication_for, row.key)
        if pub is None:
            return {"skipped": "withdrawn or handed off"}
        try:
            video = pub.vk_video or await self._upload(row, client, pub.file_id, pub.caption)
            # A revocation may have arrived during the upload: ask again right before posting.
            if await asyncio.to_thread(self._read, publication_for, row.key) is None:
                return {"skipped": "withdrawn during upload", "video": video}
            answer = await client.call(
                "wall.post",
                {
                    "owner_id": -self.group_id,
                    "from_group": 1,
                    "message": pub.caption,
                    "attachments": video,
                    "guid": pub.guid,  # VK answers a repeat with the same post: retries are safe
                },
            )
        except UserTokenMissing:
            return await asyncio.to_thread(self._hand_off, row)
        post_id = int(answer["post_id"])
        await asyncio.to_thread(self._write, record_posted, row.key, post_id)
        log.info("order %s posted on the wall as post %s", row.params.get("order_id"), post_id)
        return {"post_id": post_id, "video": video}

    async def _upload(self, row: OutboxRow, client: MethodCaller, file_id: str, caption: str) -> str:
        data = await read_clip(self.files, file_id, f"order {row.params.get('order_id')}")
        title = str(row.params.get("title") or "")
        saved = await client.call(
            "video.save",
            {
                "group_id": self.group_id,
                "is_private": 0,
                "wallpost": 0,  # we post ourselves, with the guid
                "name": title or caption.splitlines()[0][:128],
                "description": caption,
            },
        )
        await self.uploader.upload(saved["upload_url"], "video_file", "clip.mp4", data, "video/mp4")
        video = f"video{saved['owner_id']}_{saved['video_id']}"
        await asyncio.to_thread(self._write, record_video, row.key, video)
        return video

    def _hand_off(self, row: OutboxRow) -> dict[str, Any]:
        with Session(self.engine) as session:
            handoff = record_handed_to_founder(
                session, row.key, NO_USER_TOKEN, self.settings, at=self.clock.now()
            )
            session.commit()
        if handoff is None:
            return {"skipped": "no longer queued"}
        # Logged once: the row is done after this, so it never runs again.
        log.warning(
            "order %s not posted: %s; the founder has a ready post to paste", handoff.order_id, NO_USER_TOKEN
        )
        return {"handed_to_founder": True, "reason": NO_USER_TOKEN, "text": handoff.text}

    async def delete(self, row: OutboxRow, client: MethodCaller) -> Any:
        post_id = int(row.params["post_id"])
        try:
            return await client.call("wall.delete", row.params)
        except UserTokenMissing:
            await asyncio.to_thread(self._write, record_takedown_handed_to_founder, row.key, NO_USER_TOKEN)
            text = delete_handoff_text(self.settings, post_id, self.group_id, NO_USER_TOKEN)
            log.warning(
                "wall post %s must come down and cannot: %s; the founder was told", post_id, NO_USER_TOKEN
            )
            return {"handed_to_founder": True, "reason": NO_USER_TOKEN, "text": text}
        except VkApiError as exc:
            if exc.code == 100:  # no such post: already taken down (by hand, or by an earlier try)
                return {"already_deleted": True}
            raise

    async def hand_off(self, row: OutboxRow, client: MethodCaller) -> Any:
        log.warning(
            "order %s: %s; the founder was told", row.params.get("order_id"), row.params.get("reason")
        )
        return {"handed_to_founder": True, "text": row.params.get("text", "")}

    def _read(self, fn: Callable[[Session, str], Any], key: str) -> Any:
        with Session(self.engine) as session:
            return fn(session, key)

    def _write(self, fn: Callable[..., None], key: str, value: Any) -> None:
        with Session(self.engine) as session:
            fn(session, key, value, at=self.clock.now())
            session.commit()


def publishing_executors(
    engine: Engine,
    files: ClipFiles,
    uploader: Uploader,
    settings: PublishingSettings,
    clock: Clock,
    group_id: int,
) -> dict[str, Executor]:
    """Executors to merge into ``OutboxSender.executors``."""
    return PublishExecutors(engine, files, uploader, settings, clock, group_id).executors()
